package dev.sagebrush.metrics;

import java.util.Arrays;

/**
 * One metric's datapoints in time order (timestamps in epoch milliseconds, never decreasing: a series is written by
 * one producer as it reads its lines). Growable arrays: a training job's metric may have hundreds of thousands of
 * points and must stay cheap to keep and to scan.
 */
final class MetricSeries {
    private long[] times = new long[16];
    private double[] values = new double[16];
    private int size;

    synchronized void add(long time, double value) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        long t = size > 0 ? Math.max(time, times[size - 1]) : time;
        times[size] = t;
        values[size] = value;
        size++;
    }

    /** A consistent view for readers: arrays only grow, so the first {@code size} entries never change. */
    record View(long[] times, double[] values, int size) {
        /** The first index whose time is at or after {@code t}. */
        int firstAtOrAfter(long t) {
            int lo = 0;
            int hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (times[mid] < t) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }

    synchronized View view() {
        return new View(times, values, size);
    }
}
