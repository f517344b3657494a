package dev.sagebrush.search;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A compiled boolean condition over one record. The implementations are the whole evaluator: a tree of And/Or/Not
 * over leaf conditions, each bound at compile time to its property and a typed value test, so evaluation does no
 * lookups by name and no parsing.
 */
interface Condition {
    boolean test(JobRecord record);

    /** A condition evaluated on one element of a list property (NestedFilters). */
    interface OnElement {
        boolean test(JobRecord record, int element);
    }

    static Condition not(Condition c) { return r -> !c.test(r); }

    static OnElement not(OnElement c) { return (r, i) -> !c.test(r, i); }

    static Condition and(List<Condition> parts) {
        Condition[] cs = parts.toArray(new Condition[0]);
        if (cs.length == 1) {
            return cs[0];
        }
        return r -> {
            for (Condition c : cs) {
                if (!c.test(r)) {
                    return false;
                }
            }
            return true;
        };
    }

    static Condition or(List<Condition> parts) {
        Condition[] cs = parts.toArray(new Condition[0]);
        if (cs.length == 1) {
            return cs[0];
        }
        return r -> {
            for (Condition c : cs) {
                if (c.test(r)) {
                    return true;
                }
            }
            return false;
        };
    }

    /** NestedFilters: some element of the list {@code axis} satisfies every condition. */
    static Condition someElement(Property axis, List<OnElement> parts) {
        OnElement[] cs = parts.toArray(new OnElement[0]);
        int id = axis.id();
        return r -> {
            Object marks = r.value(id);
            if (marks == null) {
                return false;
            }
            int n = ((Object[]) marks).length;
            next:
            for (int i = 0; i < n; i++) {
                for (OnElement c : cs) {
                    if (!c.test(r, i)) {
                        continue next;
                    }
                }
                return true;
            }
            return false;
        };
    }

    /**
     * A test on a catalogue property (or one key of a string-map property). As a plain filter it holds if ANY stored
     * value passes (every element of every list on the path); on an element it looks only at that element's values.
     */
    record OnProperty(Property property, String mapKey, Predicate<Object> test) implements Condition, OnElement {
        @Override
        public boolean test(JobRecord record) {
            Object v = record.value(property.id());
            if (v == null) {
                return false;
            }
            if (property.axis() == null) {
                return matches(v);
            }
            for (Object entry : (Object[]) v) {
                if (matches(entry)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean test(JobRecord record, int element) {
            Object v = record.value(property.id());
            if (v == null) {
                return false;
            }
            Object[] entries = (Object[]) v;
            return element < entries.length && matches(entries[element]);
        }

        private boolean matches(Object entry) {
            if (entry == null) {
                return false;
            }
            if (property.multi()) {
                for (Object value : (Object[]) entry) {
                    if (matchesOne(value)) {
                        return true;
                    }
                }
                return false;
            }
            return matchesOne(entry);
        }

        private boolean matchesOne(Object value) {
            if (value == null) {
                return false;
            }
            if (mapKey != null) {
                value = ((Map<?, ?>) value).get(mapKey);
                return value != null && test.test(value);
            }
            return test.test(value);
        }
    }
}
