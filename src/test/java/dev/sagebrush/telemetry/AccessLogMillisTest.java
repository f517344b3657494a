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
}
