package dev.sagebrush.validation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;

/**
 * The violations of one request, in the order found, and AWS's (Coral's) text for them:
 * {@code N validation error(s) detected: Value 'v' at 'path' failed to satisfy constraint: Member must ...}, items
 * joined with {@code "; "}.
 */
final class Violations {
    /** Longest rendering of a list, map or structure value; AWS prints strings in full, so strings are not cut. */
    static final int MAX_COMPOSITE_CHARS = 256;

    private final List<String> items = new ArrayList<>();
    /** First failing cross-member rule, answered only when every member constraint holds. */
    private String firstRuleFailure;

    void add(Object value, String path, String constraint) {
        String shown = value == null ? "null" : "'" + render(value) + "'";
        items.add("Value " + shown + " at '" + path + "' failed to satisfy constraint: " + constraint);
    }

    void ruleFailed(String message) {
        if (firstRuleFailure == null) {
            firstRuleFailure = message;
        }
    }

    /** The message to answer with, or null when the request is valid. */
    String message() {
        if (!items.isEmpty()) {
            int n = items.size();
            return n + (n == 1 ? " validation error detected: " : " validation errors detected: ")
                    + String.join("; ", items);
        }
        return firstRuleFailure;
    }

    /**
     * Strings raw, numbers and booleans as Java prints them, lists as {@code [a, b]} and maps as {@code {k=v}} (Java's
     * collection toString, which is what AWS's Java validator shows), structures as {@code {Key=a, Value=b}} over
     * the members that are set. Composite values are cut at {@link #MAX_COMPOSITE_CHARS} to keep messages short.
     */
    static String render(Object value) {
        if (value instanceof String s) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        renderInto(value, out);
        if (out.length() > MAX_COMPOSITE_CHARS) {
            out.setLength(MAX_COMPOSITE_CHARS);
            out.append("...");
        }
        return out.toString();
    }

    private static void renderInto(Object value, StringBuilder out) {
        if (out.length() > MAX_COMPOSITE_CHARS) {
            return; // enough already; stops deep or long values early
        }
        if (value instanceof List<?> list) {
            out.append('[');
            joinInto(list.iterator(), out);
            out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
            while (it.hasNext() && out.length() <= MAX_COMPOSITE_CHARS) {
                Map.Entry<?, ?> e = it.next();
                renderInto(e.getKey(), out);
                out.append('=');
                renderInto(e.getValue(), out);
                if (it.hasNext()) {
                    out.append(", ");
                }
            }
            out.append('}');
        } else if (value instanceof SdkPojo pojo) {
            out.append('{');
            boolean first = true;
            for (SdkField<?> field : pojo.sdkFields()) {
                Object v = field.getValueOrDefault(pojo);
                if (v == null || v instanceof SdkAutoConstructList || v instanceof SdkAutoConstructMap) {
                    continue;
                }
                out.append(first ? "" : ", ").append(field.locationName()).append('=');
                renderInto(v, out);
                first = false;
            }
            out.append('}');
        } else if (value instanceof Instant instant) {
            out.append(instant);
        } else {
            out.append(value);
        }
    }

    private static void joinInto(Iterator<?> it, StringBuilder out) {
        while (it.hasNext() && out.length() <= MAX_COMPOSITE_CHARS) {
            renderInto(it.next(), out);
            if (it.hasNext()) {
                out.append(", ");
            }
        }
    }
}
