package dev.sagebrush.notebook;

import dev.sagebrush.jobs.ControllerLoop;
import dev.sagebrush.notebook.proxy.NotebookRoutes;
import dev.sagebrush.notebook.proxy.SessionSigner;
import dev.sagebrush.notebook.runtime.InstanceKey;
import dev.sagebrush.notebook.runtime.InstanceSpec;
import dev.sagebrush.notebook.runtime.NotebookRuntime;
import dev.sagebrush.notebook.runtime.RuntimeFailure;
import dev.sagebrush.notebook.runtime.Upstream;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.Claim;
import dev.sagebrush.store.ClaimLostException;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceLifecycleConfigResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceResponse;
import software.amazon.awssdk.services.sagemaker.model.NotebookInstanceLifecycleHook;

/**
 * Moves each notebook instance toward what its status asks, one idempotent step per pass:
 * <ul>
 *   <li>Pending → a running Jupyter → InService (or Failed with the reason);</li>
 *   <li>InService → keeps running; a Jupyter that died by itself makes the instance <b>Failed</b> with the reason
 *       (not restarted behind the user's back: Failed is what AWS shows, and StartNotebookInstance brings it back);
 *       after a server restart nothing runs yet, so the instance goes back to Pending and is started again, OnStart
 *       included, as AWS does on every start;</li>
 *   <li>Stopping → Jupyter stopped → Stopped; Updating → volume grown → Stopped; Deleting → everything removed → gone.</li>
 * </ul>
 * An instance is claimed before any work (a second node never runs the same instance) and held, renewed, for as
 * long as its Jupyter runs here; its writes carry the claim, and a lost claim (another node took the instance over
 * after this one stalled) stops the Jupyter here. The lease owner is a node id kept in the data directory, so a restarted server
 * reclaims its own instances at once instead of waiting for the lease to expire.
 */
public final class NotebookController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotebookController.class);
    private static final List<String> ACTIVE = List.of("Pending", "InService", "Stopping", "Updating", "Deleting");

    private final ResourceStore store;
    private final NotebookDocuments documents;
    private final Clock clock;
    private final NotebookRuntime runtime;
    private final NotebookRoutes routes;
    private final String nodeId;
    /** How long a claim lasts unrenewed: after this node dies, another resumes its work this long after. */
    private final Duration lease;
    private final ControllerLoop loop;
    private final Function<SessionSigner.InstanceRef, java.util.Map<String, String>> callback;
    private final ExecutorService workers;
    private final Set<ResourceKey> busy = ConcurrentHashMap.newKeySet();
    /** When each lease held for a running instance was last renewed: renewing every pass would write every second. */
    private final java.util.Map<ResourceKey, Instant> renewed = new ConcurrentHashMap<>();
    /** The claim this node holds on each instance it works on or runs. */
    private final java.util.Map<ResourceKey, Claim> claims = new ConcurrentHashMap<>();
    private volatile boolean closing;

    public NotebookController(ResourceStore store, JsonCodec codec, Clock clock, NotebookRuntime runtime,
                              NotebookRoutes routes, String nodeId, Duration lease, Duration resync) {
        this(store, codec, clock, runtime, routes, nodeId, lease, resync, ref -> java.util.Map.of());
    }

    /**
     * @param callback the environment that lets code in an instance call this server back with credentials of its
     *                 own (see {@code notebook.callback.InstanceCredentials}); read at every start
     */
    public NotebookController(ResourceStore store, JsonCodec codec, Clock clock, NotebookRuntime runtime,
                              NotebookRoutes routes, String nodeId, Duration lease, Duration resync,
                              Function<SessionSigner.InstanceRef, java.util.Map<String, String>> callback) {
        this.callback = callback;
        this.store = store;
        this.documents = new NotebookDocuments(codec);
        this.clock = clock;
        this.runtime = runtime;
        this.routes = routes;
        this.nodeId = nodeId;
        this.lease = lease;
        // Unbounded on purpose: a start mostly waits (for Jupyter, for a lifecycle script), and ten instances
        // created at once should start at once, not one after another.
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "notebook-worker");
            t.setDaemon(true);
            return t;
        });
        this.loop = new ControllerLoop("notebook-controller", resync, this::reconcileAll);
    }

    public NotebookController start() {
        // One pass before the server answers requests: instances that were InService when the last server stopped
        // are Pending again before any client can see them, so nobody is told InService about a Jupyter that is not
        // running yet (the orphan of a kill -9 is replaced when the instance starts).
        reconcileAll();
        loop.start();
        return this;
    }

    public void wake() {
        loop.wake();
    }

    void reconcileAll() {
        for (StoredResource row : store.findByStatus(NotebookInstances.KIND, ACTIVE)) {
            try {
                reconcile(row);
            } catch (RuntimeException e) {
                log.error("Reconciling notebook instance {} failed", row.arn(), e);
            }
        }
    }

    private void reconcile(StoredResource row) {
        ResourceKey key = row.key();
        if (closing) return;
        Instant now = clock.instant();
        if (busy.contains(key)) {
            renewIfDue(key, now); // a start may wait minutes for a lifecycle script; its writes fail once this does
            return;
        }
        InstanceKey name = instanceKey(key);
        if (row.status().equals("InService")) {
            if (runtime.isRunning(name)) {
                if (!renewIfDue(key, now)) {
                    log.warn("Lost the claim on notebook instance {}: another node took it over; stopping it here", row.arn());
                    routes.unregister(name);
                    runtime.stop(name);
                }
                return;
            }
            renewed.remove(key);
            Optional<String> exit = runtime.exitReason(name);
            if (exit.isPresent()) {
                routes.unregister(name);
                log.warn("Notebook instance {} failed: {}", row.arn(), exit.get());
                transition(key, d -> d.toBuilder().failureReason(cap(exit.get())), "Failed", "InService");
                runtime.stop(name); // kills what is left (lifecycle background jobs) and unmounts the volume
                releaseClaim(key);
            } else if (claim(key, now)) {
                // InService in the store but not running here: this server restarted. Start it again.
                log.info("Notebook instance {} was InService before a restart; starting it again", row.arn());
                transition(key, d -> d.toBuilder(), "Pending", "InService");
                loop.wake();
            }
            return;
        }
        if (!claim(key, now)) return;
        Runnable work = switch (row.status()) {
            case "Pending" -> () -> startInstance(key);
            case "Stopping" -> () -> stopInstance(key);
            case "Updating" -> () -> updateInstance(key);
            case "Deleting" -> () -> deleteInstance(key);
            default -> null;
        };
        if (work == null) return;
        busy.add(key);
        workers.execute(() -> {
            try {
                work.run();
            } catch (ClaimLostException e) {
                log.warn("Notebook instance {} was taken over by another node; stopping the work here", key.name());
                routes.unregister(instanceKey(key));
                runtime.stop(instanceKey(key));
            } catch (RuntimeException e) {
                log.error("Notebook instance {} work failed", key.name(), e);
            } finally {
                if (!runtime.isRunning(instanceKey(key))) releaseClaim(key);
                busy.remove(key);
                loop.wake();
            }
        });
    }

    /** Claims an instance for this node (a new epoch); false when another node holds it. */
    private boolean claim(ResourceKey key, Instant now) {
        Optional<Claim> claim = store.claim(key, nodeId, now, lease);
        claim.ifPresent(c -> {
            claims.put(key, c);
            renewed.put(key, now);
        });
        return claim.isPresent();
    }

    /** Renews the claim on an instance this node works on, every third of the lease; false once it is lost. */
    private boolean renewIfDue(ResourceKey key, Instant now) {
        Instant last = renewed.get(key);
        Claim held = claims.get(key);
        if (held == null || last != null && !now.isAfter(last.plus(lease.dividedBy(3)))) return true;
        Optional<Claim> next = store.renew(held, now, lease);
        if (next.isEmpty()) {
            claims.remove(key, held);
            renewed.remove(key);
            return false;
        }
        claims.replace(key, held, next.get());
        renewed.put(key, now);
        return true;
    }

    private void releaseClaim(ResourceKey key) {
        renewed.remove(key);
        Claim held = claims.remove(key);
        if (held != null) store.release(held);
    }

    private void startInstance(ResourceKey key) {
        Optional<StoredResource> row = store.get(key);
        if (row.isEmpty() || !row.get().status().equals("Pending")) return;
        DescribeNotebookInstanceResponse doc = documents.instance(row.get());
        runtime.reset(instanceKey(key)); // whatever a crashed server left behind
        try {
            Upstream upstream = runtime.start(spec(key, doc, NotebookInstances.instanceRef(row.get())));
            // The route first: once a waiter sees InService, the presigned URL must work.
            routes.register(NotebookInstances.instanceRef(row.get()), upstream);
            if (transition(key, d -> d.toBuilder().failureReason(null), "InService", "Pending").isEmpty()) {
                routes.unregister(instanceKey(key));
                runtime.stop(instanceKey(key));
            }
        } catch (RuntimeFailure e) {
            if (closing) return; // interrupted by shutdown: stays Pending, the next server start resumes it
            log.warn("Notebook instance {} failed to start: {}", doc.notebookInstanceArn(), e.getMessage());
            transition(key, d -> d.toBuilder().failureReason(cap(e.getMessage())), "Failed", "Pending");
        }
    }

    private void stopInstance(ResourceKey key) {
        renewed.remove(key);
        routes.unregister(instanceKey(key));
        runtime.stop(instanceKey(key));
        transition(key, d -> d.toBuilder(), "Stopped", "Stopping");
    }

    private void updateInstance(ResourceKey key) {
        Optional<StoredResource> row = store.get(key);
        if (row.isEmpty() || !row.get().status().equals("Updating")) return;
        try {
            runtime.update(spec(key, documents.instance(row.get()), NotebookInstances.instanceRef(row.get())));
            transition(key, d -> d.toBuilder(), "Stopped", "Updating");
        } catch (RuntimeFailure e) {
            transition(key, d -> d.toBuilder().failureReason(cap(e.getMessage())), "Failed", "Updating");
        }
    }

    private void deleteInstance(ResourceKey key) {
        renewed.remove(key);
        routes.unregister(instanceKey(key));
        runtime.destroy(instanceKey(key));
        while (true) {
            Optional<StoredResource> row = store.get(key);
            if (row.isEmpty() || !row.get().status().equals("Deleting")) return;
            if (store.delete(key, row.get().version())) return;
        }
    }

    /** The runtime's view of an instance, with its lifecycle scripts as they are now (updates apply at start). */
    private InstanceSpec spec(ResourceKey key, DescribeNotebookInstanceResponse d, SessionSigner.InstanceRef ref)
            throws RuntimeFailure {
        InstanceSpec.LifecycleHooks hooks = InstanceSpec.LifecycleHooks.NONE;
        String lccName = d.notebookInstanceLifecycleConfigName();
        if (lccName != null) {
            ResourceKey lccKey = new ResourceKey(key.account(), key.region(), LifecycleConfigs.KIND, lccName);
            StoredResource lcc = store.get(lccKey).orElseThrow(() -> new RuntimeFailure("Notebook Instance Lifecycle "
                    + "Config '" + lccName + "' for Notebook Instance '" + d.notebookInstanceArn() + "' does not exist."));
            DescribeNotebookInstanceLifecycleConfigResponse c = documents.lifecycleConfig(lcc);
            hooks = new InstanceSpec.LifecycleHooks(c.notebookInstanceLifecycleConfigArn(),
                    script(c.onCreate()), script(c.onStart()));
        }
        return new InstanceSpec(instanceKey(key), d.notebookInstanceArn(), d.instanceTypeAsString(),
                !"Disabled".equals(d.rootAccessAsString()), !"Disabled".equals(d.directInternetAccessAsString()),
                d.volumeSizeInGB() == null ? NotebookInstances.DEFAULT_VOLUME_GB : d.volumeSizeInGB(),
                d.defaultCodeRepository(), d.additionalCodeRepositories(), hooks, callback.apply(ref));
    }

    static InstanceKey instanceKey(ResourceKey key) {
        return new InstanceKey(key.account(), key.region(), key.name());
    }

    private static String script(List<NotebookInstanceLifecycleHook> hooks) {
        if (hooks == null || hooks.isEmpty() || hooks.get(0).content() == null) return null;
        return new String(Base64.getMimeDecoder().decode(hooks.get(0).content()), StandardCharsets.UTF_8);
    }

    private static String cap(String reason) {
        return reason.length() > 1024 ? reason.substring(0, 1021) + "..." : reason;
    }

    /** Compare-and-set: applies {@code change} and the new status if the instance is still in one of {@code from}. */
    private Optional<StoredResource> transition(ResourceKey key,
            Function<DescribeNotebookInstanceResponse, DescribeNotebookInstanceResponse.Builder> change,
                                                String to, String... from) {
        while (true) {
            Optional<StoredResource> current = store.get(key);
            if (current.isEmpty() || !List.of(from).contains(current.get().status())) return Optional.empty();
            StoredResource row = current.get();
            Instant now = clock.instant();
            DescribeNotebookInstanceResponse next = change.apply(documents.instance(row))
                    .notebookInstanceStatus(to).lastModifiedTime(now).build();
            Optional<StoredResource> written = store.update(row.withDocument(to, now, documents.encode(next)),
                    claims.get(key));
            if (written.isPresent()) {
                log.info("Notebook instance {}: {} -> {}", row.arn(), row.status(), to);
                return written;
            }
        }
    }

    /**
     * Stops every Jupyter this node runs. Their instances stay InService in the store and are started again when
     * the server comes back; nothing is left running behind a stopped server.
     */
    @Override
    public void close() {
        closing = true;
        loop.close();
        workers.shutdownNow();
        try {
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runtime.close();
        for (StoredResource row : store.findByStatus(NotebookInstances.KIND, ACTIVE)) {
            routes.unregister(instanceKey(row.key()));
            releaseClaim(row.key());
        }
    }
}
