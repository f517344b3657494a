package dev.sagebrush.metrics;

import java.time.Instant;

/** The periods a statistics query spans: StartTime rounded down, then {@code period}-second buckets before EndTime. */
record Periods(long startMillis, long endMillis, long periodMillis) {

    interface Bucket {
        void accept(Instant bucketStart, double[] values, int from, int to);
    }

    /** GetMetricStatistics' periods: at most 1,440 of them. */
    static Periods of(Instant start, Instant end, int periodSeconds) {
        Periods p = spanning(start, end, periodSeconds);
        long count = (p.endMillis - p.startMillis + p.periodMillis - 1) / p.periodMillis;
        if (count > CloudWatchMetrics.MAX_DATAPOINTS) {
            throw Inputs.combination(String.format("You have requested up to %,d datapoints, which exceeds the limit "
                    + "of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time "
                    + "range.", count));
        }
        return p;
    }

    /** Any number of periods (GetMetricData pages its datapoints instead of refusing many). */
    static Periods spanning(Instant start, Instant end, int periodSeconds) {
        long granularity = periodSeconds >= 60 ? 60_000 : 1000;
        long s = Math.floorDiv(start.toEpochMilli(), granularity) * granularity;
        long e = end.toEpochMilli();
        if (e <= s) throw Inputs.invalid("The parameter StartTime must be earlier than the parameter EndTime.");
        return new Periods(s, e, periodSeconds * 1000L);
    }

    /** Calls {@code bucket} for each period that has datapoints, in time order. */
    void forEach(MetricSeries.View view, Bucket bucket) {
        int i = view.firstAtOrAfter(startMillis);
        while (i < view.size() && view.times()[i] < endMillis) {
            long b = startMillis + (view.times()[i] - startMillis) / periodMillis * periodMillis;
            long bEnd = Math.min(b + periodMillis, endMillis);
            int j = i;
            while (j < view.size() && view.times()[j] < bEnd) j++;
            bucket.accept(Instant.ofEpochMilli(b), view.values(), i, j);
            i = j;
        }
    }
}
