package dev.sagebrush.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.auth.Account;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The embedded S3 behind the Undertow front door, driven by a real SDK client with default checksum settings. */
class EmbeddedS3Test {
    @TempDir
    static Path dataDir;
    static EmbeddedS3 s3;
    static Undertow undertow;
    static URI frontDoor;

    @BeforeAll
    static void start() {
        QuietLogs.apply();
        s3 = EmbeddedS3.start(dataDir, List.of(new Account("AKIDALICE", "alice-secret", "111111111111"),
                new Account("AKIDBOB", "bob-secret", "222222222222")));
        undertow = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(s3.frontDoorHandler()).build();
        undertow.start();
        int port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        frontDoor = URI.create("http://127.0.0.1:" + port);
    }

    @AfterAll
    static void stop() {
        if (undertow != null) undertow.stop();
        if (s3 != null) s3.close();
    }

    static S3Client client(String key, String secret) {
        return S3ObjectStorage.newClient(frontDoor, new S3Credentials(key, secret));
    }

    @Test
    void fullObjectLifecycleThroughTheFrontDoorWithDefaultChecksums() {
        byte[] data = new byte[5 * 1024 * 1024];
        new Random(42).nextBytes(data);
        try (S3Client c = client("AKIDALICE", "alice-secret")) {
            c.createBucket(b -> b.bucket("front-door"));
            c.putObject(b -> b.bucket("front-door").key("dir/a b+c=ü.bin"), RequestBody.fromBytes(data));

            ResponseBytes<GetObjectResponse> got = c.getObjectAsBytes(b -> b.bucket("front-door").key("dir/a b+c=ü.bin"));
            assertThat(got.asByteArray()).isEqualTo(data);

            assertThat(c.listObjectsV2(b -> b.bucket("front-door").prefix("dir/")).contents())
                    .extracting(S3Object::key, S3Object::size)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("dir/a b+c=ü.bin", (long) data.length));

            HeadObjectResponse head = c.headObject(b -> b.bucket("front-door").key("dir/a b+c=ü.bin"));
            assertThat(head.contentLength()).isEqualTo(data.length);

            c.deleteObject(b -> b.bucket("front-door").key("dir/a b+c=ü.bin"));
            assertThatThrownBy(() -> c.headObject(b -> b.bucket("front-door").key("dir/a b+c=ü.bin")))
                    .isInstanceOf(NoSuchKeyException.class);
        }
    }

    @Test
    void eachAccountReachesOnlyItsOwnBucketsWhileTheServiceKeyReachesAll() {
        try (S3Client alice = client("AKIDALICE", "alice-secret");
             S3Client bob = client("AKIDBOB", "bob-secret");
             S3Client service = client(s3.serviceCredentials().accessKeyId(), s3.serviceCredentials().secretAccessKey())) {
            alice.createBucket(b -> b.bucket("alices-own"));
            alice.putObject(b -> b.bucket("alices-own").key("k"), RequestBody.fromString("from alice"));
            assertAccessDenied(() -> bob.getObjectAsBytes(b -> b.bucket("alices-own").key("k")));
            assertThat(bob.listBuckets().buckets()).extracting(b -> b.name()).doesNotContain("alices-own");
            assertThat(service.getObjectAsBytes(b -> b.bucket("alices-own").key("k")).asUtf8String()).isEqualTo("from alice");
            assertThat(s3.bucketOwners().owner("alices-own")).contains("111111111111");
        }
    }

    @Test
    void s3proxysOwnPortEnforcesOwnershipAsTheFrontDoorDoes() {
        // s3proxy listens on loopback, where a local process can reach it without the front door: the locator
        // there gives every account key the same owner-checked store.
        try (S3Client alice = client("AKIDALICE", "alice-secret");
             S3Client bobDirect = S3ObjectStorage.newClient(s3.endpoint(), new S3Credentials("AKIDBOB", "bob-secret"))) {
            alice.createBucket(b -> b.bucket("alices-direct"));
            alice.putObject(b -> b.bucket("alices-direct").key("k"), RequestBody.fromString("private"));
            assertAccessDenied(() -> bobDirect.getObjectAsBytes(b -> b.bucket("alices-direct").key("k")));
            assertAccessDenied(() -> bobDirect.listObjectsV2(b -> b.bucket("alices-direct")));
            assertAccessDenied(() -> bobDirect.putObject(b -> b.bucket("alices-direct").key("k"), RequestBody.fromString("x")));
            assertAccessDenied(() -> bobDirect.deleteObject(b -> b.bucket("alices-direct").key("k")));
            assertAccessDenied(() -> bobDirect.copyObject(b -> b.sourceBucket("alices-direct").sourceKey("k")
                    .destinationBucket("alices-direct").destinationKey("copy")));
            assertThat(bobDirect.listBuckets().buckets()).extracting(b -> b.name()).doesNotContain("alices-direct");
            assertThat(alice.getObjectAsBytes(b -> b.bucket("alices-direct").key("k")).asUtf8String()).isEqualTo("private");
        }
    }

    @Test
    void theServersStorageForAnAccountIsCheckedTheSameWay() throws Exception {
        Path src = Files.writeString(dataDir.resolve("job-output.txt"), "job output");
        try (S3Client alice = client("AKIDALICE", "alice-secret"); AccountStorage storage = s3.accountStorage()) {
            alice.createBucket(b -> b.bucket("alices-jobs"));
            alice.putObject(b -> b.bucket("alices-jobs").key("in"), RequestBody.fromString("input"));
            ObjectStorage asAlice = storage.forResource("arn:aws:sagemaker:us-east-1:111111111111:training-job/j");
            ObjectStorage asBob = storage.forAccount("222222222222");
            asAlice.upload(src, S3Uri.parse("s3://alices-jobs/out"));
            assertThat(asAlice.list(S3Uri.parse("s3://alices-jobs/"))).hasSize(2);
            S3Uri in = S3Uri.parse("s3://alices-jobs/in");
            assertThatThrownBy(() -> asBob.download(in, dataDir.resolve("stolen"))).isInstanceOfSatisfying(
                    AccessDeniedException.class, e -> assertThat(e).hasMessage(
                            "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied"));
            assertThatThrownBy(() -> asBob.head(in)).isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(() -> asBob.list(in)).isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(() -> asBob.upload(src, in)).isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(() -> asBob.delete(in)).isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(() -> asBob.createBucketIfMissing("alices-jobs")).hasMessageContaining("BucketAlreadyExists");
            assertThat(dataDir.resolve("stolen")).doesNotExist();
            // A bucket nobody has is NoSuchBucket, as S3 answers it; one Bob creates this way is Bob's.
            assertThatThrownBy(() -> asBob.download(S3Uri.parse("s3://nobodys/x"), dataDir.resolve("x")))
                    .isInstanceOf(BucketNotFoundException.class);
            assertThat(asBob.head(S3Uri.parse("s3://nobodys/x"))).isEmpty();
            asBob.createBucketIfMissing("bobs-jobs");
            asBob.createBucketIfMissing("bobs-jobs");
            assertThat(s3.bucketOwners().owner("bobs-jobs")).contains("222222222222");
            assertThat(alice.getObjectAsBytes(b -> b.bucket("alices-jobs").key("in")).asUtf8String()).isEqualTo("input");
        }
    }

    static void assertAccessDenied(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).as(e.getMessage()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Access Denied");
        });
    }

    @Test
    void wrongSecretIsSignatureDoesNotMatch() {
        try (S3Client c = client("AKIDALICE", "not-alices-secret")) {
            assertThatThrownBy(c::listBuckets)
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
                    });
        }
    }

    @Test
    void wrongSecretOnUploadsIsRejectedAndStoresNothing() {
        try (S3Client good = client("AKIDALICE", "alice-secret"); S3Client bad = client("AKIDBOB", "alice-secret")) {
            good.createBucket(b -> b.bucket("rejected-upload"));
            assertThatThrownBy(() -> bad.putObject(b -> b.bucket("rejected-upload").key("small"), RequestBody.fromString("x")))
                    .isInstanceOfSatisfying(S3Exception.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch"));
            // s3proxy quirk (same without the front door): it sends 100 Continue before checking the signature,
            // then answers 403 and closes without draining the body, so a client still sending a large body may
            // see "Broken pipe"/"Connection reset" instead of the 403. Either way nothing may be stored.
            assertThatThrownBy(() -> bad.putObject(b -> b.bucket("rejected-upload").key("large"),
                    RequestBody.fromBytes(new byte[3 << 20])))
                    .isInstanceOf(software.amazon.awssdk.core.exception.SdkException.class);
            assertThat(good.listObjectsV2(b -> b.bucket("rejected-upload")).contents()).isEmpty();
        }
    }

    @Test
    void frontDoorRecognisesS3Requests() {
        assertThat(route("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x", null)).isTrue();
        assertThat(route("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=x", null)).isFalse();
        assertThat(route("AWS AKID:c2ln", null)).isTrue();
        assertThat(route(null, "AKID/20260101/us-east-1/s3/aws4_request")).isTrue();
        assertThat(route(null, "AKID/20260101/us-east-1/sagemaker/aws4_request")).isFalse();
        assertThat(route(null, null)).isFalse();
    }

    private static boolean route(String authorization, String credentialQuery) {
        io.undertow.server.HttpServerExchange ex = new io.undertow.server.HttpServerExchange(null);
        if (authorization != null) ex.getRequestHeaders().put(io.undertow.util.Headers.AUTHORIZATION, authorization);
        if (credentialQuery != null) ex.addQueryParam("X-Amz-Credential", credentialQuery);
        return S3FrontDoor.isS3Request(ex);
    }

    @Test
    void unknownKeyIsInvalidAccessKeyId() {
        try (S3Client c = client("AKIDNOBODY", "whatever")) {
            assertThatThrownBy(c::listBuckets)
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAccessKeyId");
                    });
        }
    }

    @Test
    void objectsAreFilesUnderDataDirS3() throws Exception {
        try (S3ObjectStorage storage = s3.openServiceStorage()) {
            storage.createBucketIfMissing("on-disk");
            Path src = Files.writeString(dataDir.resolve("src.txt"), "hello");
            storage.upload(src, S3Uri.parse("s3://on-disk/x/y.txt"));
        }
        assertThat(s3.storageDirectory()).isEqualTo(dataDir.resolve("s3").toAbsolutePath());
        assertThat(s3.storageDirectory().resolve("on-disk/x/y.txt")).hasContent("hello");
    }

    @Test
    void s3proxysOwnPortNeverServesAnonymousRequestsWhateverTheAcl() throws Exception {
        // s3proxy listens on loopback, where any local process can reach it without the front door's checks.
        try (S3Client direct = S3ObjectStorage.newClient(s3.endpoint(), new S3Credentials("AKIDALICE", "alice-secret"))) {
            direct.createBucket(b -> b.bucket("direct"));
            direct.putObject(b -> b.bucket("direct").key("k"), RequestBody.fromString("private"));
            assertThatThrownBy(() -> direct.putBucketAcl(b -> b.bucket("direct")
                    .acl(software.amazon.awssdk.services.s3.model.BucketCannedACL.PUBLIC_READ_WRITE)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
            assertThatThrownBy(() -> direct.putObject(b -> b.bucket("direct").key("p")
                    .acl(software.amazon.awssdk.services.s3.model.ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("x")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (String path : new String[] {"/direct", "/direct/k"}) {
            var r = http.send(java.net.http.HttpRequest.newBuilder(s3.endpoint().resolve(path)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(403);
            assertThat(r.body()).doesNotContain("private");
        }
        assertThat(Files.getPosixFilePermissions(s3.storageDirectory()))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void requestsTheFilesystemStoreCannotServeGetS3sErrorsNotA500() {
        try (S3Client c = client("AKIDALICE", "alice-secret")) {
            c.createBucket(b -> b.bucket("guards"));
            assertThatThrownBy(() -> c.putObject(b -> b.bucket("guards").key("dir/"), RequestBody.fromString("content")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
            c.putObject(b -> b.bucket("guards").key("empty-dir/"), RequestBody.empty());
            assertThatThrownBy(() -> c.uploadPart(b -> b.bucket("guards").key("k").uploadId("no-such-upload")
                    .partNumber(1), RequestBody.fromString("part")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
            c.putObject(b -> b.bucket("guards").key("src"), RequestBody.fromString("source"));
            assertThatThrownBy(() -> c.uploadPartCopy(b -> b.sourceBucket("guards").sourceKey("src")
                    .destinationBucket("guards").destinationKey("k").uploadId("no-such-upload").partNumber(1)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
            assertThatThrownBy(() -> c.uploadPartCopy(b -> b.sourceBucket("guards").sourceKey("x".repeat(1100))
                    .destinationBucket("guards").destinationKey("a").uploadId("u").partNumber(1)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
            assertThatThrownBy(() -> c.getObject(b -> b.bucket("guards").key("x".repeat(300))))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
            assertThatThrownBy(() -> c.headBucket(b -> b.bucket("x".repeat(70))))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        }
    }
}
