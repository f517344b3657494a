package dev.sagebrush.jobs;

import dev.sagebrush.store.ResourceKey;
import java.util.List;
import java.util.Optional;

/**
 * Where the long work of a resource runs (a compilation, a training run, a Jupyter start): submitted, then observed,
 * never waited on, so a reconciler step stays short whatever the backend. A local backend runs blocking code on
 * threads of its own ({@link ThreadedBackend}); a container or Kubernetes backend can implement this natively.
 * Work is known by the key of its resource; a backend holds at most one piece of work per key.
 *
 * @param <S> what the work needs to start (the job's document)
 * @param <E> what the work reports while it runs (progress the reconciler records)
 * @param <O> how the work ended when it succeeded
 */
public interface Backend<S, E, O> extends AutoCloseable {

    /**
     * Takes one of the backend's slots for the key, before the work is claimed and started: false when every slot is
     * taken (the concurrency limit of the kind). True, and nothing taken, when the key holds a slot already.
     */
    boolean reserve(ResourceKey key);

    /** Starts the work of a key that holds a slot. Returns at once. */
    void submit(ResourceKey key, S spec);

    /** The work of the key as it is now; empty when this backend has none (never submitted here, or forgotten). */
    Optional<Execution<O>> observe(ResourceKey key);

    /** What the work reported since the last call, oldest first. */
    List<E> takeEvents(ResourceKey key);

    /** Asks the work to end early, for {@code reason} (stop, timeout, claim-lost, shutdown); observe tells when it has. */
    void cancel(ResourceKey key, String reason);

    /** Forgets work that has ended (or a slot never used), freeing its slot; false when the work still runs. */
    boolean forget(ResourceKey key);

    /** Slots free now. */
    int free();

    /** Cancels all work with reason {@code shutdown} and waits a while for it to end. */
    @Override
    void close();
}
