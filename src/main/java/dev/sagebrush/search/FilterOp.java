package dev.sagebrush.search;

/** The Filter operators of the model, with how each compares. */
enum FilterOp {
    EQUALS("Equals"), NOT_EQUALS("NotEquals"),
    GREATER_THAN("GreaterThan"), GREATER_THAN_OR_EQUAL_TO("GreaterThanOrEqualTo"),
    LESS_THAN("LessThan"), LESS_THAN_OR_EQUAL_TO("LessThanOrEqualTo"),
    CONTAINS("Contains"), EXISTS("Exists"), NOT_EXISTS("NotExists"), IN("In");

    static final String ENUM_SET =
            "[Equals, NotEquals, GreaterThan, GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo, Contains, Exists,"
                    + " NotExists, In]";

    private final String wire;

    FilterOp(String wire) { this.wire = wire; }

    String wire() { return wire; }

    static FilterOp fromWire(String wire) {
        for (FilterOp op : values()) {
            if (op.wire.equals(wire)) {
                return op;
            }
        }
        return null;
    }

    boolean isOrdering() {
        return this == GREATER_THAN || this == GREATER_THAN_OR_EQUAL_TO || this == LESS_THAN
                || this == LESS_THAN_OR_EQUAL_TO;
    }

    boolean needsValue() { return this != EXISTS && this != NOT_EXISTS; }

    /** Whether a comparison result {@code c} (value compared to the filter's Value) satisfies this operator. */
    boolean accepts(int c) {
        switch (this) {
            case EQUALS: return c == 0;
            case GREATER_THAN: return c > 0;
            case GREATER_THAN_OR_EQUAL_TO: return c >= 0;
            case LESS_THAN: return c < 0;
            case LESS_THAN_OR_EQUAL_TO: return c <= 0;
            default: throw new IllegalStateException(wire + " is not a comparison");
        }
    }
}
