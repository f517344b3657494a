package dev.sagebrush.search;

import dev.sagebrush.errors.AwsException;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import software.amazon.awssdk.services.sagemaker.model.Filter;

/**
 * Validates one {@link Filter} and binds it to its property and a typed value test.
 *
 * <p>Operator defaults follow the model: a Value without an Operator means Equals; a Name alone (the 2018 API's
 * presence filter) means Exists. Negative operators compile to the negation of their positive twin, so NotEquals
 * also matches records without the property and, on lists, means no element equals.
 */
final class FilterCompiler {
    private final PropertyCatalogue catalogue;

    FilterCompiler(PropertyCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    /** A plain filter: on list properties it holds if any element's value passes. */
    Condition compile(Filter filter, String path) {
        Bound b = bind(filter, path, null);
        return b.negated ? Condition.not(b.condition) : b.condition;
    }

    /** A filter inside NestedFilters: evaluated against one element of {@code axis}. */
    Condition.OnElement compileOnElement(Filter filter, String path, Property axis) {
        Bound b = bind(filter, path, axis);
        return b.negated ? Condition.not(b.onElement) : b.onElement;
    }

    /** The filter's operator after defaults, or null for an unknown operator string (reported by the caller). */
    static FilterOp operatorOf(Filter filter) {
        String op = filter.operatorAsString();
        if (op == null) {
            return filter.value() == null ? FilterOp.EXISTS : FilterOp.EQUALS;
        }
        return FilterOp.fromWire(op);
    }

    /**
     * A filter bound to its property, in positive form: the test on one list element (for NestedFilters, on catalogue
     * properties) and the condition to use as a plain filter.
     */
    private record Bound(Condition.OnElement onElement, Condition condition, boolean negated) {}

    private Bound bind(Filter filter, String path, Property axis) {
        String name = filter.name();
        if (name == null) {
            throw SearchErrors.constraint(null, path + ".name", "not be null");
        }
        FilterOp op = operatorOf(filter);
        if (op == null) {
            throw SearchErrors.constraint(filter.operatorAsString(), path + ".operator",
                    "satisfy enum value set: " + FilterOp.ENUM_SET);
        }
        PropertyCatalogue.Ref ref = catalogue.resolve(name);
        if (ref == null) {
            throw SearchErrors.unknownProperty(name);
        }
        if (axis != null && ref.property().axis() != axis) {
            throw AwsException.validation("Filter name '" + name + "' is not a property of the nested property '"
                    + axis.name() + "'.");
        }
        String value = filter.value();
        if (op.needsValue() && value == null) {
            throw AwsException.validation("Operator '" + op.wire() + "' on property '" + name + "' requires a Value.");
        }
        boolean negated = op == FilterOp.NOT_EQUALS || op == FilterOp.NOT_EXISTS;
        FilterOp positive = op == FilterOp.NOT_EQUALS ? FilterOp.EQUALS : op == FilterOp.NOT_EXISTS ? FilterOp.EXISTS : op;
        Property p = ref.property();
        String key = ref.key();
        if (key == null || p.type() == PropertyType.MAP) {
            PropertyType type = key == null ? p.type() : PropertyType.TEXT;
            valueTest(type, positive, value, name); // validates
            Function<PropertyColumns, IntPredicate> test = entryTest(type, positive, value);
            return new Bound(Condition.onElement(p, key, test), Condition.anyValue(p, key, test), negated);
        }
        switch (p.type()) {
            case TAGS:
                valueTest(PropertyType.TEXT, positive, value, name); // validates
                return new Bound(null, ColumnConditions.text(ColumnStore.tagKey(key), positive, value), negated);
            case METRICS: {
                valueTest(PropertyType.NUMBER, positive, value, name); // validates
                double x = positive == FilterOp.EXISTS ? 0 : Values.parseNumber(value);
                return new Bound(null, ColumnConditions.number(ColumnStore.metricKey(key), positive, x), negated);
            }
            case HYPERPARAMETERS:
                validateHyperParameter(positive, value, name);
                return new Bound(null, ColumnConditions.hyperParameter(key, positive, value), negated);
            default:
                throw new IllegalStateException("not a keyed property: " + p);
        }
    }

    /** The test on a property's entries for a validated positive filter; null means presence (Exists). */
    private static Function<PropertyColumns, IntPredicate> entryTest(PropertyType type, FilterOp op, String value) {
        if (op == FilterOp.EXISTS) {
            return columns -> null;
        }
        switch (type) {
            case TEXT:
                return columns -> ColumnTests.text((Columns.TextColumn) columns.values, op, value);
            case NUMBER: {
                double x = Values.parseNumber(value);
                return columns -> ColumnTests.number((Columns.DoubleColumn) columns.values, op, x);
            }
            case TIMESTAMP: {
                long x = Values.parseTimestamp(value);
                return columns -> ColumnTests.timestamp((Columns.LongColumn) columns.values, op, x);
            }
            case BOOLEAN: {
                boolean b = Boolean.parseBoolean(value.strip());
                return columns -> ColumnTests.flag((Columns.FlagColumn) columns.values, b);
            }
            default:
                throw new IllegalStateException(type.word());
        }
    }

    /** Ordering a hyperparameter needs a numeric Value; text Values support Equals, NotEquals, Contains, In. */
    private static void validateHyperParameter(FilterOp op, String value, String name) {
        if (op.isOrdering() && Values.parseNumber(value) == null) {
            throw AwsException.validation("Operator '" + op.wire() + "' is not supported for the text value '"
                    + value + "' of property '" + name + "'.");
        }
    }

    private static Predicate<Object> valueTest(PropertyType type, FilterOp op, String value, String name) {
        if (op == FilterOp.EXISTS) {
            return ValueTests.PRESENT;
        }
        if (!type.isValue()) {
            throw AwsException.validation("Property '" + name + "' is a " + type.word()
                    + "; only the Exists and NotExists operators apply to it.");
        }
        if (type == PropertyType.TEXT) {
            if (op.isOrdering()) {
                throw AwsException.validation("Operator '" + op.wire() + "' is not supported for text property '"
                        + name + "'.");
            }
            return ValueTests.text(op, value);
        }
        if (op == FilterOp.CONTAINS || op == FilterOp.IN) {
            throw AwsException.validation("Operator '" + op.wire() + "' is only supported for text properties; '"
                    + name + "' is a " + type.word() + " property.");
        }
        switch (type) {
            case NUMBER: {
                Double d = Values.parseNumber(value);
                if (d == null) {
                    throw AwsException.validation("Value '" + value + "' of property '" + name
                            + "' must be an integer or decimal number.");
                }
                return ValueTests.number(op, d);
            }
            case TIMESTAMP: {
                Long millis = Values.parseTimestamp(value);
                if (millis == null) {
                    throw AwsException.validation("Value '" + value + "' of property '" + name
                            + "' must be a timestamp in the format YYYY-mm-ddTHH:MM:SS.");
                }
                return ValueTests.timestamp(op, millis);
            }
            case BOOLEAN: {
                if (op.isOrdering()) {
                    throw AwsException.validation("Operator '" + op.wire() + "' is not supported for boolean property '"
                            + name + "'.");
                }
                String v = value.strip();
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    throw AwsException.validation("Value '" + value + "' of property '" + name
                            + "' must be true or false.");
                }
                return ValueTests.bool(Boolean.parseBoolean(v));
            }
            default:
                throw new IllegalStateException(type.word());
        }
    }
}
