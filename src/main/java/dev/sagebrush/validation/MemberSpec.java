package dev.sagebrush.validation;

import java.util.ArrayList;
import java.util.List;

/**
 * The constraints of one member (or list element, or map key/value) of an operation's input, as declared in
 * {@code constraints.tsv}. Structures hold their members in model order, which is the order AWS reports violations in.
 * Built once by {@link ConstraintTable}; immutable in use.
 */
final class MemberSpec {
    enum Type { STRING, INTEGER, LONG, BOOLEAN, TIMESTAMP, STRUCTURE, LIST, MAP }

    /** Model member name ({@code CompilationJobName}); empty for list elements and map keys/values. */
    final String name;
    /** Path in the table ({@code OutputConfig.TargetPlatform}, {@code Tags[]}); "" for the input itself. */
    final String tablePath;
    final Type type;
    final boolean required;
    /** Length (strings: code points; lists and maps: entries) or value range; null = unbounded. */
    final Long min;
    final Long max;
    final List<String> enumValues;
    final FullPattern pattern;

    final List<MemberSpec> members = new ArrayList<>();
    MemberSpec element;
    MemberSpec key;
    MemberSpec value;
    /** For a recursive structure: the table path whose members and rules apply ({@code SearchExpression}). */
    String refPath;
    MemberSpec ref;
    final List<CrossMemberRule> rules = new ArrayList<>();

    MemberSpec(String name, String tablePath, Type type, boolean required, Long min, Long max,
               List<String> enumValues, FullPattern pattern) {
        this.name = name;
        this.tablePath = tablePath;
        this.type = type;
        this.required = required;
        this.min = min;
        this.max = max;
        this.enumValues = enumValues;
        this.pattern = pattern;
    }

    /** The node whose members and rules describe this structure: itself, or the one a recursive member refers to. */
    MemberSpec shape() {
        return ref != null ? ref : this;
    }

    /** True when a scalar of this spec can fail a check (so list/map elements need looking at). */
    boolean hasScalarConstraints() {
        return min != null || max != null || enumValues != null || pattern != null;
    }
}
