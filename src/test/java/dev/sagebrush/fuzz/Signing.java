package dev.sagebrush.fuzz;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** Real SigV4 signatures (the SDK's signer), so that what a fuzzed request tests is what lies behind the signature. */
final class Signing {
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private Signing() {}

    /** Signs method + URI + headers + body for {@code service}; the headers to send, Authorization included. */
    static Map<String, List<String>> sign(URI endpoint, String method, String pathAndQuery, List<String[]> headers,
                                          byte[] body, String service, String region, String key, String secret,
                                          Instant at) {
        SdkHttpRequest.Builder b = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(method))
                .uri(URI.create(endpoint + pathAndQuery));
        for (String[] h : headers) {
            b.appendHeader(h[0], h[1]);
        }
        if ("s3".equals(service)) {
            b.putHeader("x-amz-content-sha256", "required"); // the signer replaces it with the body's hash
        }
        return SIGNER.sign(r -> r
                .identity(AwsCredentialsIdentity.create(key, secret))
                .request(b.build())
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))).request().headers();
    }
}
