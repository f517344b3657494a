package dev.sagebrush.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ForwardSignatureTest {
    static final Instant T = Instant.parse("2026-12-04T12:00:00Z");
    static final String HOST = "demo.000000000000.us-east-1.notebook.localhost:8080";
    final ForwardSignature signer = new ForwardSignature("k".repeat(32).getBytes());

    @Test
    void aSignatureVerifiesForThatRequestAndNamesTheSendingNode() {
        String h = signer.sign("node-a", T, "GET", HOST, "/api/contents?type=notebook");
        assertThat(signer.verify(h, T.plusSeconds(2), "GET", HOST, "/api/contents?type=notebook")).contains("node-a");
    }

    @Test
    void anyChangeToTheRequestOrTheHeaderIsRefused() {
        String h = signer.sign("node-a", T, "GET", HOST, "/tree");
        assertThat(signer.verify(h, T, "POST", HOST, "/tree")).isEmpty();
        assertThat(signer.verify(h, T, "GET", HOST.replace("demo.", "other."), "/tree")).isEmpty();
        assertThat(signer.verify(h, T, "GET", HOST, "/api/shutdown")).isEmpty();
        assertThat(signer.verify(h.replace("node-a", "node-b"), T, "GET", HOST, "/tree")).isEmpty();
        assertThat(signer.verify(h + "x", T, "GET", HOST, "/tree")).isEmpty();
        assertThat(signer.verify("node-a 1 AAAA", T, "GET", HOST, "/tree")).isEmpty();
        assertThat(signer.verify("garbage", T, "GET", HOST, "/tree")).isEmpty();
        assertThat(signer.verify(null, T, "GET", HOST, "/tree")).isEmpty();
    }

    @Test
    void anotherClustersKeyAndAnOldForwardAreRefused() {
        String h = signer.sign("node-a", T, "GET", HOST, "/tree");
        assertThat(new ForwardSignature("z".repeat(32).getBytes()).verify(h, T, "GET", HOST, "/tree")).isEmpty();
        assertThat(signer.verify(h, T.plus(ForwardSignature.MAX_AGE).plusSeconds(1), "GET", HOST, "/tree")).isEmpty();
        assertThat(signer.verify(h, T.minus(ForwardSignature.MAX_AGE).minusSeconds(1), "GET", HOST, "/tree")).isEmpty();
    }
}
