package dev.sagebrush.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.auth.Account;
import dev.sagebrush.notebook.callback.InstanceCredentials;
import dev.sagebrush.notebook.proxy.SessionSigner;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Temporary credentials at the S3 front door, issued by the real issuer of notebook instances' credentials
 * ({@link InstanceCredentials}) and used by the AWS SDK for Java as any client holding an instance role's would.
 */
class TemporaryCredentialsS3Test {
    static final byte[] KEY = "an issuer key of thirty-two bytes".getBytes();
    static final Set<String> stopped = ConcurrentHashMap.newKeySet();

    @TempDir
    static Path dataDir;
    static EmbeddedS3 s3;
    static Undertow undertow;
    static URI frontDoor;
    static final MovableClock gateClock = new MovableClock();
    static final InstanceCredentials issuer = issuer(Clock.systemUTC());

    @BeforeAll
    static void start() {
        QuietLogs.apply();
        // Alice's account is the one the test's notebook instances belong to; Bob's is another.
        s3 = EmbeddedS3.start(dataDir, List.of(new Account("AKIDALICE", "alice-secret", "111111111111"),
                new Account("AKIDBOB", "bob-secret", "222222222222")));
        undertow = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(s3.frontDoorHandler(issuer, gateClock)).build();
        undertow.start();
        frontDoor = URI.create("http://127.0.0.1:"
                + ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort());
    }

    @AfterAll
    static void stop() {
        if (undertow != null) undertow.stop();
        if (s3 != null) s3.close();
    }

    /** The instance is active until the test says it stopped; the clock decides what has expired. */
    static InstanceCredentials issuer(Clock clock) {
        return new InstanceCredentials(KEY, clock, ref -> !stopped.contains(ref.name()));
    }

    static SessionSigner.InstanceRef instance(String name) {
        return new SessionSigner.InstanceRef("111111111111", "us-east-1", name, 1_700_000_000_000L);
    }

    static S3Client client(URI endpoint, String key, String secret, String token) {
        return S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(key, secret, token)))
                .httpClientBuilder(Apache5HttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))).build();
    }

    static S3Client client(InstanceCredentials.Issued c) {
        return client(frontDoor, c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
    }

    /** Presigns with issued credentials: the token goes in the URL's query (X-Amz-Security-Token). */
    static S3Presigner presigner(InstanceCredentials.Issued c) {
        return S3Presigner.builder().endpointOverride(frontDoor).region(Region.US_EAST_1)
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                        .pathStyleAccessEnabled(true).build())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken())))
                .build();
    }

    static void assertS3Error(Runnable call, int status, String code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).as(e.getMessage()).isEqualTo(status);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
        });
    }

    @Test
    void issuedCredentialsCreateABucketAndPutAndGetObjects() throws Exception {
        InstanceCredentials.Issued c = issuer.issue(instance("works"));
        try (S3Client s = client(c)) {
            s.createBucket(b -> b.bucket("sagemaker-us-east-1-111111111111"));
            s.putObject(b -> b.bucket("sagemaker-us-east-1-111111111111").key("data/train.csv"),
                    RequestBody.fromString("1,2\n"));
            // Large enough for the SDK's chunked, checksummed upload with Expect: 100-continue.
            s.putObject(b -> b.bucket("sagemaker-us-east-1-111111111111").key("data/big.bin"),
                    RequestBody.fromBytes(new byte[3 << 20]));
            assertThat(s.getObjectAsBytes(b -> b.bucket("sagemaker-us-east-1-111111111111").key("data/train.csv"))
                    .asUtf8String()).isEqualTo("1,2\n");
            assertThat(s.listObjectsV2(b -> b.bucket("sagemaker-us-east-1-111111111111")).keyCount()).isEqualTo(2);
        }
        // A presigned URL carries the token in its query (X-Amz-Security-Token).
        try (S3Presigner presigner = presigner(c)) {
            URI url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket("sagemaker-us-east-1-111111111111").key("data/train.csv")))
                    .url().toURI();
            assertThat(url.getRawQuery()).contains("X-Amz-Security-Token=");
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("1,2\n");
            HttpResponse<String> tampered = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(url.toString().replace("X-Amz-Security-Token=", "X-Amz-Security-Token=x"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(tampered.statusCode()).isEqualTo(400);
            assertThat(tampered.body()).contains("<Code>InvalidToken</Code>")
                    .contains("<Message>The provided token is malformed or otherwise invalid.</Message>");
        }
    }

    @Test
    void aTamperedOrBorrowedTokenIsInvalidToken() {
        InstanceCredentials.Issued c = issuer.issue(instance("tampered"));
        InstanceCredentials.Issued other = issuer.issue(instance("tampered"));
        int i = c.sessionToken().length() / 2;
        char flipped = c.sessionToken().charAt(i) == 'A' ? 'B' : 'A';
        String tampered = c.sessionToken().substring(0, i) + flipped + c.sessionToken().substring(i + 1);
        try (S3Client s = client(frontDoor, c.accessKeyId(), c.secretAccessKey(), tampered)) {
            assertS3Error(s::listBuckets, 400, "InvalidToken");
        }
        // Another credential's token with this key id and secret: the pair does not belong together.
        try (S3Client s = client(frontDoor, c.accessKeyId(), c.secretAccessKey(), other.sessionToken())) {
            assertS3Error(s::listBuckets, 400, "InvalidToken");
        }
        // A long-term key presented with a session token.
        try (S3Client s = client(frontDoor, "AKIDALICE", "alice-secret", c.sessionToken())) {
            assertS3Error(s::listBuckets, 400, "InvalidToken");
        }
        // The right token with a wrong secret: the signature does not verify.
        try (S3Client s = client(frontDoor, c.accessKeyId(), "not-the-secret-of-this-key-0000000000000", c.sessionToken())) {
            assertS3Error(s::listBuckets, 403, "SignatureDoesNotMatch");
        }
    }

    @Test
    void anExpiredTokenIsExpiredToken() {
        // Issued two hours ago for one hour.
        InstanceCredentials.Issued old = issuer(Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC))
                .issue(instance("expired"));
        try (S3Client s = client(old)) {
            assertThatThrownBy(s::listBuckets).isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(400);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ExpiredToken");
                assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The provided token has expired.");
            });
        }
    }

    @Test
    void stoppingTheInstanceRevokesItsCredentialsAtTheFrontDoorAtOnceAndOnS3proxysOwnPortWithinTheTtl() {
        InstanceCredentials.Issued c = issuer.issue(instance("revoked"));
        try (S3Client s = client(c);
             S3Client direct = client(s3.endpoint(), c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
             S3Client noToken = S3ObjectStorage.newClient(frontDoor, new S3Credentials(c.accessKeyId(), c.secretAccessKey()))) {
            s.createBucket(b -> b.bucket("revoked"));
            // Without its token the temporary key is unknown, as on S3.
            assertS3Error(noToken::listBuckets, 403, "InvalidAccessKeyId");
            stopped.add("revoked");
            assertS3Error(s::listBuckets, 400, "ExpiredToken");
            // s3proxy's loopback port skips the front door: a key it was never told of (or whose secret the gate
            // dropped) is unknown there, and one it was told of is forgotten after the TTL.
            assertS3Error(direct::listBuckets, 403, "InvalidAccessKeyId");
            stopped.remove("revoked");
            s.listBuckets(); // remembered again
            direct.listBuckets();
            gateClock.advance(SessionTokenGate.SECRET_TTL);
            assertS3Error(direct::listBuckets, 403, "InvalidAccessKeyId");
        }
    }

    @Test
    void anInstancesCredentialsReachWhatItsAccountsKeysReachAndNothingElse() throws Exception {
        // A notebook instance's credentials are its account's: its account's buckets are theirs, another account's
        // are not (AccessDenied, with the token in a header or in a presigned URL), and ListBuckets lists only its own.
        try (S3Client alice = S3ObjectStorage.newClient(frontDoor, new S3Credentials("AKIDALICE", "alice-secret"));
             S3Client bob = S3ObjectStorage.newClient(frontDoor, new S3Credentials("AKIDBOB", "bob-secret"));
             S3Client instance = client(issuer.issue(instance("same-account")))) {
            alice.createBucket(b -> b.bucket("alices"));
            alice.putObject(b -> b.bucket("alices").key("k"), RequestBody.fromString("from alice"));
            bob.createBucket(b -> b.bucket("bobs"));
            bob.putObject(b -> b.bucket("bobs").key("k"), RequestBody.fromString("from bob"));
            assertThat(instance.getObjectAsBytes(b -> b.bucket("alices").key("k")).asUtf8String()).isEqualTo("from alice");
            instance.createBucket(b -> b.bucket("instances"));
            assertThat(alice.listBuckets().buckets()).extracting(b -> b.name()).contains("alices", "instances")
                    .doesNotContain("bobs");
            assertThat(instance.listBuckets().buckets()).extracting(b -> b.name()).doesNotContain("bobs");

            EmbeddedS3Test.assertAccessDenied(() -> instance.getObjectAsBytes(b -> b.bucket("bobs").key("k")));
            EmbeddedS3Test.assertAccessDenied(() -> instance.putObject(b -> b.bucket("bobs").key("k"),
                    RequestBody.fromString("overwritten")));
            EmbeddedS3Test.assertAccessDenied(() -> instance.listObjectsV2(b -> b.bucket("bobs")));
            EmbeddedS3Test.assertAccessDenied(() -> instance.deleteObject(b -> b.bucket("bobs").key("k")));
            EmbeddedS3Test.assertAccessDenied(() -> bob.getObjectAsBytes(b -> b.bucket("instances").key("k")));
            assertS3Error(() -> instance.createBucket(b -> b.bucket("bobs")), 409, "BucketAlreadyExists");

            InstanceCredentials.Issued c = issuer.issue(instance("presigning"));
            try (S3Presigner presigner = presigner(c)) {
                URI url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                        .getObjectRequest(g -> g.bucket("bobs").key("k"))).url().toURI();
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(403);
                assertThat(r.body()).contains("<Code>AccessDenied</Code>").contains("<Message>Access Denied</Message>")
                        .doesNotContain("from bob");
            }
            assertThat(bob.getObjectAsBytes(b -> b.bucket("bobs").key("k")).asUtf8String()).isEqualTo("from bob");
        }
    }

    /** The gate's clock, moved by the test to pass the TTL of a remembered secret. */
    static final class MovableClock extends Clock {
        private volatile Instant offset = Instant.EPOCH;

        void advance(Duration d) {
            offset = offset.plus(d);
        }

        @Override
        public Instant instant() {
            return Instant.now().plusMillis(offset.toEpochMilli());
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
