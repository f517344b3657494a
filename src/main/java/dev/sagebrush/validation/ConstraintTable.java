package dev.sagebrush.validation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The declarative constraint table: {@code constraints.tsv} (generated from the SageMaker model by
 * {@code tools/gen_constraints.py}) plus the hand-written {@code cross-member-rules.tsv}, parsed into one
 * {@link MemberSpec} tree per operation. Both formats are documented in the files' headers. A malformed table is a
 * build defect, so parsing fails loudly with the line number rather than skipping anything.
 */
final class ConstraintTable {
    static final String MEMBERS_RESOURCE = "constraints.tsv";
    static final String RULES_RESOURCE = "cross-member-rules.tsv";

    /** Operation name to its input shape's root spec (tablePath ""), in table order. */
    final Map<String, MemberSpec> operations = new LinkedHashMap<>();
    /** Per operation: table path to spec, for resolving children, recursive refs and rules. */
    private final Map<String, Map<String, MemberSpec>> byPath = new HashMap<>();
    private final Map<String, List<String>> enums = new HashMap<>();

    static ConstraintTable fromClasspath() {
        ConstraintTable table = new ConstraintTable();
        table.read(MEMBERS_RESOURCE);
        table.read(RULES_RESOURCE);
        table.resolveRefs();
        return table;
    }

    private void read(String resource) {
        try (InputStream in = ConstraintTable.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String op = null;
            int lineNo = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                try {
                    switch (f[0]) {
                        case "enum" -> enums.put(f[1], List.of(Arrays.copyOfRange(f, 2, f.length)));
                        case "op" -> {
                            op = f[1];
                            MemberSpec root = new MemberSpec("", "", MemberSpec.Type.STRUCTURE, true,
                                    null, null, null, null);
                            operations.put(op, root);
                            byPath.put(op, new HashMap<>(Map.of("", root)));
                        }
                        case "m" -> addMember(op, f);
                        case "rule" -> addRule(f);
                        default -> throw new IllegalArgumentException("unknown line kind " + f[0]);
                    }
                } catch (RuntimeException e) {
                    throw new IllegalStateException(resource + ":" + lineNo + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void addMember(String op, String[] f) {
        if (op == null || f.length != 8) {
            throw new IllegalArgumentException("member line needs an op before it and 8 columns");
        }
        String path = f[1];
        String typeText = f[2];
        String refPath = null;
        if (typeText.startsWith("ref:")) {
            refPath = typeText.substring(4);
            typeText = "structure";
        }
        List<String> enumValues = null;
        if (!f[6].equals("-")) {
            enumValues = enums.get(f[6]);
            if (enumValues == null) {
                throw new IllegalArgumentException("enum " + f[6] + " is used before it is declared");
            }
        }
        String parentPath;
        String name;
        if (path.endsWith("[]")) {
            parentPath = path.substring(0, path.length() - 2);
            name = "";
        } else if (path.endsWith("{key}") || path.endsWith("{value}")) {
            parentPath = path.substring(0, path.lastIndexOf('{'));
            name = "";
        } else {
            int dot = path.lastIndexOf('.');
            parentPath = dot < 0 ? "" : path.substring(0, dot);
            name = path.substring(dot + 1);
        }
        MemberSpec spec = new MemberSpec(name, path, MemberSpec.Type.valueOf(typeText.toUpperCase(Locale.ROOT)),
                f[3].equals("R"), number(f[4]), number(f[5]), enumValues,
                f[7].equals("-") ? null : FullPattern.compile(f[7]));
        spec.refPath = refPath;
        Map<String, MemberSpec> paths = byPath.get(op);
        MemberSpec parent = paths.get(parentPath);
        if (parent == null) {
            throw new IllegalArgumentException("parent " + parentPath + " of " + path + " is not declared before it");
        }
        if (path.endsWith("[]")) {
            parent.element = spec;
        } else if (path.endsWith("{key}")) {
            parent.key = spec;
        } else if (path.endsWith("{value}")) {
            parent.value = spec;
        } else {
            parent.members.add(spec);
        }
        if (paths.put(path, spec) != null) {
            throw new IllegalArgumentException("duplicate path " + path);
        }
    }

    private void addRule(String[] f) {
        if (f.length < 6 || f.length > 7) {
            throw new IllegalArgumentException("rule line needs 6 or 7 columns");
        }
        Map<String, MemberSpec> paths = byPath.get(f[1]);
        if (paths == null) {
            throw new IllegalArgumentException("rule for unknown operation " + f[1]);
        }
        MemberSpec target = paths.get(f[2].equals(".") ? "" : f[2]);
        if (target == null || target.type != MemberSpec.Type.STRUCTURE) {
            throw new IllegalArgumentException("rule target " + f[2] + " is not a structure of " + f[1]);
        }
        CrossMemberRule.Kind kind = switch (f[3]) {
            case "exactlyOne" -> CrossMemberRule.Kind.EXACTLY_ONE;
            case "atMostOne" -> CrossMemberRule.Kind.AT_MOST_ONE;
            case "atLeastOne" -> CrossMemberRule.Kind.AT_LEAST_ONE;
            default -> throw new IllegalArgumentException("unknown rule kind " + f[3]);
        };
        List<String> members = List.of(f[4].split(","));
        for (String member : members) {
            if (target.members.stream().noneMatch(m -> m.name.equals(member))) {
                throw new IllegalArgumentException("rule names " + member + ", not a member of " + f[2]);
            }
        }
        if (kind == CrossMemberRule.Kind.EXACTLY_ONE && f.length != 7) {
            throw new IllegalArgumentException("exactlyOne needs a message for 'none given'");
        }
        target.rules.add(new CrossMemberRule(kind, members, f[5], f.length == 7 ? f[6] : null));
    }

    private void resolveRefs() {
        byPath.forEach((op, paths) -> paths.values().forEach(spec -> {
            if (spec.refPath != null) {
                spec.ref = paths.get(spec.refPath);
                if (spec.ref == null || spec.ref.type != MemberSpec.Type.STRUCTURE) {
                    throw new IllegalStateException(op + ": " + spec.tablePath + " refers to unknown " + spec.refPath);
                }
            }
        }));
    }

    private static Long number(String text) {
        return text.equals("-") ? null : Long.valueOf(text);
    }

    /** All specs of an operation by table path (tests check each against the SDK model). */
    Map<String, MemberSpec> paths(String operation) {
        return byPath.get(operation);
    }
}
