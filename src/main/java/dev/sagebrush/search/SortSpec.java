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
                return columnKey(ColumnStore.propertyKey(p));
            }
            return view -> slot -> extreme(view.record(slot).value(p.id()), null, ascending);
        }
        switch (p.type()) {
            case METRICS:
                return columnKey(ColumnStore.metricKey(k));
            case TAGS:
                return columnKey(ColumnStore.tagKey(k));
            case HYPERPARAMETERS: {
                Function<ColumnStore.View, KeyReader> number = columnKey(ColumnStore.hyperParameterKey(k));
                Function<ColumnStore.View, KeyReader> text = columnKey(ColumnStore.hyperParameterTextKey(k));
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
                return view -> slot -> extreme(view.record(slot).value(p.id()), k, ascending);
            default:
                throw new IllegalStateException(p.toString());
        }
    }

    /** Sort values straight from a column: boxed only for records that match. */
    private static Function<ColumnStore.View, KeyReader> columnKey(String columnKey) {
        return view -> {
            Object column = view.column(columnKey);
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
                String[] dictionary = text.dictionary;
                return slot -> slot < codes.length && codes[slot] >= 0 ? dictionary[codes[slot]] : null;
            }
            return slot -> null;
        };
    }

    /** Smallest (ascending) or largest (descending) value among nested arrays / per-element maps; null if none. */
    private static Object extreme(Object stored, String mapKey, boolean ascending) {
        if (stored == null) {
            return null;
        }
        if (stored instanceof Object[]) {
            Object best = null;
            for (Object entry : (Object[]) stored) {
                Object v = extreme(entry, mapKey, ascending);
                if (v != null && (best == null || (compareValues(v, best) < 0) == ascending)) {
                    best = v;
                }
            }
            return best;
        }
        if (mapKey != null) {
            return stored instanceof Map ? ((Map<?, ?>) stored).get(mapKey) : null;
        }
        return stored;
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
