package dev.sagebrush.jobs;

import dev.sagebrush.store.Change;
import dev.sagebrush.store.ClaimLostException;
import dev.sagebrush.store.ResourceKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconciliation runtime of one kind of resource, after Kubernetes' controller-runtime: keys go into a
 * de-duplicating {@link WorkQueue}, a few worker threads take them and run the kind's {@link Reconciler} one step at a
 * time, and the step's result decides when the key comes back. Keys arrive from
 * <ul>
 *   <li>the store's change feed ({@link #onChanges}): a write on any node queues its key;</li>
 *   <li>requeue-after deadlines the steps return (a lease to renew, MaxRuntime, MaxPending) and backoff on errors;</li>
 *   <li>a resync: the kind's {@code resync} lister (what this node should look at: the work it runs, stopping jobs,
 *       as many waiting jobs as it has capacity for) runs at start, on {@link #wake}, and every {@code resyncEvery},
 *       because some events are not writes (a lease of a dead node expiring) and a missed wake-up must cost one resync
 *       interval, never a stuck resource.</li>
 * </ul>
 * Concurrency of the <i>work</i> (how many jobs run at once) is the backend's limit; the workers here only take steps,
 * which are short.
 */
public final class Reconciliation implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reconciliation.class);

    /**
     * @param workers     threads taking steps (steps of one key never run at once, whatever the number)
     * @param resyncEvery how often the kind's resync lister runs
     */
    public record Settings(int workers, Duration resyncEvery, Duration backoffBase, Duration backoffMax) {
        public static Settings of(Duration resyncEvery) {
            return new Settings(2, resyncEvery, Duration.ofMillis(50), Duration.ofSeconds(30));
        }
    }

    private final String kind;
    private final Reconciler reconciler;
    private final WorkQueue<ResourceKey> queue;
    private final ControllerLoop resync;
    private final List<Thread> workers = new ArrayList<>();

    public Reconciliation(String kind, Reconciler reconciler, Supplier<Collection<ResourceKey>> resyncKeys,
                          Settings settings) {
        this.kind = kind;
        this.reconciler = reconciler;
        this.queue = new WorkQueue<>(new Backoff(settings.backoffBase(), settings.backoffMax()));
        this.resync = new ControllerLoop(kind + "-resync", settings.resyncEvery(), () -> resyncKeys.get().forEach(queue::add));
        for (int i = 0; i < Math.max(1, settings.workers()); i++) {
            Thread t = new Thread(this::work, kind + "-reconciler-" + i);
            t.setDaemon(true);
            workers.add(t);
        }
    }

    public Reconciliation start() {
        workers.forEach(Thread::start);
        resync.start();
        return this;
    }

    /** Queues the key now: a step runs soon (once, however many times it is queued before that). */
    public void enqueue(ResourceKey key) {
        queue.add(key);
    }

    /** Asks for a resync now (a request changed something; a worker became free). Cheap, and coalesced. */
    public void wake() {
        resync.wake();
    }

    /** A change feed subscriber: queues every changed key of this kind. */
    public void onChanges(List<Change> changes) {
        for (Change c : changes) {
            if (c.key().kind().equals(kind)) queue.add(c.key());
        }
    }

    private void work() {
        while (true) {
            ResourceKey key;
            try {
                key = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (key == null) return;
            try {
                Reconciler.Result result = reconciler.reconcile(key);
                queue.forget(key);
                if (result.requeueAfter() != null) queue.addAfter(key, result.requeueAfter());
            } catch (ClaimLostException e) {
                // Another node claimed the resource between this step's read and its write: the step looks again.
                log.warn("Reconciling {} {}: {}; looking again", kind, key.name(), e.getMessage());
                queue.addRateLimited(key);
            } catch (Exception | Error e) {
                if (Thread.currentThread().isInterrupted()) return; // shutting down
                log.error("Reconciling {} {} failed; retrying with backoff", kind, key.name(), e);
                queue.addRateLimited(key);
            } finally {
                queue.done(key);
            }
        }
    }

    /** Stops taking steps; waits for the steps in progress (they are short) to end. */
    @Override
    public void close() {
        resync.close();
        queue.shutDown();
        for (Thread t : workers) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
