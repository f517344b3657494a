package dev.sagebrush.search;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Parsing of filter Values and record values. Numbers are doubles (metrics are floats on the wire and integers fit
 * exactly up to 2^53); timestamps are epoch milliseconds, because the wire carries epoch seconds with a fraction.
 */
final class Values {
    // Plain decimal notation as the model asks for ("integer or floating-point decimal"), plus exponents that
    // clients produce when printing small floats (1e-05). NaN/Infinity are not numbers a user can mean here.
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,18}");

    private Values() {}

    /** The number, or null when the text is not a decimal number. */
    static Double parseNumber(String text) {
        String s = text.strip();
        return NUMBER.matcher(s).matches() ? Double.valueOf(Double.parseDouble(s)) : null;
    }

    /** True for an integer Value ("8", "-3"): HyperParameters filters then compare integer parts. */
    static boolean isInteger(String text) {
        return INTEGER.matcher(text.strip()).matches();
    }

    /**
     * Epoch milliseconds, or null. Accepts the documented {@code YYYY-mm-ddTHH:MM:SS} (read as UTC, the zone AWS
     * stores), the same with a fraction, ISO-8601 with a zone ({@code Z}, {@code +02:00}), and epoch seconds, which is
     * what the JSON wire and most scripts carry.
     */
    static Long parseTimestamp(String text) {
        String s = text.strip();
        if (NUMBER.matcher(s).matches()) {
            return secondsToMillis(Double.parseDouble(s));
        }
        try {
            return OffsetDateTime.parse(s).toInstant().toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // no zone: fall through to the documented zone-less form
        }
        try {
            return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static long secondsToMillis(double seconds) {
        return Math.round(seconds * 1000.0);
    }
}
