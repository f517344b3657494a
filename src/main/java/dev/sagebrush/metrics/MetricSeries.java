package dev.sagebrush.metrics;

import java.util.Arrays;

/**
 * One metric's datapoints in time order (timestamps in epoch milliseconds). Growable arrays: a training job's metric
 * may have hundreds of thousands of points and must stay cheap to keep and to scan.
 *
 * <p>Points mostly arrive in time order (one producer reading its lines), but not always: several hosts of one job
 * feed its {@code TrainingJobName} series, a resumed job's runs are read back file by file, a producer's clock may step
 * back. A point older than the last one is appended anyway and the series is sorted again, into new arrays, at the
 * next {@link #view}: a view's arrays never change under its reader.
 */
final class MetricSeries {
    private long[] times = new long[16];
    private double[] values = new double[16];
    private int size;
    private boolean sorted = true;

    synchronized void add(long time, double value) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        if (size > 0 && time < times[size - 1]) sorted = false;
        times[size] = time;
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
        if (!sorted) sortIntoNewArrays();
        return new View(times, values, size);
    }

    /** A stable sort by time (points of one time keep their arrival order), into new arrays of the same capacity. */
    private void sortIntoNewArrays() {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) order[i] = i;
        long[] t = times;
        Arrays.sort(order, (a, b) -> Long.compare(t[a], t[b]));
        long[] newTimes = new long[times.length];
        double[] newValues = new double[values.length];
        for (int i = 0; i < size; i++) {
            newTimes[i] = times[order[i]];
            newValues[i] = values[order[i]];
        }
        times = newTimes;
        values = newValues;
        sorted = true;
    }
}
