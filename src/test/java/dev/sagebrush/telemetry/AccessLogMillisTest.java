package dev.sagebrush.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The access log's latency, formatted by hand, reads as String.format("%.3f") of the milliseconds did. */
class AccessLogMillisTest {
    @Test
    void threeDecimalsOfMilliseconds() {
        for (long nanos : new long[] {0, 1, 499, 500, 999, 1_000, 12_345, 999_499, 999_500, 1_000_000, 1_234_567,
                60_000_000_000L}) {
            assertThat(AccessLog.millis(new StringBuilder(), nanos).toString()).as("%d ns", nanos)
                    .isEqualTo(String.format(Locale.ROOT, "%.3f", Math.round(nanos / 1000.0) / 1000.0));
        }
    }

    @Test
    void timeIsUtcWithMillisecondsAsTheFormatterWritesIt() {
        java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter
                .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
        AccessLog log = new AccessLog(java.time.Clock.systemUTC());
        java.util.Random r = new java.util.Random(11);
        long base = java.time.Instant.parse("2026-12-05T01:00:00Z").toEpochMilli();
        for (int i = 0; i < 20_000; i++) {
            // Runs of nearby instants (the cached second is reused) and jumps (it is replaced).
            long t = i % 100 == 0 ? r.nextLong(4_102_444_800_000L) : base + r.nextInt(5_000);
            if (i == 1) t = 0;
            if (i == 2) t = base + 999;
            assertThat(log.time(new StringBuilder(), t).toString()).as("%d", t)
                    .isEqualTo(f.format(java.time.Instant.ofEpochMilli(t)));
        }
    }
}
