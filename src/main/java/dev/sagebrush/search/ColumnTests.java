package dev.sagebrush.search;

import java.util.BitSet;
import java.util.function.IntPredicate;

/**
 * Value tests on one column, as predicates on the column's indexes (slots or elements), for the positive operators
 * (negations are the negation of a whole condition: see {@link FilterCompiler}). Built once per search from the
 * column's current arrays; an index beyond an array has no value there (columns grow only when a value is stored).
 */
final class ColumnTests {
    static final IntPredicate NEVER = i -> false;

    private ColumnTests() {}

    /** The index holds a value (for flags: a boolean, or a present structure). */
    static IntPredicate present(Object column) {
        if (column instanceof Columns.TextColumn t) {
            int[] c = t.codes;
            return i -> i < c.length && c[i] != Columns.MISSING_CODE;
        }
        if (column instanceof Columns.DoubleColumn d) {
            double[] a = d.values;
            return i -> i < a.length && !Double.isNaN(a[i]);
        }
        if (column instanceof Columns.LongColumn l) {
            long[] a = l.values;
            return i -> i < a.length && a[i] != Columns.MISSING_LONG;
        }
        byte[] f = ((Columns.FlagColumn) column).values;
        return i -> i < f.length && f[i] != Columns.ABSENT;
    }

    /** Exists, Equals, In, Contains on dictionary codes: In and Contains decide once per distinct value. */
    static IntPredicate text(Columns.TextColumn col, FilterOp op, String value) {
        int[] codes = col.codes;
        if (op == FilterOp.EXISTS) {
            return present(col);
        }
        if (op == FilterOp.EQUALS) {
            int code = col.codeOf(value);
            return code == Columns.MISSING_CODE ? NEVER : i -> i < codes.length && codes[i] == code;
        }
        java.util.function.Predicate<Object> test = ValueTests.text(op, value);
        int n = col.dictionary.size();
        BitSet matching = new BitSet(n);
        for (int c = 0; c < n; c++) {
            if (test.test(col.value(c))) {
                matching.set(c);
            }
        }
        if (matching.isEmpty()) {
            return NEVER;
        }
        return i -> {
            if (i >= codes.length) return false;
            int c = codes[i];
            return c >= 0 && matching.get(c);
        };
    }

    /** Exists, Equals and the orderings on doubles. */
    static IntPredicate number(Columns.DoubleColumn col, FilterOp op, double x) {
        double[] a = col.values;
        if (op == FilterOp.EXISTS) {
            return present(col);
        }
        return i -> {
            if (i >= a.length) return false;
            double v = a[i];
            return !Double.isNaN(v) && op.accepts(Double.compare(v, x));
        };
    }

    /** Hyperparameters against an integer Value: the integer part of the decimal (see {@link HyperParameterValue}). */
    static IntPredicate integerPart(Columns.DoubleColumn col, FilterOp op, long x) {
        double[] a = col.values;
        return i -> {
            if (i >= a.length) return false;
            double v = a[i];
            return !Double.isNaN(v) && op.accepts(Long.compare((long) v, x));
        };
    }

    /** Exists, Equals and the orderings on epoch milliseconds. */
    static IntPredicate timestamp(Columns.LongColumn col, FilterOp op, long x) {
        long[] a = col.values;
        if (op == FilterOp.EXISTS) {
            return present(col);
        }
        return i -> {
            if (i >= a.length) return false;
            long v = a[i];
            return v != Columns.MISSING_LONG && op.accepts(Long.compare(v, x));
        };
    }

    /** Equals on a boolean. */
    static IntPredicate flag(Columns.FlagColumn col, boolean value) {
        byte[] f = col.values;
        byte want = value ? Columns.TRUE : Columns.FALSE;
        return i -> i < f.length && f[i] == want;
    }
}
