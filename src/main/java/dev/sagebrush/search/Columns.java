package dev.sagebrush.search;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Primitive columns, one value per index slot, for the properties most filters and sorts touch: top-level numbers,
 * timestamps and texts, and every Metrics/HyperParameters/Tags name. A search over 100,000 jobs is bound by memory
 * latency, not arithmetic: following a pointer per record costs ~30-50 ns, so a filter that reads a contiguous
 * {@code long[]} or {@code int[]} is an order of magnitude faster than one that walks each record's objects.
 *
 * <p>Slots are append-only (see {@link ColumnStore}), so a reader never sees a slot's value change: the writer fills
 * a new slot in every column and only then publishes the new length. Growing replaces the array (old readers keep
 * the old one, which holds every slot they can see).
 */
final class Columns {
    private Columns() {}

    static final long MISSING_LONG = Long.MIN_VALUE;
    static final int MISSING_CODE = -1;

    /** Timestamps in epoch ms; {@link #MISSING_LONG} when absent. */
    static final class LongColumn {
        volatile long[] values;

        LongColumn(int capacity) { values = filled(new long[capacity], 0); }

        void set(int slot, long v) { ensure(slot)[slot] = v; }

        private long[] ensure(int slot) {
            long[] a = values;
            if (slot >= a.length) {
                int old = a.length;
                a = Arrays.copyOf(a, Math.max(slot + 1, old * 2));
                values = filled(a, old);
            }
            return a;
        }

        private static long[] filled(long[] a, int from) {
            Arrays.fill(a, from, a.length, MISSING_LONG);
            return a;
        }
    }

    /** Numbers (and metric values, hyperparameter decimals); NaN when absent or not numeric. */
    static final class DoubleColumn {
        volatile double[] values;

        DoubleColumn(int capacity) { values = filled(new double[capacity], 0); }

        void set(int slot, double v) { ensure(slot)[slot] = v; }

        private double[] ensure(int slot) {
            double[] a = values;
            if (slot >= a.length) {
                int old = a.length;
                a = Arrays.copyOf(a, Math.max(slot + 1, old * 2));
                values = filled(a, old);
            }
            return a;
        }

        private static double[] filled(double[] a, int from) {
            Arrays.fill(a, from, a.length, Double.NaN);
            return a;
        }
    }

    /**
     * Texts as dictionary codes: Equals is an int comparison, In a bit set of codes, and Contains tests each distinct
     * value once rather than once per record. Codes are never reused, so a reader's view of the dictionary is only
     * ever a prefix of the writer's.
     */
    static final class TextColumn {
        volatile int[] codes;
        volatile String[] dictionary = new String[16];
        private final ConcurrentHashMap<String, Integer> codeOf = new ConcurrentHashMap<>();
        private int size; // writer only

        TextColumn(int capacity) {
            int[] a = new int[capacity];
            Arrays.fill(a, MISSING_CODE);
            codes = a;
        }

        void set(int slot, String value) {
            int[] a = codes;
            if (slot >= a.length) {
                int old = a.length;
                a = Arrays.copyOf(a, Math.max(slot + 1, old * 2));
                Arrays.fill(a, old, a.length, MISSING_CODE);
                codes = a;
            }
            a[slot] = code(value);
        }

        private int code(String value) {
            Integer c = codeOf.get(value);
            if (c != null) {
                return c;
            }
            String[] d = dictionary;
            if (size == d.length) {
                d = Arrays.copyOf(d, d.length * 2);
            }
            d[size] = value;
            dictionary = d; // publish the entry before the code can be found
            codeOf.put(value, size);
            return size++;
        }

        /** The code of a value, or {@link #MISSING_CODE} if no record ever had it. */
        int codeOf(String value) {
            Integer c = codeOf.get(value);
            return c == null ? MISSING_CODE : c;
        }

        /** The value of a code (codes come from this column). */
        String value(int code) { return dictionary[code]; }

        int dictionarySize() { return codeOf.size(); }
    }
}
