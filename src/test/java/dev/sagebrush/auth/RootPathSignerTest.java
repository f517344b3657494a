package dev.sagebrush.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** The fast signer must agree with the SDK's own signer on every request of its shape. */
class RootPathSignerTest {
    @Test
    void agreesWithTheSdkSignerOnManyRequests() {
        Random random = new Random(42);
        RootPathSigner fast = new RootPathSigner();
        for (int i = 0; i < 300; i++) {
            byte[] body = ("{\"CompilationJobName\":\"job-" + random.nextInt() + "\",\"x\":\"  spaced   value \"}")
                    .getBytes(StandardCharsets.UTF_8);
            String region = List.of("us-east-1", "eu-west-1", "ap-southeast-2").get(i % 3);
            String secret = "secret-" + random.nextInt(5);
            Instant at = Instant.parse("2026-11-27T10:00:00Z").plusSeconds(random.nextInt(86_400 * 3));
            SdkHttpRequest.Builder b = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
                    .uri(URI.create("http://127.0.0.1:" + (8000 + i) + "/"))
                    .putHeader("Content-Type", "application/x-amz-json-1.1")
                    .putHeader("X-Amz-Target", "SageMaker.DescribeCompilationJob")
                    .putHeader("amz-sdk-invocation-id", "  inv  " + random.nextInt() + "   id ");
            SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                    .identity(AwsCredentialsIdentity.create("AKID", secret))
                    .request(b.build())
                    .payload(ContentStreamProvider.fromByteArray(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sagemaker")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                    .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))).request();
            String auth = signed.firstMatchingHeader("Authorization").orElseThrow();
            String sdkSignature = auth.substring(auth.indexOf("Signature=") + 10);
            List<String> signedHeaders = List.of(auth.substring(auth.indexOf("SignedHeaders=") + 14, auth.indexOf(", Signature")).split(";"));
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            signed.headers().forEach((k, v) -> headers.put(k, String.join(",", v)));
            headers.put("host", signed.host() + ":" + signed.port());
            String amzDate = headers.get("x-amz-date");
            String mine = fast.signature("POST", signedHeaders, n -> headers.get(n.toLowerCase(Locale.ROOT)), body,
                    amzDate, amzDate.substring(0, 8), region, "sagemaker", secret);
            assertThat(mine).as("request %d", i).isEqualTo(sdkSignature);
        }
    }

    @Test
    void trimAllCollapsesInnerRunsOfSpaces() {
        assertThat(RootPathSigner.trimAll("  a   b  c ")).isEqualTo("a b c");
        assertThat(RootPathSigner.trimAll("plain")).isEqualTo("plain");
    }
}
