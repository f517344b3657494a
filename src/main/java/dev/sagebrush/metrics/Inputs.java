package dev.sagebrush.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sagebrush.errors.AwsException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads members of a protocol-neutral input tree the way every CloudWatch protocol sends them: the query protocol
 * sends every value as a string (timestamps in ISO 8601), awsJson and CBOR send numbers (timestamps in epoch seconds).
 */
final class Inputs {
    private Inputs() {}

    static String text(JsonNode in, String member) {
        JsonNode n = in.get(member);
        if (n == null || n.isNull()) return null;
        if (!n.isValueNode() || n.isBinary()) throw invalid("The parameter " + member + " must be a string.");
        return n.asText();
    }

    static String required(JsonNode in, String member) {
        String v = text(in, member);
        if (v == null || v.isEmpty()) {
            throw new AwsException("MissingParameter", 400, "The parameter " + member + " is required.");
        }
        return v;
    }

    static Integer integer(JsonNode in, String member) {
        JsonNode n = in.get(member);
        if (n == null || n.isNull()) return null;
        try {
            if (n.isIntegralNumber() && n.canConvertToInt()) return n.intValue();
            if (n.isTextual()) return Integer.parseInt(n.asText().trim());
        } catch (NumberFormatException e) {
            // fall through
        }
        throw invalid("The parameter " + member + " must be an integer.");
    }

    static Instant timestamp(JsonNode in, String member) {
        JsonNode n = in.get(member);
        if (n == null || n.isNull()) throw new AwsException("MissingParameter", 400, "The parameter " + member
                + " is required.");
        try {
            if (n.isNumber()) return fromEpochSeconds(n.decimalValue());
            String s = n.asText().trim();
            if (s.matches("-?[0-9]+(\\.[0-9]+)?")) return fromEpochSeconds(new BigDecimal(s));
            return Instant.parse(s.endsWith("Z") || s.contains("+") ? s : s + "Z");
        } catch (DateTimeParseException | ArithmeticException e) {
            throw invalid("The parameter " + member + " must be a timestamp in ISO 8601 UTC format: " + n.asText());
        }
    }

    private static Instant fromEpochSeconds(BigDecimal seconds) {
        return Instant.ofEpochMilli(seconds.movePointRight(3).setScale(0, java.math.RoundingMode.FLOOR).longValueExact());
    }

    static AwsException invalid(String message) {
        return new AwsException("InvalidParameterValue", 400, message);
    }

    static AwsException combination(String message) {
        return new AwsException("InvalidParameterCombination", 400, message);
    }
}
