package dev.sagebrush.search;

/**
 * The type of a searchable property. The first four are values a filter compares; the rest are containers that
 * only {@code Exists}/{@code NotExists} test, except the dynamic ones, whose {@code <Prefix>.<key>} names resolve to
 * a value (see {@link PropertyCatalogue#resolve}).
 */
enum PropertyType {
    TEXT("text"), NUMBER("number"), TIMESTAMP("timestamp"), BOOLEAN("boolean"),
    STRUCT("struct"), LIST("list"),
    /** A string map such as Environment: {@code Environment.<key>} is a text. */
    MAP("map"),
    /** HyperParameters: strings on the wire, compared as integers, decimals or text depending on the filter Value. */
    HYPERPARAMETERS("hyperparameters"),
    /** Tags: {@code Tags.<key>} is the text value of the tag with that key. */
    TAGS("tags"),
    /** Metrics: {@code Metrics.<name>} is the number from FinalMetricDataList; the bare name means nothing. */
    METRICS("metrics");

    private final String word;

    PropertyType(String word) { this.word = word; }

    String word() { return word; }

    boolean isValue() { return ordinal() <= BOOLEAN.ordinal(); }

    /** Types whose {@code Name.<key>} children are resolved at query time rather than listed in the catalogue. */
    boolean isKeyed() { return this == MAP || this == HYPERPARAMETERS || this == TAGS || this == METRICS; }

    static PropertyType fromWord(String word) {
        for (PropertyType t : values()) {
            if (t.word.equals(word)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown property type " + word);
    }
}
