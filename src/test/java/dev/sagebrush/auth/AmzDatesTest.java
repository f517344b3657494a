package dev.sagebrush.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written X-Amz-Date reader agrees with the formatter it replaced, and refuses what that refused. */
class AmzDatesTest {
    private static final DateTimeFormatter AMZ = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Test
    void agreesWithTheFormatter() {
        Random r = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochSecond(r.nextInt(Integer.MAX_VALUE));
            String s = AMZ.format(t);
            assertThat(AmzDates.parse(s)).isEqualTo(AMZ.parse(s, Instant::from)).isEqualTo(t);
        }
    }

    @Test
    void refusesOtherShapes() {
        for (String bad : new String[] {"", "20261204T101010", "20261204T101010z", "2026-12-04T10:10:10Z",
                "20261304T101010Z", "20261204T251010Z", "2026120AT101010Z", "20261204 101010Z", "+2026120T101010Z"}) {
            assertThatThrownBy(() -> AmzDates.parse(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
        }
    }

    @Test
    void payloadHashesAreSixtyFourHexDigits() {
        assertThat(SigV4Verifier.isSha256Hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")).isTrue();
        assertThat(SigV4Verifier.isSha256Hex("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")).isTrue();
        assertThat(SigV4Verifier.isSha256Hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")).isFalse();
        assertThat(SigV4Verifier.isSha256Hex("g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")).isFalse();
        assertThat(SigV4Verifier.isSha256Hex("UNSIGNED-PAYLOAD")).isFalse();
    }
}
