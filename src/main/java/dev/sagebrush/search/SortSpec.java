package dev.sagebrush.search;

import dev.sagebrush.errors.AwsException;
import java.util.Map;
import java.util.function.Function;

/**
 * The result order: SortBy (default LastModifiedTime), SortOrder (default Descending), then TrainingJobArn ascending
 * as a unique tie-breaker so the order is total and page tokens can name a position in it.
 *
 * <p>Records without a sort value come last in both directions (Elasticsearch's default, which SageMaker Search is
 * built on): a user sorting by {@code Metrics.auc} wants scored jobs first either way. A list-valued property sorts
 * by its smallest value ascending and its largest descending (again Elasticsearch's default). HyperParameters sort
 * numerically where numeric; numeric values order before text ones (in the ascending direction).
 */
final class SortSpec {
    static final String DEFAULT_SORT_BY = "LastModifiedTime";

    private final String sortBy;
    private final boolean ascending;
    private final Function<ColumnStore.View, KeyReader> key;

    /** Reads the sort value of a slot in the view it was bound to (null when the record has none). */
    interface KeyReader {
        Object key(int slot);
    }

    private SortSpec(String sortBy, boolean ascending, Function<ColumnStore.View, KeyReader> key) {
        this.sortBy = sortBy;
        this.ascending = ascending;
        this.key = key;
    }

    String sortBy() { return sortBy; }
    boolean ascending() { return ascending; }

    static SortSpec compile(PropertyCatalogue catalogue, String sortBy, String sortOrder) {
        boolean ascending;
        if (sortOrder == null || sortOrder.equals("Descending")) {
            ascending = false;
        } else if (sortOrder.equals("Ascending")) {
            ascending = true;
        } else {
            throw SearchErrors.constraint(sortOrder, "sortOrder", "satisfy enum value set: [Ascending, Descending]");
        }
        String name = sortBy == null ? DEFAULT_SORT_BY : sortBy;
        if (name.isEmpty() || name.length() > 255) {
            throw SearchErrors.constraint(name, "sortBy", name.isEmpty()
                    ? "have length greater than or equal to 1" : "have length less than or equal to 255");
        }
        PropertyCatalogue.Ref ref = catalogue.resolve(name);
        if (ref == null) {
            throw SearchErrors.unknownProperty(name);
        }
        return new SortSpec(name, ascending, keyFunction(ref, ascending, name));
    }

    private static Function<ColumnStore.View, KeyReader> keyFunction(PropertyCatalogue.Ref ref, boolean ascending,
                                                                    String name) {
        Property p = ref.property();
        String k = ref.key();
        if (k == null) {
            if (!p.type().isValue()) {
                throw AwsException.validation("Cannot sort by '" + name + "': it is a " + p.type().word()
                        + ", not a text, number, timestamp or boolean property.");
            }
            if (ColumnStore.hasColumn(p)) {
                return view -> columnKey(view.property(p).values);
            }
            return view -> extremeKey(view, p, null, ascending);
        }
        switch (p.type()) {
            case METRICS:
                return keyedColumn(ColumnStore.metricKey(k));
            case TAGS:
                return keyedColumn(ColumnStore.tagKey(k));
            case HYPERPARAMETERS: {
                Function<ColumnStore.View, KeyReader> number = keyedColumn(ColumnStore.hyperParameterKey(k));
                Function<ColumnStore.View, KeyReader> text = keyedColumn(ColumnStore.hyperParameterTextKey(k));
                return view -> {
                    KeyReader n = number.apply(view);
                    KeyReader t = text.apply(view);
                    return slot -> {
                        Object v = n.key(slot);
                        return v != null ? v : t.key(slot);
                    };
                };
            }
            case MAP:
                return view -> extremeKey(view, p, k, ascending);
            default:
                throw new IllegalStateException(p.toString());
        }
    }

    private static Function<ColumnStore.View, KeyReader> keyedColumn(String key) {
        return view -> columnKey(view.column(key));
    }

    /** Sort values straight from a per-slot column: boxed only for records that match. */
    private static KeyReader columnKey(Object column) {
        if (column instanceof Columns.LongColumn) {
            long[] a = ((Columns.LongColumn) column).values;
            return slot -> slot < a.length && a[slot] != Columns.MISSING_LONG ? (Object) a[slot] : null;
        }
        if (column instanceof Columns.DoubleColumn) {
            double[] a = ((Columns.DoubleColumn) column).values;
            return slot -> slot < a.length && !Double.isNaN(a[slot]) ? (Object) a[slot] : null;
        }
        if (column instanceof Columns.TextColumn) {
            Columns.TextColumn text = (Columns.TextColumn) column;
            int[] codes = text.codes;
            return slot -> slot < codes.length && codes[slot] >= 0 ? text.value(codes[slot]) : null;
        }
        return slot -> null;
    }

    /**
     * Smallest (ascending) or largest (descending) value of a property over all its entries (every element of its
     * list, every value of a list inside it, the map key's values); null if none.
     */
    private static KeyReader extremeKey(ColumnStore.View view, Property p, String mapKey, boolean ascending) {
        PropertyColumns columns = view.property(p);
        Property axis = p.axis();
        if (axis == null) {
            return slot -> columns.extreme(slot, mapKey, ascending, null);
        }
        Columns.Runs elements = view.property(axis).elements;
        int[] start = elements.start;
        int[] count = elements.count;
        return slot -> {
            Object best = null;
            int n = Columns.Runs.count(count, slot);
            for (int e = n == 0 ? 0 : start[slot], end = e + n; e < end; e++) {
                best = columns.extreme(e, mapKey, ascending, best);
            }
            return best;
        };
    }

    KeyReader bind(ColumnStore.View view) { return key.apply(view); }

    /** Order of two sort values alone (missing last, then the direction); 0 leaves it to the ARN. */
    int compareKeys(Object ka, Object kb) {
        if (ka == null || kb == null) {
            return ka == kb ? 0 : ka == null ? 1 : -1; // missing values last, whatever the direction
        }
        int c = compareValues(ka, kb);
        return ascending ? c : -c;
    }

    /** Negative when (ka, arnA) comes before (kb, arnB) in the result order. */
    int compare(Object ka, String arnA, Object kb, String arnB) {
        int c = compareKeys(ka, kb);
        return c != 0 ? c : arnA.compareTo(arnB);
    }

    static int compareValues(Object a, Object b) {
        if (a instanceof Double && b instanceof Double) {
            return Double.compare((Double) a, (Double) b);
        }
        if (a instanceof Long && b instanceof Long) {
            return Long.compare((Long) a, (Long) b);
        }
        if (a instanceof String && b instanceof String) {
            return ((String) a).compareTo((String) b);
        }
        if (a instanceof Boolean && b instanceof Boolean) {
            return Boolean.compare((Boolean) a, (Boolean) b);
        }
        return Integer.compare(rank(a), rank(b));
    }

    private static int rank(Object v) {
        return v instanceof Number ? 0 : v instanceof Boolean ? 1 : 2;
    }
}
