package dev.sagebrush.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A compiled boolean condition. Compiling validates and resolves names once per request; binding to a
 * {@link ColumnStore.View} once per search fetches the columns, dictionary codes and bit sets the condition needs;
 * the resulting {@link Matcher} is then called per slot and does no lookups by name and no parsing.
 */
abstract class Condition {
    /** Tests one slot of the view it was bound to. */
    interface Matcher {
        boolean test(int slot);
    }

    /** A condition evaluated on one element of a list property (NestedFilters), from the record's values. */
    interface OnElement {
        boolean test(JobRecord record, int element);
    }

    /** Relative evaluation cost, so And can test column reads before record walks. */
    abstract int cost();

    abstract Matcher bind(ColumnStore.View view);

    static final Matcher NEVER = slot -> false;

    static Condition of(int cost, Function<ColumnStore.View, Matcher> binder) {
        return new Condition() {
            @Override int cost() { return cost; }
            @Override Matcher bind(ColumnStore.View view) { return binder.apply(view); }
        };
    }

    /** A condition read from the record's objects (pointer chasing: only for what has no column). */
    static Condition onRecord(int cost, Predicate<JobRecord> test) {
        return of(cost, view -> slot -> test.test(view.record(slot)));
    }

    static Condition constant(boolean value) {
        return of(0, view -> slot -> value);
    }

    static Condition not(Condition c) {
        return of(c.cost(), view -> {
            Matcher m = c.bind(view);
            return slot -> !m.test(slot);
        });
    }

    static OnElement not(OnElement c) { return (r, i) -> !c.test(r, i); }

    static Condition and(List<Condition> parts) {
        List<Condition> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparingInt(Condition::cost)); // And commutes: cheapest (and columnar) first
        return combine(sorted, true);
    }

    static Condition or(List<Condition> parts) {
        return combine(parts, false);
    }

    private static Condition combine(List<Condition> parts, boolean and) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        int cost = parts.stream().mapToInt(Condition::cost).max().orElse(0);
        return of(cost, view -> {
            Matcher[] ms = parts.stream().map(c -> c.bind(view)).toArray(Matcher[]::new);
            return and ? slot -> {
                for (Matcher m : ms) {
                    if (!m.test(slot)) {
                        return false;
                    }
                }
                return true;
            } : slot -> {
                for (Matcher m : ms) {
                    if (m.test(slot)) {
                        return true;
                    }
                }
                return false;
            };
        });
    }

    /** NestedFilters: some element of the list {@code axis} satisfies every condition. */
    static Condition someElement(Property axis, List<OnElement> parts) {
        OnElement[] cs = parts.toArray(new OnElement[0]);
        int id = axis.id();
        return onRecord(20, r -> {
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
        });
    }

    /**
     * A test on a catalogue property (or one key of a string-map property), read from the record. As a plain filter
     * it holds if ANY stored value passes (every element of every list on the path); on an element it looks only at
     * that element's values.
     */
    record OnProperty(Property property, String mapKey, Predicate<Object> test) implements OnElement {
        Condition asCondition() {
            return onRecord(property.axis() == null ? 5 : 10, this::test);
        }

        boolean test(JobRecord record) {
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
