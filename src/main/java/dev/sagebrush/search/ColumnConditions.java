package dev.sagebrush.search;

import java.util.function.Function;
import java.util.function.IntPredicate;

/**
 * Filter conditions on the keyed columns (one per Metrics/HyperParameters/Tags name, see {@link ColumnStore}); a name
 * no job ever had has no column and matches nothing.
 */
final class ColumnConditions {
    private static final int COST = 1;

    private ColumnConditions() {}

    /** Positive text operators: Exists, Equals, In, Contains. */
    static Condition text(String key, FilterOp op, String value) {
        return keyed(key, col -> ColumnTests.text((Columns.TextColumn) col, op, value));
    }

    /** Positive number operators (Exists, Equals, orderings) on a column of doubles. */
    static Condition number(String key, FilterOp op, double x) {
        return keyed(key, col -> ColumnTests.number((Columns.DoubleColumn) col, op, x));
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
            return keyed(numberKey, col -> ColumnTests.integerPart((Columns.DoubleColumn) col, op, x));
        }
        Double d = Values.parseNumber(value);
        return d != null ? number(numberKey, op, d) : text(textKey, FilterOp.EQUALS, value);
    }

    private static Condition keyed(String key, Function<Object, IntPredicate> test) {
        return Condition.of(COST, view -> {
            Object col = view.column(key);
            return col == null ? ColumnTests.NEVER : test.apply(col);
        });
    }
}
