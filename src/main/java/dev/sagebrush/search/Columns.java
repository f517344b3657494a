package dev.sagebrush.search;

import java.util.Arrays;

/**
 * Primitive columns: the whole content of the search index, with no object per job. A search over 100,000 jobs is
 * bound by memory latency, not arithmetic: following a pointer per record costs ~30-50 ns, so a filter that reads a
 * contiguous {@code long[]} or {@code int[]} is an order of magnitude faster than one that walks each record's objects,
 * and primitive arrays cost a few bytes per value where objects cost tens.
 *
 * <p>A column is indexed by an <em>owner</em>: an index slot for top-level values, or an element (of a list such as
 * InputDataConfig, see {@link Runs}) for values below a list. Owners are append-only (see {@link ColumnStore}), so a
 * reader never sees a value change: the writer fills a new owner in every column and only then publishes. Growing
 * replaces the array (old readers keep the old one, which holds every owner they can see).
 */
final class Columns {
    private Columns() {}

    static final long MISSING_LONG = Long.MIN_VALUE;
    static final int MISSING_CODE = StringDictionary.MISSING;
    static final byte ABSENT = 0;
    static final byte FALSE = 1;
    static final byte TRUE = 2;

    /** Capacity for index {@code i} in an array of {@code length}: doubling, so appends are amortized O(1). */
    static int grown(int length, int i) {
        return Math.max(i + 1, Math.max(16, length * 2));
    }

    /** Timestamps in epoch ms; {@link #MISSING_LONG} when absent. */
    static final class LongColumn {
        volatile long[] values = new long[0];

        void set(int owner, long v) {
            long[] a = values;
            if (owner >= a.length) {
                int old = a.length;
                a = Arrays.copyOf(a, grown(old, owner));
                Arrays.fill(a, old, a.length, MISSING_LONG);
                values = a;
            }
            a[owner] = v;
        }
    }

    /** Numbers (and metric values, hyperparameter decimals); NaN when absent or not numeric. */
    static final class DoubleColumn {
        volatile double[] values = new double[0];

        void set(int owner, double v) {
            double[] a = values;
            if (owner >= a.length) {
                int old = a.length;
                a = Arrays.copyOf(a, grown(old, owner));
                Arrays.fill(a, old, a.length, Double.NaN);
                values = a;
            }
            a[owner] = v;
        }
    }

    /** Booleans as {@link #FALSE}/{@link #TRUE}, and presence of structures as {@link #TRUE}; {@link #ABSENT} else. */
    static final class FlagColumn {
        volatile byte[] values = new byte[0];

        void set(int owner, byte v) {
            byte[] a = values;
            if (owner >= a.length) {
                a = Arrays.copyOf(a, grown(a.length, owner));
                values = a;
            }
            a[owner] = v;
        }
    }

    /**
     * Texts as dictionary codes: Equals is an int comparison, In a bit set of codes, and Contains tests each distinct
     * value once rather than once per owner. Codes are never reused (see {@link StringDictionary}).
     */
    static final class TextColumn {
        volatile int[] codes = new int[0];
        final StringDictionary dictionary = new StringDictionary();

        void set(int owner, String value) {
            int[] a = codes;
            if (owner >= a.length) {
                int old = a.length;
                a = Arrays.copyOf(a, grown(old, owner));
                Arrays.fill(a, old, a.length, MISSING_CODE);
                codes = a;
            }
            a[owner] = dictionary.add(value);
        }

        /** The code of a value, or {@link #MISSING_CODE} if no owner ever had it. */
        int codeOf(String value) { return dictionary.codeOf(value); }

        /** The value of a code (codes come from this column). */
        String value(int code) { return dictionary.value(code); }
    }

    /**
     * Variable-length runs (compressed sparse rows): owner {@code o} owns the children {@code start[o] ..
     * start[o] + count[o] - 1} of another index space, whose values live in columns of their own. The elements of a
     * list property per slot, the values of a list inside a list per element, a map's entries per owner.
     */
    static final class Runs {
        volatile int[] start = new int[0];
        volatile int[] count = new int[0];
        private int children; // writer only: children handed out so far

        /** Gives {@code owner} the next {@code n} children; returns the first one. */
        int add(int owner, int n) {
            int[] s = start;
            int[] c = count;
            if (owner >= s.length) {
                int size = grown(s.length, owner);
                s = Arrays.copyOf(s, size);
                c = Arrays.copyOf(c, size);
                count = c;
                start = s;
            }
            s[owner] = children;
            c[owner] = n;
            children += n;
            return s[owner];
        }

        int children() { return children; }

        void restoreChildren(int n) { children = n; }

        /** How many children an owner has (0 for owners beyond the arrays: they have none). */
        static int count(int[] count, int owner) {
            return owner < count.length ? count[owner] : 0;
        }
    }
}
