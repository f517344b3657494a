package dev.sagebrush.metrics;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The statistics CloudWatch computes over the datapoints of one period. */
final class Statistics {
    static final java.util.Set<String> BASIC = java.util.Set.of("SampleCount", "Average", "Sum", "Minimum", "Maximum");
    private static final Pattern PERCENTILE = Pattern.compile("p(\\d{1,2}(\\.\\d{1,2})?|100)");

    private Statistics() {}

    static boolean isPercentile(String stat) {
        Matcher m = PERCENTILE.matcher(stat);
        return m.matches() && Double.parseDouble(m.group(1)) <= 100;
    }

    /** One statistic of values[from, to); {@code sorted} is filled lazily for percentiles. */
    static double compute(String stat, double[] values, int from, int to) {
        int n = to - from;
        switch (stat) {
            case "SampleCount":
                return n;
            case "Sum":
                return sum(values, from, to);
            case "Average":
                return sum(values, from, to) / n;
            case "Minimum": {
                double m = Double.POSITIVE_INFINITY;
                for (int i = from; i < to; i++) m = Math.min(m, values[i]);
                return m;
            }
            case "Maximum": {
                double m = Double.NEGATIVE_INFINITY;
                for (int i = from; i < to; i++) m = Math.max(m, values[i]);
                return m;
            }
            default: {
                double p = Double.parseDouble(stat.substring(1));
                double[] s = Arrays.copyOfRange(values, from, to);
                Arrays.sort(s);
                // nearest rank, as CloudWatch's percentiles of raw (non-histogram) datapoints
                int rank = (int) Math.ceil(p / 100.0 * n);
                return s[Math.max(0, Math.min(n - 1, rank - 1))];
            }
        }
    }

    private static double sum(double[] values, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += values[i];
        return s;
    }
}
