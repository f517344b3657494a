package dev.sagebrush.notebook;

import dev.sagebrush.jobs.Controller;
import dev.sagebrush.jobs.Execution;
import dev.sagebrush.jobs.HeldClaims;
import dev.sagebrush.jobs.Reconciler.Result;
import dev.sagebrush.jobs.Reconciliation;
import dev.sagebrush.jobs.ThreadedBackend;
import dev.sagebrush.jobs.Transitions;
import dev.sagebrush.notebook.proxy.NotebookRoutes;
import dev.sagebrush.notebook.proxy.SessionSigner;
import dev.sagebrush.notebook.runtime.InstanceKey;
import dev.sagebrush.notebook.runtime.InstanceSpec;
import dev.sagebrush.notebook.runtime.NotebookRuntime;
import dev.sagebrush.notebook.runtime.RuntimeFailure;
import dev.sagebrush.notebook.runtime.Upstream;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceLifecycleConfigResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceResponse;
import software.amazon.awssdk.services.sagemaker.model.NotebookInstanceLifecycleHook;

/**
 * Moves each notebook instance toward what its status asks, one idempotent step at a time on the reconciliation
 * runtime ({@link Reconciliation}):
 * <ul>
 *   <li>Pending → a running Jupyter → InService (or Failed with the reason);</li>
 *   <li>InService → keeps running; a Jupyter that died by itself makes the instance <b>Failed</b> with the reason
 *       (not restarted behind the user's back: Failed is what AWS shows, and StartNotebookInstance brings it back);
 *       after a server restart nothing runs yet, so the instance goes back to Pending and is started again, OnStart
 *       included, as AWS does on every start;</li>
 *   <li>Stopping → Jupyter stopped → Stopped; Updating → volume grown → Stopped; Deleting → everything removed → gone.</li>
 * </ul>
 * The runtime's calls block (a start waits for Jupyter, a lifecycle script may take minutes), so each is an
 * {@link Operation} submitted to a {@link ThreadedBackend}; a step only submits one, or records how one ended.
 * An instance is claimed before any operation (a second node never runs the same instance) and held, renewed, for as
 * long as its Jupyter runs here; its writes carry the claim, and a lost claim (another node took the instance over
 * after this one stalled) stops the Jupyter here. The lease owner is a node id kept in the data directory, so a
 * restarted server reclaims its own instances at once instead of waiting for the lease to expire.
 */
public final class NotebookController implements Controller {
    private static final Logger log = LoggerFactory.getLogger(NotebookController.class);
    private static final List<String> ACTIVE = List.of("Pending", "InService", "Stopping", "Updating", "Deleting");
    private static final String CLAIM_LOST = "claim-lost";

    /** One blocking call of the runtime for one instance. */
    record Operation(Kind kind, InstanceKey instance, InstanceSpec spec) {
        enum Kind { START, STOP, UPDATE, DELETE }
    }

    private final ResourceStore store;
    private final NotebookDocuments documents;
    private final Clock clock;
    private final NotebookRuntime runtime;
    private final NotebookRoutes routes;
    /** How often an InService instance is looked at: its Jupyter may have died. */
    private final Duration poll;
    private final Function<SessionSigner.InstanceRef, java.util.Map<String, String>> callback;
    private final HeldClaims claims;
    private final ThreadedBackend<Operation, Void, Upstream> operations;
    /** What each submitted operation is, until its end has been recorded. */
    private final ConcurrentHashMap<ResourceKey, Operation.Kind> submitted = new ConcurrentHashMap<>();
    private final Reconciliation reconciliation;
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
        this.poll = resync;
        this.claims = new HeldClaims(store, nodeId, clock, lease);
        this.reconciliation = new Reconciliation(NotebookInstances.KIND, this::reconcile, this::resyncKeys,
                Reconciliation.Settings.of(resync));
        // No limit on purpose: a start mostly waits (for Jupyter, for a lifecycle script), and ten instances created
        // at once should start at once, not one after another.
        this.operations = new ThreadedBackend<>(new ThreadedBackend.Options("notebook", -1, true, Duration.ofSeconds(30)),
                (key, op, report, cancellation) -> run(op), reconciliation::enqueue);
    }

    public NotebookController start() {
        // One round of steps before the server answers requests: instances that were InService when the last server
        // stopped are Pending again before any client can see them, so nobody is told InService about a Jupyter that
        // is not running yet (the orphan of a kill -9 is replaced when the instance starts).
        for (ResourceKey key : resyncKeys()) {
            try {
                reconcile(key);
            } catch (RuntimeException e) {
                log.error("Reconciling notebook instance {} failed", key.name(), e);
            }
        }
        reconciliation.start();
        return this;
    }

    @Override
    public Reconciliation reconciliation() {
        return reconciliation;
    }

    private Collection<ResourceKey> resyncKeys() {
        return store.findByStatus(NotebookInstances.KIND, ACTIVE).stream().map(StoredResource::key).toList();
    }

    private Result reconcile(ResourceKey key) {
        if (closing) return Result.done();
        Optional<Execution<Upstream>> op = operations.observe(key);
        if (op.isPresent()) return reconcileOperation(key, op.get());
        Optional<StoredResource> found = store.get(key);
        if (found.isEmpty()) return Result.done();
        StoredResource row = found.get();
        InstanceKey name = instanceKey(key);
        if (row.status().equals("InService")) return reconcileInService(key, row, name);
        Operation.Kind kind = switch (row.status()) {
            case "Pending" -> Operation.Kind.START;
            case "Stopping" -> Operation.Kind.STOP;
            case "Updating" -> Operation.Kind.UPDATE;
            case "Deleting" -> Operation.Kind.DELETE;
            default -> null;
        };
        if (kind == null || claims.acquire(key).isEmpty()) return Result.done(); // another node works on it
        InstanceSpec spec = null;
        if (kind == Operation.Kind.START || kind == Operation.Kind.UPDATE) {
            try {
                spec = spec(key, documents.instance(row), NotebookInstances.instanceRef(row));
            } catch (RuntimeFailure e) {
                transition(key, d -> d.toBuilder().failureReason(cap(e.getMessage())), "Failed", row.status());
                claims.release(key);
                return Result.done();
            }
        }
        submit(key, new Operation(kind, name, spec));
        return Result.after(poll);
    }

    private void submit(ResourceKey key, Operation op) {
        operations.reserve(key); // never refused: no limit
        submitted.put(key, op.kind());
        operations.submit(key, op);
    }

    /** InService: keep the claim while Jupyter runs here; notice a Jupyter that died; restart after a server restart. */
    private Result reconcileInService(ResourceKey key, StoredResource row, InstanceKey name) {
        if (runtime.isRunning(name)) {
            // Renewed every third of the lease: renewing at every look would write every second.
            if (!claims.renewIfOlderThan(key, claims.lease().dividedBy(3))) {
                log.warn("Lost the claim on notebook instance {}: another node took it over; stopping it here", row.arn());
                routes.unregister(name);
                submit(key, new Operation(Operation.Kind.STOP, name, null));
            }
            return Result.after(poll);
        }
        Optional<String> exit = runtime.exitReason(name);
        if (exit.isPresent()) {
            routes.unregister(name);
            log.warn("Notebook instance {} failed: {}", row.arn(), exit.get());
            transition(key, d -> d.toBuilder().failureReason(cap(exit.get())), "Failed", "InService");
            // Kills what is left (lifecycle background jobs) and unmounts the volume.
            submit(key, new Operation(Operation.Kind.STOP, name, null));
            return Result.done();
        }
        if (claims.acquire(key).isPresent()) {
            // InService in the store but not running here: this server restarted. Start it again.
            log.info("Notebook instance {} was InService before a restart; starting it again", row.arn());
            transition(key, d -> d.toBuilder(), "Pending", "InService");
            return Result.after(Duration.ZERO);
        }
        return Result.done(); // another node runs it
    }

    /** An operation of this node on the instance: keep the claim while it runs; record its end. */
    private Result reconcileOperation(ResourceKey key, Execution<Upstream> op) {
        Operation.Kind kind = submitted.get(key);
        if (!op.ended()) {
            if (claims.holds(key) && !claims.renewIfOlderThan(key, claims.lease().dividedBy(3))) {
                log.warn("Lost the claim on notebook instance {} during {}; stopping the work here", key.name(), kind);
                operations.cancel(key, CLAIM_LOST);
            }
            return Result.after(poll);
        }
        InstanceKey name = instanceKey(key);
        operations.forget(key);
        submitted.remove(key);
        if (kind == Operation.Kind.START) {
            recordStart(key, name, op);
        } else if (kind == Operation.Kind.UPDATE) {
            if (op.state() == Execution.State.SUCCEEDED) {
                transition(key, d -> d.toBuilder(), "Stopped", "Updating");
            } else {
                transition(key, d -> d.toBuilder().failureReason(cap(reason(key, op))), "Failed", "Updating");
            }
        } else if (kind == Operation.Kind.STOP) {
            transition(key, d -> d.toBuilder(), "Stopped", "Stopping");
        } else if (kind == Operation.Kind.DELETE) {
            delete(key);
        }
        if (!runtime.isRunning(name) && !operations.observe(key).isPresent()) claims.release(key);
        return Result.after(Duration.ZERO); // the next step, from the status as it is now
    }

    private void recordStart(ResourceKey key, InstanceKey name, Execution<Upstream> op) {
        if (op.cancelled()) { // shutdown (stays Pending: the next server start resumes it) or a lost claim
            if (CLAIM_LOST.equals(op.cancelReason())) submit(key, new Operation(Operation.Kind.STOP, name, null));
            return;
        }
        if (op.state() == Execution.State.FAILED) {
            log.warn("Notebook instance {} failed to start: {}", key.name(), op.failure().getMessage());
            transition(key, d -> d.toBuilder().failureReason(cap(reason(key, op))), "Failed", "Pending");
            return;
        }
        Optional<StoredResource> row = store.get(key);
        // The route first: once a waiter sees InService, the presigned URL must work.
        if (row.isPresent()) routes.register(NotebookInstances.instanceRef(row.get()), op.outcome());
        if (row.isEmpty() || transition(key, d -> d.toBuilder().failureReason(null), "InService", "Pending").isEmpty()) {
            routes.unregister(name); // stopped or deleted while it started
            submit(key, new Operation(Operation.Kind.STOP, name, null));
        }
    }

    /** The FailureReason of an operation that threw: the runtime's own words, or an internal error. */
    private static String reason(ResourceKey key, Execution<Upstream> op) {
        if (op.failure() instanceof RuntimeFailure f) return f.getMessage();
        log.error("Notebook instance {}: the runtime failed unexpectedly", key.name(), op.failure());
        return "InternalFailure: The notebook instance could not be started or changed ("
                + op.failure().getClass().getSimpleName() + "). See the Sagebrush server log for details.";
    }

    /** The blocking part of an operation, on a thread of {@link #operations}. */
    private Upstream run(Operation op) throws RuntimeFailure {
        InstanceKey name = op.instance();
        switch (op.kind()) {
            case START -> {
                runtime.reset(name); // whatever a crashed server left behind
                return runtime.start(op.spec());
            }
            case STOP -> {
                routes.unregister(name);
                runtime.stop(name);
            }
            case UPDATE -> runtime.update(op.spec());
            case DELETE -> {
                routes.unregister(name);
                runtime.destroy(name);
            }
        }
        return null;
    }

    private void delete(ResourceKey key) {
        Transitions.delete(store, key, null, row -> row.status().equals("Deleting"));
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

    /**
     * Compare-and-set under this node's claim: applies {@code change} and the new status if the instance is still in
     * one of {@code from}; nothing without a claim (the instance is another node's to write).
     */
    private Optional<StoredResource> transition(ResourceKey key,
            Function<DescribeNotebookInstanceResponse, DescribeNotebookInstanceResponse.Builder> change,
                                                String to, String... from) {
        Optional<StoredResource> written = Transitions.underClaim(store, claims, key, List.of(from), row -> {
            Instant now = clock.instant();
            DescribeNotebookInstanceResponse next = change.apply(documents.instance(row))
                    .notebookInstanceStatus(to).lastModifiedTime(now).build();
            return row.withDocument(to, now, documents.encode(next));
        });
        written.ifPresent(w -> log.info("Notebook instance {}: -> {}", w.arn(), to));
        return written;
    }

    /**
     * Stops every Jupyter this node runs. Their instances stay InService in the store and are started again when
     * the server comes back; nothing is left running behind a stopped server.
     */
    @Override
    public void close() {
        closing = true;
        reconciliation.close();
        operations.close();
        runtime.close();
        for (StoredResource row : store.findByStatus(NotebookInstances.KIND, ACTIVE)) {
            routes.unregister(instanceKey(row.key()));
        }
        claims.releaseAll();
    }
}
