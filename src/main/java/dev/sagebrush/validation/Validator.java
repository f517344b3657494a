package dev.sagebrush.validation;

import dev.sagebrush.errors.AwsException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;

/**
 * Validates a decoded request against the operation's constraint table the way AWS's framework does before the
 * service sees it, and answers violations as AWS does: one {@code ValidationException} (HTTP 400) listing every
 * violation, in model member order, depth first.
 *
 * <p>The walk is generic over the AWS SDK model objects ({@code sdkFields()}, matched to table members by
 * {@code locationName}); features never validate shapes themselves. Member paths are AWS's: lowerCamelCase member
 * names joined by dots, list elements of structures as {@code tags.1.member.key} (1-based). Lists and maps of scalars
 * are reported once, at the collection's path, with all of the element's constraints in brackets, which is how AWS
 * reports them ({@code Member must satisfy constraint: [...]}, {@code Map keys must satisfy constraint: [...]},
 * {@code Map value must satisfy constraint: [...]}), rather than per element as {@code hyperParameters.<key>}.
 *
 * <p>Thread-safe; one instance serves all requests.
 */
public final class Validator {
    private static final class Holder {
        static final Validator DEFAULT = new Validator(ConstraintTable.fromClasspath());
    }

    private final ConstraintTable table;
    private final Map<Class<?>, Map<String, SdkField<?>>> fieldsByClass = new ConcurrentHashMap<>();

    private Validator(ConstraintTable table) {
        this.table = table;
    }

    /** The validator for the table on the classpath, read and compiled once per JVM. */
    public static Validator loadDefault() {
        return Holder.DEFAULT;
    }

    /** The operations the table declares, in table order. */
    public Set<String> operations() {
        return Collections.unmodifiableSet(table.operations.keySet());
    }

    /**
     * Throws {@link AwsException} (type ValidationException, HTTP 400) listing every constraint violation of
     * {@code input}; when there are none, the first failing cross-member rule is thrown alone.
     *
     * @throws IllegalArgumentException for an operation the table does not declare (a wiring bug, not a client error)
     */
    public void validate(String operationName, SdkPojo input) {
        MemberSpec root = table.operations.get(operationName);
        if (root == null) {
            throw new IllegalArgumentException("no constraint table for operation " + operationName);
        }
        Violations violations = new Violations();
        checkStructure(root, input, "", violations);
        String message = violations.message();
        if (message != null) {
            throw AwsException.validation(message);
        }
    }

    ConstraintTable table() {
        return table;
    }

    private void checkMember(MemberSpec spec, Object value, String path, Violations out) {
        if (value == null || value instanceof SdkAutoConstructList || value instanceof SdkAutoConstructMap) {
            if (spec.required) {
                out.add(null, path, "Member must not be null");
            }
            return;
        }
        switch (spec.type) {
            case STRING, INTEGER, LONG -> {
                for (String failed : ScalarChecks.failures(spec, value)) {
                    out.add(value, path, failed);
                }
            }
            case LIST -> checkList(spec, (List<?>) value, path, out);
            case MAP -> checkMap(spec, (Map<?, ?>) value, path, out);
            case STRUCTURE -> checkStructure(spec, (SdkPojo) value, path, out);
            case BOOLEAN, TIMESTAMP -> { } // the model constrains them by presence only
        }
    }

    private void checkStructure(MemberSpec spec, SdkPojo pojo, String path, Violations out) {
        MemberSpec shape = spec.shape();
        Map<String, SdkField<?>> fields = fieldsOf(pojo);
        for (CrossMemberRule rule : shape.rules) {
            int given = 0;
            for (String member : rule.members()) {
                SdkField<?> field = fields.get(member);
                Object v = field == null ? null : field.getValueOrDefault(pojo);
                if (v != null && !(v instanceof SdkAutoConstructList) && !(v instanceof SdkAutoConstructMap)) {
                    given++;
                }
            }
            String failure = rule.check(given);
            if (failure != null) {
                out.ruleFailed(failure);
            }
        }
        String prefix = path.isEmpty() ? "" : path + ".";
        for (MemberSpec member : shape.members) {
            SdkField<?> field = fields.get(member.name);
            if (field == null) {
                continue; // a member newer than the SDK model: the codec cannot have decoded it
            }
            checkMember(member, field.getValueOrDefault(pojo), prefix + lowerFirst(member.name), out);
        }
    }

    private void checkList(MemberSpec spec, List<?> list, String path, Violations out) {
        for (String failed : ScalarChecks.sizeFailures(spec, list.size())) {
            out.add(list, path, failed);
        }
        MemberSpec element = spec.element;
        if (element == null) {
            return;
        }
        if (element.type == MemberSpec.Type.STRUCTURE) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) instanceof SdkPojo item) {
                    checkStructure(element, item, path + "." + (i + 1) + ".member", out);
                }
            }
        } else if (element.hasScalarConstraints() && anyFails(element, list)) {
            out.add(list, path, "Member must satisfy constraint: " + ScalarChecks.describe(element));
        }
    }

    private void checkMap(MemberSpec spec, Map<?, ?> map, String path, Violations out) {
        for (String failed : ScalarChecks.sizeFailures(spec, map.size())) {
            out.add(map, path, failed);
        }
        // AWS reports keys once and values once, keys first, however many entries break the rule.
        if (spec.key != null && spec.key.hasScalarConstraints() && anyFails(spec.key, map.keySet())) {
            out.add(map, path, "Map keys must satisfy constraint: " + ScalarChecks.describe(spec.key));
        }
        MemberSpec value = spec.value;
        if (value == null) {
            return;
        }
        if (value.type == MemberSpec.Type.STRUCTURE) {
            // No map in scope has structure values; were one added, its members would read map.<key>.member.
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getValue() instanceof SdkPojo item) {
                    checkStructure(value, item, path + "." + e.getKey(), out);
                }
            }
        } else if (value.hasScalarConstraints() && anyFails(value, map.values())) {
            out.add(map, path, "Map value must satisfy constraint: " + ScalarChecks.describe(value));
        }
    }

    private static boolean anyFails(MemberSpec element, Iterable<?> values) {
        for (Object v : values) {
            if (v != null && !ScalarChecks.failures(element, v).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private Map<String, SdkField<?>> fieldsOf(SdkPojo pojo) {
        return fieldsByClass.computeIfAbsent(pojo.getClass(), c -> {
            Map<String, SdkField<?>> byName = new LinkedHashMap<>();
            for (SdkField<?> field : pojo.sdkFields()) {
                byName.put(field.locationName(), field);
            }
            return byName;
        });
    }

    /** AWS's member path form: the model name with its first letter lower-cased ({@code S3Uri} -> {@code s3Uri}). */
    static String lowerFirst(String name) {
        return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }
}
