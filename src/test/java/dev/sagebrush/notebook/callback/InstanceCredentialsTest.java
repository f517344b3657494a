package dev.sagebrush.notebook.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.auth.Credentials;
import dev.sagebrush.auth.SigV4Verifier;
import dev.sagebrush.errors.AwsException;
import dev.sagebrush.notebook.proxy.SessionSigner;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/** Instance credentials: issued, verified by the SigV4 verifier like AWS session credentials, then expired or revoked. */
class InstanceCredentialsTest {
    final SessionSigner.InstanceRef nb = new SessionSigner.InstanceRef("222222222222", "us-east-1", "nb", 1000L);
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-04T12:00:00Z"));
    final Clock clock = new Clock() {
        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };
    final Set<SessionSigner.InstanceRef> active = new HashSet<>(Set.of(nb));
    final InstanceCredentials credentials = new InstanceCredentials("k".repeat(32).getBytes(), clock, active::contains);
    final SigV4Verifier verifier = new SigV4Verifier(Credentials.defaults(), credentials, "sagemaker", clock);

    SigV4Verifier.Verified call(InstanceCredentials.Issued c, String accessKeyId) {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
                .uri(URI.create("http://127.0.0.1:8080/")).putHeader("X-Amz-Target", "SageMaker.ListNotebookInstances")
                .putHeader("Content-Type", "application/x-amz-json-1.1").build();
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsSessionCredentialsIdentity.create(accessKeyId, c.secretAccessKey(), c.sessionToken()))
                .request(request).payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sagemaker")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(HttpSigner.SIGNING_CLOCK, clock)).request();
        java.util.List<String> names = new java.util.ArrayList<>(signed.headers().keySet());
        names.add("Host");
        return verifier.verify(new SigV4Verifier.IncomingRequest(new SigV4Verifier.RequestHead("POST", "/", null,
                name -> name.equalsIgnoreCase("Host") ? "127.0.0.1:8080" : signed.firstMatchingHeader(name).orElse(null),
                names), body));
    }

    @Test
    void issuedCredentialsSignLikeAwsSessionCredentialsForTheInstancesAccount() {
        InstanceCredentials.Issued c = credentials.issue(nb);
        assertThat(c.accessKeyId()).startsWith("ASIA").hasSize(20);
        assertThat(c.expiration()).isEqualTo(now.get().plus(InstanceCredentials.LIFETIME));
        assertThat(call(c, c.accessKeyId()).account().accountId()).isEqualTo("222222222222");
        // Another access key id with the same token and secret: not what was issued.
        assertThatThrownBy(() -> call(c, "ASIAAAAAAAAAAAAAAAAA")).isInstanceOf(AwsException.class)
                .hasMessageContaining("security token included in the request is invalid");
    }

    @Test
    void theyStopWorkingAtExpiry() {
        InstanceCredentials.Issued c = credentials.issue(nb);
        now.set(c.expiration().minusSeconds(60));
        assertThat(call(c, c.accessKeyId()).account().accountId()).isEqualTo("222222222222");
        now.set(c.expiration());
        assertThatThrownBy(() -> call(c, c.accessKeyId())).isInstanceOf(AwsException.class)
                .satisfies(e -> assertThat(((AwsException) e).errorType()).isEqualTo("ExpiredTokenException"));
    }

    @Test
    void theyStopWorkingWhenTheInstanceStopsOrIsReplaced() {
        InstanceCredentials.Issued c = credentials.issue(nb);
        String endpointToken = credentials.endpointToken(nb);
        assertThat(credentials.verifyEndpointToken(endpointToken)).contains(nb);
        active.clear();
        assertThatThrownBy(() -> call(c, c.accessKeyId())).isInstanceOf(AwsException.class)
                .satisfies(e -> assertThat(((AwsException) e).errorType()).isEqualTo("ExpiredTokenException"));
        assertThat(credentials.verifyEndpointToken(endpointToken)).isEmpty();
        // A new instance of the same name (another creation time) is not the one the token was made for.
        active.add(new SessionSigner.InstanceRef("222222222222", "us-east-1", "nb", 2000L));
        assertThat(credentials.verifyEndpointToken(endpointToken)).isEmpty();
    }

    @Test
    void tokensAreNotInterchangeableOrForgeable() {
        InstanceCredentials.Issued c = credentials.issue(nb);
        assertThat(credentials.verifyEndpointToken(c.sessionToken())).isEmpty();
        assertThat(credentials.resolve(credentials.accessKeyId(credentials.endpointToken(nb)), credentials.endpointToken(nb))).isEmpty();
        InstanceCredentials otherKey = new InstanceCredentials("x".repeat(32).getBytes(), clock, active::contains);
        assertThat(otherKey.resolve(c.accessKeyId(), c.sessionToken())).isEmpty();
        assertThat(credentials.resolve(c.accessKeyId(), "garbage")).isEmpty();
        assertThat(credentials.resolve(c.accessKeyId(), c.sessionToken().replace('.', '!'))).isEmpty();
    }
}
