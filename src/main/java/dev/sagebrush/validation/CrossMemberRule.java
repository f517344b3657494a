package dev.sagebrush.validation;

import java.util.List;

/**
 * A constraint between members of one structure that the model states only in prose (see
 * {@code cross-member-rules.tsv}), such as OutputConfig's "TargetDevice and TargetPlatform are mutually exclusive".
 */
record CrossMemberRule(Kind kind, List<String> members, String message, String messageWhenNone) {
    enum Kind { EXACTLY_ONE, AT_MOST_ONE, AT_LEAST_ONE }

    /** The failure message for this many members given, or null when the rule holds. */
    String check(int given) {
        return switch (kind) {
            case EXACTLY_ONE -> given > 1 ? message : given == 0 ? messageWhenNone : null;
            case AT_MOST_ONE -> given > 1 ? message : null;
            case AT_LEAST_ONE -> given == 0 ? message : null;
        };
    }
}
