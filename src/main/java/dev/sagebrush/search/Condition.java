package dev.sagebrush.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntPredicate;

/**
 * A compiled boolean condition. Compiling validates and resolves names once per request; binding to a
 * {@link ColumnStore.View} once per search fetches the columns, dictionary codes and bit sets the condition needs;
 * the resulting predicate is then called per slot and does no lookups by name and no parsing.
 */
abstract class Condition {
    /** A condition on one element of a list property (NestedFilters): bound to a view, it tests element indexes. */
    interface OnElement {
        IntPredicate bind(ColumnStore.View view);
    }

    /** Relative evaluation cost, so And can test single columns before runs over list elements. */
    abstract int cost();

    /** A predicate on the view's slots. */
    abstract IntPredicate bind(ColumnStore.View view);

    static Condition of(int cost, Function<ColumnStore.View, IntPredicate> binder) {
        return new Condition() {
            @Override int cost() { return cost; }
            @Override IntPredicate bind(ColumnStore.View view) { return binder.apply(view); }
        };
    }

    static Condition constant(boolean value) {
        return of(0, view -> slot -> value);
    }

    static Condition not(Condition c) {
        return of(c.cost(), view -> c.bind(view).negate());
    }

    static OnElement not(OnElement c) { return view -> c.bind(view).negate(); }

    static Condition and(List<Condition> parts) {
        List<Condition> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparingInt(Condition::cost)); // And commutes: cheapest first
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
            IntPredicate[] ms = parts.stream().map(c -> c.bind(view)).toArray(IntPredicate[]::new);
            if (ms.length == 2) { // the common shapes, without the loop
                IntPredicate a = ms[0];
                IntPredicate b = ms[1];
                return and ? slot -> a.test(slot) && b.test(slot) : slot -> a.test(slot) || b.test(slot);
            }
            return and ? slot -> {
                for (IntPredicate m : ms) {
                    if (!m.test(slot)) {
                        return false;
                    }
                }
                return true;
            } : slot -> {
                for (IntPredicate m : ms) {
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
        return of(10, view -> {
            Columns.Runs elements = view.property(axis).elements;
            int[] start = elements.start;
            int[] count = elements.count;
            IntPredicate[] cs = parts.stream().map(p -> p.bind(view)).toArray(IntPredicate[]::new);
            return slot -> {
                int n = Columns.Runs.count(count, slot);
                if (n == 0) {
                    return false;
                }
                next:
                for (int e = start[slot], end = e + n; e < end; e++) {
                    for (IntPredicate c : cs) {
                        if (!c.test(e)) {
                            continue next;
                        }
                    }
                    return true;
                }
                return false;
            };
        });
    }

    /**
     * A filter on a catalogue property (or one key of a string-map property) as a plain filter: it holds if ANY
     * stored value passes, on every element of the property's list if it is below one. {@code test} builds the
     * value test on the property's column for a view (null: presence).
     */
    static Condition anyValue(Property p, String mapKey, Function<PropertyColumns, IntPredicate> test) {
        Property axis = p.axis();
        return of(axis == null ? 2 : 5, view -> {
            PropertyColumns columns = view.property(p);
            IntPredicate owners = columns.owners(test.apply(columns), mapKey);
            if (axis == null) {
                return owners;
            }
            Columns.Runs elements = view.property(axis).elements;
            int[] start = elements.start;
            int[] count = elements.count;
            return slot -> {
                int n = Columns.Runs.count(count, slot);
                if (n == 0) return false;
                for (int e = start[slot], end = e + n; e < end; e++) {
                    if (owners.test(e)) return true;
                }
                return false;
            };
        });
    }

    /** The same filter inside NestedFilters: the value test on one element of the property's axis. */
    static OnElement onElement(Property p, String mapKey, Function<PropertyColumns, IntPredicate> test) {
        return view -> {
            PropertyColumns columns = view.property(p);
            return columns.owners(test.apply(columns), mapKey);
        };
    }
}
