package dev.sagebrush.validation;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks of one string or number against its spec, and the rule texts AWS prints. The order is AWS's: length before
 * pattern, so a value over its length limit is reported for both when it also breaks the pattern.
 */
final class ScalarChecks {
    private ScalarChecks() {
    }

    /** Texts of the rules {@code value} breaks, in AWS's order; empty when it satisfies all of them. */
    static List<String> failures(MemberSpec spec, Object value) {
        List<String> failed = new ArrayList<>(2);
        if (value instanceof String s) {
            // Smithy lengths count code points; the UTF-16 length is an upper bound, so skip the count when it can't fail.
            long length = spec.min == null && (spec.max == null || s.length() <= spec.max)
                    ? s.length() : s.codePointCount(0, s.length());
            boolean lengthOk = true;
            if (spec.max != null && length > spec.max) {
                failed.add(maxLength(spec.max));
                lengthOk = false;
            }
            if (spec.min != null && length < spec.min) {
                failed.add(minLength(spec.min));
                lengthOk = false;
            }
            // RE2/J patterns run in linear time on any value, as AWS also reports the pattern for an over-long value.
            // A backtracking fallback pattern only runs on values within the length limit (bounded cost).
            if (spec.pattern != null && (lengthOk || !spec.pattern.backtracking) && !spec.pattern.matches(s)) {
                failed.add(pattern(spec));
            }
            if (spec.enumValues != null && !spec.enumValues.contains(s)) {
                failed.add(enumSet(spec));
            }
        } else if (value instanceof Number n) {
            long v = n.longValue();
            if (spec.max != null && v > spec.max) {
                failed.add("Member must have value less than or equal to " + spec.max);
            }
            if (spec.min != null && v < spec.min) {
                failed.add("Member must have value greater than or equal to " + spec.min);
            }
        }
        return failed;
    }

    /** Texts of the size rules a list or map of {@code size} entries breaks. */
    static List<String> sizeFailures(MemberSpec spec, int size) {
        List<String> failed = new ArrayList<>(1);
        if (spec.max != null && size > spec.max) {
            failed.add(maxLength(spec.max));
        }
        if (spec.min != null && size < spec.min) {
            failed.add(minLength(spec.min));
        }
        return failed;
    }

    /**
     * All of an element's rules in brackets, as AWS lists them for a collection: {@code [Member must have length less
     * than or equal to 32, Member must have length greater than or equal to 0, Member must satisfy regular expression
     * pattern: ^[-0-9a-zA-Z]+$]} (maximum before minimum, as in every AWS message of this form we have seen).
     * Some AWS services append {@code Member must not be null} inside the brackets and others do not; the element
     * shapes here are not declared required, so it is left out.
     */
    static String describe(MemberSpec spec) {
        List<String> rules = new ArrayList<>(4);
        boolean numeric = spec.type == MemberSpec.Type.INTEGER || spec.type == MemberSpec.Type.LONG;
        if (spec.max != null) {
            rules.add(numeric ? "Member must have value less than or equal to " + spec.max : maxLength(spec.max));
        }
        if (spec.min != null) {
            rules.add(numeric ? "Member must have value greater than or equal to " + spec.min : minLength(spec.min));
        }
        if (spec.pattern != null) {
            rules.add(pattern(spec));
        }
        if (spec.enumValues != null) {
            rules.add(enumSet(spec));
        }
        return "[" + String.join(", ", rules) + "]";
    }

    private static String maxLength(long max) {
        return "Member must have length less than or equal to " + max;
    }

    private static String minLength(long min) {
        return "Member must have length greater than or equal to " + min;
    }

    private static String pattern(MemberSpec spec) {
        return "Member must satisfy regular expression pattern: " + spec.pattern.shown;
    }

    private static String enumSet(MemberSpec spec) {
        return "Member must satisfy enum value set: [" + String.join(", ", spec.enumValues) + "]";
    }
}
