package dev.sagebrush.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Sends hand-made bodies (malformed JSON, wrong types, huge bodies) correctly signed with SigV4, as the SDK would not
 * send them. The signature is real, so what the server answers is about the body, not about auth.
 */
public final class RawClient {
    private final URI endpoint;
    private final HttpClient http = HttpClient.newHttpClient();

    public RawClient(URI endpoint) {
        this.endpoint = endpoint;
    }

    public record Response(int status, String body, Map<String, java.util.List<String>> headers) {}

    public Response call(String target, String body) {
        return call(target, body.getBytes(StandardCharsets.UTF_8), "test", "test", Instant.now());
    }

    public Response call(String target, byte[] body, String accessKey, String secret, Instant signedAt) {
        return send(signed(target, body, "us-east-1", accessKey, secret, signedAt), body);
    }

    /** A correctly signed request for {@code target} (null: no X-Amz-Target at all) in any region string. */
    public SdkHttpRequest signed(String target, byte[] body, String region, String accessKey, String secret,
                                 Instant signedAt) {
        SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint.resolve("/"))
                .putHeader("Content-Type", "application/x-amz-json-1.1");
        if (target != null) {
            unsigned.putHeader("X-Amz-Target", target);
        }
        return AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(accessKey, secret))
                .request(unsigned.build())
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sagemaker")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC))).request();
    }

    public Response send(SdkHttpRequest request, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(request.getUri())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        request.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                values.forEach(v -> b.header(name, v));
            }
        });
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().map());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
