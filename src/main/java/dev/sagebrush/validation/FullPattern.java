package dev.sagebrush.validation;

/**
 * A model pattern matched against the whole value, as AWS does. {@link #shown} is the text AWS prints in the message.
 *
 * <p>Patterns run on RE2/J (linear time: a hostile value cannot hang a request thread). A pattern RE2/J cannot
 * compile (a look-behind, a Java-only class such as {@code \p{Alnum}}, a repeat count over RE2's limit of 1000)
 * falls back to java.util.regex; {@link #backtracking} marks those so the validator only runs them on values already
 * within the member's length limit, which bounds their cost.
 */
final class FullPattern {
    final String shown;
    final boolean backtracking;
    private final com.google.re2j.Pattern re2;
    private final java.util.regex.Pattern jdk;

    private FullPattern(String shown, com.google.re2j.Pattern re2, java.util.regex.Pattern jdk) {
        this.shown = shown;
        this.re2 = re2;
        this.jdk = jdk;
        this.backtracking = jdk != null;
    }

    /**
     * Compiles an anchored model pattern. Matching is whole-value ({@code matches()}), so the printed {@code ^}/{@code $}
     * anchors are redundant but harmless, and alternations such as {@code ^1|2$} mean "1 or 2", as in AWS's
     * Java-based validator, not "starts with 1 or ends with 2".
     */
    static FullPattern compile(String anchored) {
        try {
            return new FullPattern(anchored, com.google.re2j.Pattern.compile(anchored), null);
        } catch (com.google.re2j.PatternSyntaxException e) {
            // RE2/J rejects it (e.g. AlgorithmName's "(?<!-)" look-behind). java.util.regex is AWS's own dialect,
            // so semantics are exact; cost is bounded because such values are length-checked first.
            return new FullPattern(anchored, null, java.util.regex.Pattern.compile(anchored));
        }
    }

    /**
     * Values that matched recently. The same names come back call after call (a client polling Describe), and RE2/J
     * spent more CPU matching one 25-character job name than the rest of the request's validation together. Only
     * matches are kept (a refused value costs its error anyway), only short ones, and at most {@link #REMEMBERED}.
     */
    private final java.util.Set<String> matched = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final int REMEMBERED = 4096;
    private static final int REMEMBERED_LENGTH = 256;

    boolean matches(String value) {
        if (matched.contains(value)) return true;
        boolean m = re2 != null ? re2.matcher(value).matches() : jdk.matcher(value).matches();
        if (m && value.length() <= REMEMBERED_LENGTH) {
            if (matched.size() >= REMEMBERED) matched.clear(); // bounded; refilled by the values still in use
            matched.add(value);
        }
        return m;
    }
}
