package dev.sagebrush.search;

/**
 * A hyperparameter as indexed: the raw string plus, when it is numeric, its decimal value and its integer part.
 * The model says a decimal filter Value compares hyperparameters as decimals and an integer Value compares them "as
 * integers"; we read that as truncation toward zero (what a cast to long does), so {@code max_depth = 7.9} is
 * {@code < 8} and {@code Equals 7}. Parsing happens once here instead of on every search.
 */
record HyperParameterValue(String raw, boolean numeric, double decimal, long integer) {
    static HyperParameterValue of(String raw) {
        Double d = Values.parseNumber(raw);
        if (d == null) {
            return new HyperParameterValue(raw, false, Double.NaN, 0L);
        }
        return new HyperParameterValue(raw, true, d, (long) d.doubleValue());
    }
}
