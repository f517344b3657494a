package dev.sagebrush.logs;

import dev.sagebrush.errors.AwsException;
import java.util.ArrayList;
import java.util.List;

/**
 * CloudWatch Logs' term filter patterns: {@code ERROR} (contains the term), {@code ERROR Exception} (all terms),
 * {@code "exact phrase"}, {@code ?ERROR ?WARN} (any of the ?-terms), {@code -DEBUG} (excluded term). Matching is
 * case-sensitive, as CloudWatch's. JSON ({@code { $.x = 1 }}) and space-delimited ({@code [a, b]}) patterns are refused
 * with a message saying only term patterns are supported here.
 */
final class FilterPattern {
    private final List<String> all = new ArrayList<>();
    private final List<String> any = new ArrayList<>();
    private final List<String> none = new ArrayList<>();

    private FilterPattern() {}

    static FilterPattern parse(String pattern) {
        FilterPattern p = new FilterPattern();
        if (pattern == null) return p;
        String s = pattern.strip();
        if (s.startsWith("{") || s.startsWith("[") || s.startsWith("%")) {
            throw new AwsException("InvalidParameterException", 400, "Sagebrush supports term filter patterns only "
                    + "(terms, \"quoted phrases\", ?optional and -excluded terms), not JSON, space-delimited or regex "
                    + "patterns: " + pattern);
        }
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            List<String> into = p.all;
            if (c == '?' || c == '-') {
                into = c == '?' ? p.any : p.none;
                i++;
                if (i >= s.length()) break;
            }
            String term;
            if (s.charAt(i) == '"') {
                int end = s.indexOf('"', i + 1);
                if (end < 0) throw new AwsException("InvalidParameterException", 400,
                        "Invalid filter pattern: unterminated quoted term in " + pattern);
                term = s.substring(i + 1, end);
                i = end + 1;
            } else {
                int end = i;
                while (end < s.length() && !Character.isWhitespace(s.charAt(end))) end++;
                term = s.substring(i, end);
                i = end;
            }
            if (!term.isEmpty()) into.add(term);
        }
        return p;
    }

    boolean matches(String message) {
        for (String t : all) if (!message.contains(t)) return false;
        for (String t : none) if (message.contains(t)) return false;
        if (any.isEmpty()) return true;
        for (String t : any) if (message.contains(t)) return true;
        return false;
    }
}
