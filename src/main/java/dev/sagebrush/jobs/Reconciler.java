package dev.sagebrush.jobs;

import dev.sagebrush.store.ResourceKey;
import java.time.Duration;

/**
 * What one kind of resource supplies to the reconciliation runtime: one idempotent step that moves the resource with
 * this key toward what its stored status asks, and returns. It reads the store afresh (the key is all it is given, so a
 * stale event can never mislead it), writes at most a few rows, submits to or observes a backend, and never waits for
 * a job's life. The runtime never runs two steps of one key at once. A step that throws is retried with backoff.
 */
@FunctionalInterface
public interface Reconciler {

    Result reconcile(ResourceKey key) throws Exception;

    /** How a step ended: nothing more to do until the resource changes, or look again after a delay. */
    record Result(Duration requeueAfter) {
        private static final Result DONE = new Result(null);

        public static Result done() {
            return DONE;
        }

        /** Look again after {@code delay}: a lease to renew, a deadline (MaxRuntime, MaxPending) to enforce. */
        public static Result after(Duration delay) {
            return new Result(delay.isNegative() ? Duration.ZERO : delay);
        }

        /** The earlier of two requeues (a done step never comes back by itself). */
        public Result orSooner(Duration delay) {
            return requeueAfter == null || delay.compareTo(requeueAfter) < 0 ? after(delay) : this;
        }
    }
}
