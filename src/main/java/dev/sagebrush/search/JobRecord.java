package dev.sagebrush.search;

import java.util.Arrays;
import java.util.Map;

/**
 * One training job as extracted from its document, on its way into the index: the wire document as compact UTF-8
 * JSON bytes plus its values parsed once. Transient: {@link ColumnStore#append} writes it into columns and keeps only
 * the (compressed) document, so the index holds no object graph per job.
 *
 * <p>Values are stored sparsely by {@link Property#id()} (a record fills ~30 of ~150 properties): {@code ids} is
 * sorted and {@code values} parallel to it. A value is a String, Double (number), Long (timestamp, epoch ms), Boolean,
 * {@code Map<String,String>} (string map) or {@link Boolean#TRUE} (a present structure or list element). A property
 * below a list (its {@link Property#axis()}) holds an {@code Object[]} with one entry per axis element (null where the
 * element lacks it); a {@link Property#multi()} property's entries are themselves {@code Object[]} of values.
 *
 * <p>Immutable after construction: readers may see it through a data race and still observe every field (final
 * field semantics).
 */
final class JobRecord {
    private final String arn;
    private final byte[] document;
    private final short[] ids;
    private final Object[] values;
    private final Map<String, Double> metrics;
    private final Map<String, HyperParameterValue> hyperParameters;
    private final Map<String, String> tags;

    JobRecord(String arn, byte[] document, short[] ids, Object[] values, Map<String, Double> metrics,
              Map<String, HyperParameterValue> hyperParameters, Map<String, String> tags) {
        this.arn = arn;
        this.document = document;
        this.ids = ids;
        this.values = values;
        this.metrics = metrics;
        this.hyperParameters = hyperParameters;
        this.tags = tags;
    }

    String arn() { return arn; }
    /** The TrainingJob wire document; shared, never modify it. */
    byte[] document() { return document; }
    Map<String, Double> metrics() { return metrics; }
    Map<String, HyperParameterValue> hyperParameters() { return hyperParameters; }
    Map<String, String> tags() { return tags; }

    /** The stored value of a catalogue property (see class comment for its shape), or null when absent. */
    Object value(int propertyId) {
        int i = Arrays.binarySearch(ids, (short) propertyId);
        return i < 0 ? null : values[i];
    }
}
