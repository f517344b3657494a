package dev.sagebrush.training.metrics;

/**
 * An upper estimate of the size of the program RE2 compiles a pattern into, computed from the pattern's text without
 * compiling it. RE2's matching time is linear, but its compiled program is not: a counted repetition copies its
 * operand, so {@code ((a{1000}){1000}){1000}}, 24 characters, becomes a billion instructions and RE2/J runs out of
 * memory building it. Go's RE2 refuses repetitions nested beyond a product of 1000; this estimate refuses any pattern
 * whose expansion is too large, nested or not.
 *
 * <p>The walk mirrors RE2 syntax closely enough to never underestimate: a literal, class, escape or anchor is one
 * instruction, a group is the sum of its parts, an alternation adds one per branch, {@code * + ?} add one, and
 * {@code {n,m}} multiplies its operand by m (n + 1 when unbounded). Text that is not valid RE2 is left for the real
 * compiler to reject with its own message.
 */
final class RegexSize {
    private final String p;
    private int i;

    private RegexSize(String pattern) {
        this.p = pattern;
    }

    /** The estimated instruction count, saturating at {@link Long#MAX_VALUE} / 4. */
    static long of(String pattern) {
        RegexSize r = new RegexSize(pattern);
        long size = 0;
        while (r.i < r.p.length()) {
            size = add(size, r.alternation());
            if (r.i < r.p.length()) r.i++; // an unbalanced ')': RE2 rejects it; keep counting the rest
        }
        return size;
    }

    private long alternation() {
        long size = concatenation();
        while (i < p.length() && p.charAt(i) == '|') {
            i++;
            size = add(add(size, concatenation()), 1);
        }
        return size;
    }

    private long concatenation() {
        long size = 0;
        while (i < p.length() && p.charAt(i) != '|' && p.charAt(i) != ')') {
            long atom = atom();
            size = add(size, quantified(atom));
        }
        return size;
    }

    private long quantified(long atom) {
        long size = atom;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '*' || c == '+' || c == '?') {
                i++;
                size = add(size, 1);
            } else if (c == '{') {
                long count = repeatCount();
                if (count < 0) break; // not a repetition: '{' is a literal, read as the next atom
                size = mul(size, Math.max(1, count));
            } else {
                break;
            }
            if (i < p.length() && p.charAt(i) == '?') i++; // non-greedy
        }
        return size;
    }

    /** Parses {@code {n}}, {@code {n,}} or {@code {n,m}} at i: the largest count it allows, or -1 (i unchanged). */
    private long repeatCount() {
        int j = i + 1;
        long min = 0;
        int digits = 0;
        while (j < p.length() && Character.isDigit(p.charAt(j))) {
            min = Math.min(min * 10 + (p.charAt(j++) - '0'), 1_000_000_000L);
            digits++;
        }
        if (digits == 0 || j >= p.length()) return -1;
        long max = min;
        if (p.charAt(j) == ',') {
            j++;
            int maxDigits = 0;
            long m = 0;
            while (j < p.length() && Character.isDigit(p.charAt(j))) {
                m = Math.min(m * 10 + (p.charAt(j++) - '0'), 1_000_000_000L);
                maxDigits++;
            }
            max = maxDigits == 0 ? min + 1 : Math.max(min, m);
        }
        if (j >= p.length() || p.charAt(j) != '}') return -1;
        i = j + 1;
        return max;
    }

    private long atom() {
        char c = p.charAt(i++);
        switch (c) {
            case '(' -> {
                if (i < p.length() && p.charAt(i) == '?') {
                    // (?flags), (?flags:...), (?P<name>...), (?<name>...)
                    int close = i;
                    while (close < p.length() && p.charAt(close) != ')' && p.charAt(close) != ':'
                            && p.charAt(close) != '>') close++;
                    if (close < p.length() && p.charAt(close) == ')') {
                        i = close + 1;
                        return 0; // flags only
                    }
                    i = Math.min(close + 1, p.length());
                }
                long inner = alternation();
                if (i < p.length() && p.charAt(i) == ')') i++;
                return add(inner, 1);
            }
            case '[' -> {
                skipClass();
                return 1;
            }
            case '\\' -> {
                return escape();
            }
            default -> {
                return 1;
            }
        }
    }

    private void skipClass() {
        if (i < p.length() && p.charAt(i) == '^') i++;
        if (i < p.length() && p.charAt(i) == ']') i++; // a leading ']' is literal
        while (i < p.length() && p.charAt(i) != ']') {
            if (p.charAt(i) == '\\') {
                i += 2;
            } else if (p.startsWith("[:", i)) {
                int end = p.indexOf(":]", i + 2);
                i = end < 0 ? i + 1 : end + 2;
            } else {
                i++;
            }
        }
        i = Math.min(i + 1, p.length());
    }

    private long escape() {
        if (i >= p.length()) return 1;
        char e = p.charAt(i++);
        if (e == 'Q') {
            int end = p.indexOf("\\E", i);
            int stop = end < 0 ? p.length() : end;
            long n = Math.max(1, stop - i);
            i = end < 0 ? p.length() : end + 2;
            return n;
        }
        if ((e == 'p' || e == 'P' || e == 'x') && i < p.length() && p.charAt(i) == '{') {
            int end = p.indexOf('}', i);
            i = end < 0 ? p.length() : end + 1;
        } else if (e == 'p' || e == 'P') {
            i = Math.min(i + 1, p.length());
        }
        return 1;
    }

    private static final long CAP = Long.MAX_VALUE / 4;

    private static long add(long a, long b) {
        return Math.min(CAP, a + b);
    }

    private static long mul(long a, long b) {
        return a != 0 && b > CAP / a ? CAP : Math.min(CAP, a * b);
    }
}
