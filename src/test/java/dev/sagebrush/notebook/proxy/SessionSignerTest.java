package dev.sagebrush.notebook.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SessionSignerTest {
    final SessionSigner signer = new SessionSigner("0123456789abcdef0123456789abcdef".getBytes());
    final SessionSigner.InstanceRef nb = new SessionSigner.InstanceRef("000000000000", "us-east-1", "nb-1", 1700000000123L);
    final Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aPresignedTokenCarriesItsInstanceAndSessionLengthUntilItExpires() {
        String t = signer.presign(nb, now.plusSeconds(300), 1800);
        assertThat(signer.verifyPresigned(t, now)).contains(new SessionSigner.Presigned(nb, 1800));
        assertThat(signer.verifyPresigned(t, now.plusSeconds(299))).isPresent();
        assertThat(signer.verifyPresigned(t, now.plusSeconds(300))).isEmpty();
    }

    @Test
    void tamperedForeignAndMalformedCredentialsAreRefused() {
        String t = signer.presign(nb, now.plusSeconds(300), 1800);
        String body = t.substring(0, t.indexOf('.'));
        String mac = t.substring(t.indexOf('.') + 1);
        String otherBody = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(java.util.Base64.getUrlDecoder().decode(body)).replace("nb-1", "nb-2").getBytes());
        assertThat(signer.verifyPresigned(otherBody + "." + mac, now)).isEmpty();
        assertThat(signer.verifyPresigned(body + "." + mac.substring(1), now)).isEmpty();
        assertThat(new SessionSigner("another key, also 32 bytes long!".getBytes()).verifyPresigned(t, now)).isEmpty();
        assertThat(signer.verifyPresigned("", now)).isEmpty();
        assertThat(signer.verifyPresigned("no-dot", now)).isEmpty();
        assertThat(signer.verifyPresigned("!!.!!", now)).isEmpty();
        assertThat(signer.verifyPresigned(null, now)).isEmpty();
    }

    @Test
    void aSessionCookieIsNotAPresignedTokenAndTheOtherWayRound() {
        String session = signer.session(nb, now.plusSeconds(3600));
        String presigned = signer.presign(nb, now.plusSeconds(300), 1800);
        assertThat(signer.verifySession(session, now)).contains(nb);
        assertThat(signer.verifyPresigned(session, now)).isEmpty();
        assertThat(signer.verifySession(presigned, now)).isEmpty();
        assertThat(signer.verifySession(session, now.plusSeconds(3600))).isEmpty();
    }
}
