package dev.sagebrush.search;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Typed value tests for one operator and one parsed filter Value. Negative operators (NotEquals, NotExists) are not
 * here: they are the negation of the whole positive condition (see {@link FilterCompiler}), so that "no element
 * equals" and "property absent" both satisfy NotEquals, the complement of Equals.
 */
final class ValueTests {
    private ValueTests() {}

    static final Predicate<Object> PRESENT = v -> true;

    /**
     * Text: Equals is exact and case-sensitive; Contains is a case-sensitive substring test (the model says the
     * value "contains the string Value"; nothing documents case folding, and Equals is exact too); In is exact
     * membership in the comma-separated list, each item trimmed of surrounding blanks.
     */
    static Predicate<Object> text(FilterOp op, String value) {
        switch (op) {
            case EQUALS:
                return v -> value.equals(v);
            case CONTAINS:
                return v -> ((String) v).contains(value);
            case IN:
                Set<String> set = inList(value);
                return set::contains;
            default:
                throw new IllegalStateException(op.wire());
        }
    }

    static Set<String> inList(String value) {
        Set<String> set = new HashSet<>();
        Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(set::add);
        return set;
    }

    static Predicate<Object> number(FilterOp op, double value) {
        return v -> op.accepts(Double.compare((Double) v, value));
    }

    static Predicate<Object> timestamp(FilterOp op, long millis) {
        return v -> op.accepts(Long.compare((Long) v, millis));
    }

    static Predicate<Object> bool(boolean value) {
        return v -> ((Boolean) v) == value;
    }
}
