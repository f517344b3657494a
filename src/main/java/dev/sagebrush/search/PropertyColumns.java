package dev.sagebrush.search;

import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The columns of one catalogue property (see {@link Columns} for why columns). Where its values live depends on the
 * property's place in the record:
 * <ul>
 *   <li>its <em>owners</em> are index slots when no list is on its path, else the elements of its {@link
 *   Property#axis()} (e.g. every channel of every job for {@code InputDataConfig.ChannelName});</li>
 *   <li>an axis keeps {@link #elements}: slot to its run of elements;</li>
 *   <li>a value (text, number, timestamp, boolean) is one entry per owner, or, for a list below the axis
 *   ({@link Property#multi()}), a run of entries per owner;</li>
 *   <li>a structure (and a nested list, and the bare HyperParameters/Tags names) is a presence flag per owner;</li>
 *   <li>a string map (Environment, RuleParameters) is a run of (key, value) entries per owner, both dictionary
 *   coded.</li>
 * </ul>
 * One writer fills it through {@link #store}; readers bind tests to it per search.
 */
final class PropertyColumns {
    final Property property;
    /** For an axis: the slot's elements. */
    final Columns.Runs elements;
    /** For multi values and maps: owner to its entries. */
    final Columns.Runs runs;
    /** TextColumn, DoubleColumn, LongColumn or FlagColumn, over owners or run entries; null for a list of structures. */
    final Object values;
    /** For maps: the entries' keys (their values are in {@link #values}). */
    final Columns.TextColumn keys;

    PropertyColumns(Property p) {
        this.property = p;
        this.elements = p.axis() == p ? new Columns.Runs() : null;
        PropertyType t = p.type();
        this.runs = t == PropertyType.MAP || t.isValue() && p.multi() ? new Columns.Runs() : null;
        this.keys = t == PropertyType.MAP ? new Columns.TextColumn() : null;
        this.values = switch (t) {
            case TEXT, MAP -> new Columns.TextColumn();
            case NUMBER -> new Columns.DoubleColumn();
            case TIMESTAMP -> new Columns.LongColumn();
            case LIST -> p.axis() == p ? null : new Columns.FlagColumn();
            default -> new Columns.FlagColumn(); // boolean values; presence of structures and containers
        };
    }

    /** Writes one owner's value in the extracted form ({@link JobRecord}); a multi value is an Object[]. Writer only. */
    void store(int owner, Object v) {
        if (runs == null) {
            storeOne(owner, v);
            return;
        }
        Object[] items = property.multi() ? (Object[]) v : new Object[] {v};
        if (keys != null) {
            int n = 0;
            for (Object m : items) n += ((Map<?, ?>) m).size();
            int at = runs.add(owner, n);
            for (Object m : items) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) m).entrySet()) {
                    keys.set(at, (String) e.getKey());
                    ((Columns.TextColumn) values).set(at++, (String) e.getValue());
                }
            }
            return;
        }
        int at = runs.add(owner, items.length);
        for (Object item : items) storeOne(at++, item);
    }

    private void storeOne(int index, Object v) {
        switch (property.type()) {
            case TEXT -> ((Columns.TextColumn) values).set(index, (String) v);
            case NUMBER -> ((Columns.DoubleColumn) values).set(index, (Double) v);
            case TIMESTAMP -> ((Columns.LongColumn) values).set(index, (Long) v);
            case BOOLEAN -> ((Columns.FlagColumn) values).set(index, (Boolean) v ? Columns.TRUE : Columns.FALSE);
            case LIST -> {
                if (values != null) ((Columns.FlagColumn) values).set(index, Columns.TRUE);
            }
            default -> ((Columns.FlagColumn) values).set(index, Columns.TRUE);
        }
    }

    /**
     * A test per owner: whether some entry of the owner passes {@code test} (a test on entry indexes, from {@link
     * ColumnTests}); for a map, only entries with key {@code mapKey} are tested. Null {@code test} means presence.
     * Bind once per search: the arrays read are those current now, which hold every owner of the caller's view.
     */
    IntPredicate owners(IntPredicate test, String mapKey) {
        if (values == null) {
            return owner -> true; // an element of a list of structures: it exists
        }
        IntPredicate entry = test != null ? test : ColumnTests.present(values);
        if (runs == null) {
            return entry;
        }
        if (keys != null && mapKey != null) {
            int key = keys.codeOf(mapKey);
            if (key == Columns.MISSING_CODE) return owner -> false;
            int[] k = keys.codes;
            IntPredicate inner = entry;
            entry = i -> i < k.length && k[i] == key && inner.test(i);
        }
        int[] start = runs.start;
        int[] count = runs.count;
        IntPredicate any = entry;
        return owner -> {
            int n = Columns.Runs.count(count, owner);
            if (n == 0) return false;
            for (int i = start[owner], end = i + n; i < end; i++) {
                if (any.test(i)) return true;
            }
            return false;
        };
    }

    /** Boxed entry value for sorting: String, Double, Long or Boolean; null when absent. */
    Object boxed(int index) {
        if (values instanceof Columns.TextColumn t) {
            int[] c = t.codes;
            return index < c.length && c[index] >= 0 ? t.value(c[index]) : null;
        }
        if (values instanceof Columns.DoubleColumn d) {
            double[] a = d.values;
            return index < a.length && !Double.isNaN(a[index]) ? (Object) a[index] : null;
        }
        if (values instanceof Columns.LongColumn l) {
            long[] a = l.values;
            return index < a.length && a[index] != Columns.MISSING_LONG ? (Object) a[index] : null;
        }
        byte[] f = ((Columns.FlagColumn) values).values;
        return index < f.length && f[index] != Columns.ABSENT ? (Object) (f[index] == Columns.TRUE) : null;
    }

    /**
     * The smallest (ascending) or largest value among an owner's entries (for a map, those with key {@code mapKey}),
     * folded into {@code best}; how a sort by a list or map value reads it.
     */
    Object extreme(int owner, String mapKey, boolean ascending, Object best) {
        if (runs == null) {
            return better(boxed(owner), best, ascending);
        }
        int[] count = runs.count;
        int n = Columns.Runs.count(count, owner);
        if (n == 0) return best;
        int first = runs.start[owner];
        int key = keys == null ? 0 : keys.codeOf(mapKey);
        for (int i = first; i < first + n; i++) {
            if (keys == null || key != Columns.MISSING_CODE && keys.codes[i] == key) {
                best = better(boxed(i), best, ascending);
            }
        }
        return best;
    }

    private static Object better(Object v, Object best, boolean ascending) {
        return v != null && (best == null || (SortSpec.compareValues(v, best) < 0) == ascending) ? v : best;
    }
}
