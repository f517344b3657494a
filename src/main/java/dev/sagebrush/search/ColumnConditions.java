package dev.sagebrush.search;

import java.util.BitSet;
import java.util.function.Predicate;

/**
 * Filter conditions read from {@link Columns} (see there for why). Every matcher checks the slot against its
 * column's array length: a column only grows when a record has a value there, so later slots are simply missing.
 */
final class ColumnConditions {
    private static final int COST = 1;

    private ColumnConditions() {}

    /** Positive text operators: Exists, Equals, In, Contains. */
    static Condition text(String key, FilterOp op, String value) {
        return Condition.of(COST, view -> {
            Columns.TextColumn col = (Columns.TextColumn) view.column(key);
            if (col == null) {
                return Condition.NEVER;
            }
            int[] codes = col.codes;
            if (op == FilterOp.EXISTS) {
                return slot -> slot < codes.length && codes[slot] != Columns.MISSING_CODE;
            }
            if (op == FilterOp.EQUALS) {
                int code = col.codeOf(value);
                return code == Columns.MISSING_CODE ? Condition.NEVER : slot -> slot < codes.length && codes[slot] == code;
            }
            // In / Contains: decide once per distinct value, then test membership per record
            Predicate<Object> test = ValueTests.text(op, value);
            int n = col.dictionarySize();
            String[] dictionary = col.dictionary;
            BitSet matching = new BitSet(n);
            for (int i = 0; i < n && i < dictionary.length; i++) {
                if (dictionary[i] != null && test.test(dictionary[i])) {
                    matching.set(i);
                }
            }
            if (matching.isEmpty()) {
                return Condition.NEVER;
            }
            return slot -> {
                if (slot >= codes.length) {
                    return false;
                }
                int c = codes[slot];
                return c >= 0 && matching.get(c);
            };
        });
    }

    /** Positive number operators (Exists, Equals, orderings) on a column of doubles. */
    static Condition number(String key, FilterOp op, double x) {
        return Condition.of(COST, view -> {
            Columns.DoubleColumn col = (Columns.DoubleColumn) view.column(key);
            if (col == null) {
                return Condition.NEVER;
            }
            double[] a = col.values;
            if (op == FilterOp.EXISTS) {
                return slot -> slot < a.length && !Double.isNaN(a[slot]);
            }
            return slot -> {
                if (slot >= a.length) {
                    return false;
                }
                double v = a[slot];
                return !Double.isNaN(v) && op.accepts(Double.compare(v, x));
            };
        });
    }

    /** Positive timestamp operators on a column of epoch milliseconds. */
    static Condition timestamp(String key, FilterOp op, long x) {
        return Condition.of(COST, view -> {
            Columns.LongColumn col = (Columns.LongColumn) view.column(key);
            if (col == null) {
                return Condition.NEVER;
            }
            long[] a = col.values;
            if (op == FilterOp.EXISTS) {
                return slot -> slot < a.length && a[slot] != Columns.MISSING_LONG;
            }
            return slot -> {
                if (slot >= a.length) {
                    return false;
                }
                long v = a[slot];
                return v != Columns.MISSING_LONG && op.accepts(Long.compare(v, x));
            };
        });
    }

    /**
     * HyperParameters (see {@link HyperParameterValue} for the integer/decimal rule). The decimal column holds NaN for
     * non-numeric values, so they never pass a numeric comparison; text operators use the raw-text column.
     */
    static Condition hyperParameter(String name, FilterOp op, String value) {
        String textKey = ColumnStore.hyperParameterTextKey(name);
        if (op == FilterOp.EXISTS || op == FilterOp.CONTAINS || op == FilterOp.IN) {
            return text(textKey, op, value);
        }
        String numberKey = ColumnStore.hyperParameterKey(name);
        if (Values.isInteger(value)) {
            long x = Long.parseLong(value.strip());
            return Condition.of(COST, view -> {
                Columns.DoubleColumn col = (Columns.DoubleColumn) view.column(numberKey);
                if (col == null) {
                    return Condition.NEVER;
                }
                double[] a = col.values;
                return slot -> {
                    if (slot >= a.length) {
                        return false;
                    }
                    double v = a[slot];
                    return !Double.isNaN(v) && op.accepts(Long.compare((long) v, x));
                };
            });
        }
        Double d = Values.parseNumber(value);
        return d != null ? number(numberKey, op, d) : text(textKey, FilterOp.EQUALS, value);
    }
}
