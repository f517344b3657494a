package dev.sagebrush.auth;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * SigV4's {@code X-Amz-Date} ({@code yyyyMMdd'T'HHmmss'Z'}, UTC) read by hand: every signed request carries one, and a
 * {@code DateTimeFormatter} parse (a parsed-fields map, resolving, conflict checks) was a visible share of a request's
 * CPU. Exactly 16 characters of that shape; anything else is a {@link DateTimeParseException}, as from the formatter.
 */
final class AmzDates {
    private AmzDates() {}

    static Instant parse(String s) {
        if (s.length() != 16 || s.charAt(8) != 'T' || s.charAt(15) != 'Z') {
            throw new DateTimeParseException("not yyyyMMdd'T'HHmmss'Z'", s, 0);
        }
        try {
            return LocalDateTime.of(digits(s, 0, 4), digits(s, 4, 2), digits(s, 6, 2), digits(s, 9, 2),
                    digits(s, 11, 2), digits(s, 13, 2)).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw new DateTimeParseException(e.getMessage(), s, 0);
        }
    }

    private static int digits(String s, int from, int n) {
        int v = 0;
        for (int i = from; i < from + n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new DateTimeParseException("not yyyyMMdd'T'HHmmss'Z'", s, i);
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
