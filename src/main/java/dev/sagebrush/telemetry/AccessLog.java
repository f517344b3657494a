package dev.sagebrush.telemetry;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the {@code sagebrush.access} logger (stdout, asynchronous: see logback.xml):
 * time, request id, account, region, channel, operation, method, path, status, AWS error type, latency and peer.
 * Never the query string (presigned URLs carry signatures and notebook auth tokens there) nor any header or body.
 */
final class AccessLog {
    private static final Logger log = LoggerFactory.getLogger("sagebrush.access");

    record Entry(String requestId, String account, String region, String channel, String operation, String method,
                 String path, int status, String errorType, long nanos, String peer) {}

    private final Clock clock;

    AccessLog(Clock clock) {
        this.clock = clock;
    }

    void write(Entry e) {
        if (!log.isInfoEnabled()) return;
        StringBuilder b = new StringBuilder(256).append('{');
        time(b.append("\"time\":\""), clock.millis()).append("\",");
        field(b, "request_id", e.requestId()).append(',');
        field(b, "account", e.account()).append(',');
        field(b, "region", e.region()).append(',');
        field(b, "channel", e.channel()).append(',');
        field(b, "operation", e.operation()).append(',');
        field(b, "method", e.method()).append(',');
        field(b, "path", e.path().length() > 256 ? e.path().substring(0, 256) + "..." : e.path()).append(',');
        b.append("\"status\":").append(e.status()).append(',');
        field(b, "error", e.errorType()).append(',');
        b.append("\"latency_ms\":");
        millis(b, e.nanos()).append(','); // by hand: String.format was a visible share of a Describe's CPU
        field(b, "peer", e.peer());
        log.info(b.append('}').toString());
    }

    private record Second(long epochSecond, String text) {}

    private volatile Second second = new Second(Long.MIN_VALUE, "");

    /**
     * {@code 2026-12-04T19:08:34.887Z}: UTC, always milliseconds. By hand from the text of the current second, kept
     * while it lasts: {@code Instant.toString} ran a DateTimeFormatter for every request.
     */
    StringBuilder time(StringBuilder b, long epochMillis) {
        long s = Math.floorDiv(epochMillis, 1000);
        Second cached = second;
        if (cached.epochSecond() != s) {
            cached = new Second(s, java.time.LocalDateTime.ofEpochSecond(s, 0, java.time.ZoneOffset.UTC)
                    .format(java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME));
            second = cached;
        }
        int ms = (int) Math.floorMod(epochMillis, 1000);
        b.append(cached.text()).append('.');
        if (ms < 100) b.append('0');
        if (ms < 10) b.append('0');
        return b.append(ms).append('Z');
    }

    /** Nanoseconds as milliseconds with three decimals (microsecond resolution), e.g. {@code 1.234}. */
    static StringBuilder millis(StringBuilder b, long nanos) {
        long micros = Math.max(0, (nanos + 500) / 1000);
        b.append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) b.append('0');
        if (frac < 10) b.append('0');
        return b.append(frac);
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        b.append('"').append(name).append("\":");
        if (value == null) return b.append("null");
        b.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"');
    }
}
