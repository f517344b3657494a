package dev.sagebrush.search;

import dev.sagebrush.errors.AwsException;

/** Validation messages shared by the compilers, worded like SageMaker's own (see the reference, section 6.8). */
final class SearchErrors {
    private SearchErrors() {}

    /** The framework's constraint message: {@code 1 validation error detected: Value 'x' at 'path' failed ...}. */
    static AwsException constraint(Object value, String path, String rule) {
        String shown = value == null ? "null" : "'" + value + "'";
        return AwsException.validation("1 validation error detected: Value " + shown + " at '" + path
                + "' failed to satisfy constraint: Member must " + rule);
    }

    /** A list-length violation; the list itself is not printed (it can be 21 whole filters). */
    static AwsException listLength(int size, String path, int min, int max) {
        String rule = size < min ? "have length greater than or equal to " + min
                : "have length less than or equal to " + max;
        return AwsException.validation("1 validation error detected: Value with " + size + " items at '" + path
                + "' failed to satisfy constraint: Member must " + rule);
    }

    /** Same wording as moto's emulator, which clients' tests already match on. */
    static AwsException unknownProperty(String name) {
        return AwsException.validation("Unknown property name: " + name);
    }
}
