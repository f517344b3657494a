package dev.sagebrush.jobs;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key exponential backoff: the n-th consecutive failure of a key waits {@code base × 2^(n-1)}, at most
 * {@code max}. A step that fails because the database is briefly unavailable is retried at once and then less and
 * less often, instead of spinning a worker; one bad key never slows the others.
 */
public final class Backoff {
    private final Duration base;
    private final Duration max;
    private final ConcurrentHashMap<Object, Integer> failures = new ConcurrentHashMap<>();

    public Backoff(Duration base, Duration max) {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= max");
        }
        this.base = base;
        this.max = max;
    }

    /** The delay before the next retry of {@code key}, counting this failure. */
    public Duration next(Object key) {
        int n = failures.merge(key, 1, Integer::sum);
        int shift = Math.min(n - 1, 30);
        long nanos = base.toNanos() << shift;
        return nanos <= 0 || nanos > max.toNanos() ? max : Duration.ofNanos(nanos);
    }

    public void reset(Object key) {
        failures.remove(key);
    }

    /** Consecutive failures of {@code key} so far. */
    public int failures(Object key) {
        return failures.getOrDefault(key, 0);
    }
}
