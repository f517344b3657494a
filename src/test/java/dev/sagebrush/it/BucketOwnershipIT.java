package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.Sagebrush;
import dev.sagebrush.config.Config;
import dev.sagebrush.jobs.sandbox.SandboxHost;
import dev.sagebrush.testsupport.Prerequisites;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.Framework;
import software.amazon.awssdk.services.sagemaker.model.TargetDevice;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * Two accounts on one server: account A's buckets and objects are A's alone, through every S3 operation, presigned
 * URLs, and the jobs account B runs (which read and write S3 as B), while everything A does still works.
 */
class BucketOwnershipIT {
    static final String A_KEY = "AKIDALICE";
    static final String A_SECRET = "alice-secret";
    static final String B_KEY = "AKIDBOB";
    static final String B_SECRET = "bob-secret";
    static final String ALICE = "alice-models";
    static final String BOB = "bob-models";
    static final String IMAGE = TrainingFixture.IMAGE;

    @TempDir static Path tmp;
    static ServerFixture fixture;
    static S3Client a;
    static S3Client b;
    static SageMakerClient smA;
    static SageMakerClient smB;
    static byte[] model;

    @BeforeAll
    static void start() throws Exception {
        Path creds = tmp.resolve("credentials");
        Files.writeString(creds, A_KEY + " " + A_SECRET + " 111111111111\n" + B_KEY + " " + B_SECRET + " 222222222222\n");
        Path script = tmp.resolve("train.sh");
        try (var in = BucketOwnershipIT.class.getResourceAsStream("/training/train.sh")) {
            Files.copy(in, script);
        }
        Path registry = tmp.resolve("images.txt");
        Files.writeString(registry, IMAGE + " /bin/sh '" + script + "'\n");
        fixture = ServerFixture.start(c -> c.withCredentialsFile(creds).withCompileWorkers(2)
                .withNotebooks(c.notebooks().withRunInstances(false))
                .withTraining(c.training().withImagesFile(registry).withWorkers(2).withStopGrace(Duration.ofSeconds(2))
                        .withContainerEngine("none")));
        a = s3(A_KEY, A_SECRET);
        b = s3(B_KEY, B_SECRET);
        smA = fixture.sagemaker(A_KEY, A_SECRET, Region.US_EAST_1);
        smB = fixture.sagemaker(B_KEY, B_SECRET, Region.US_EAST_1);
        model = Tarballs.create().file("binary_logistic.json",
                XgboostCompilationIT.fixture("fixtures/xgboost/binary_logistic.json")).bytes();
        for (var c : List.of(Map.entry(a, ALICE), Map.entry(b, BOB))) {
            c.getKey().createBucket(r -> r.bucket(c.getValue()));
            c.getKey().putObject(r -> r.bucket(c.getValue()).key("xgb/model.tar.gz"), RequestBody.fromBytes(model));
            c.getKey().putObject(r -> r.bucket(c.getValue()).key("data/train/a.csv"), RequestBody.fromString("1,2\n"));
            c.getKey().putObject(r -> r.bucket(c.getValue()).key("code/sourcedir.tar.gz"),
                    RequestBody.fromBytes(Tarballs.create().file("train.py", "print('hi')\n").bytes()));
        }
    }

    @AfterAll
    static void stop() {
        if (fixture == null) return;
        a.close();
        b.close();
        fixture.close();
    }

    static S3Client s3(String key, String secret) {
        return s3(fixture.endpoint, key, secret);
    }

    static S3Client s3(URI endpoint, String key, String secret) {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret)))
                .httpClientBuilder(Apache5HttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))).build();
    }

    /** S3's 403 AccessDenied "Access Denied" (a HEAD answer has no body to carry the code: its status says it). */
    static void assertAccessDenied(String what, Executable call) {
        assertThatThrownBy(call::execute).as(what).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).as(what + ": " + e.getMessage()).isEqualTo(403);
            if (!what.startsWith("Head")) {
                assertThat(e.awsErrorDetails().errorCode()).as(what).isEqualTo("AccessDenied");
                assertThat(e.awsErrorDetails().errorMessage()).as(what).isEqualTo("Access Denied");
            }
        });
    }

    /** A's bucket as A sees it: keys and their ETags. */
    static Map<String, String> contentsOf(String bucket) {
        return a.listObjectsV2(r -> r.bucket(bucket)).contents().stream()
                .collect(java.util.stream.Collectors.toMap(S3Object::key, S3Object::eTag));
    }

    @Test
    void anotherAccountsBucketAndObjectsAreAccessDeniedWhateverTheOperation() {
        Map<String, String> before = contentsOf(ALICE);
        String upload = a.createMultipartUpload(r -> r.bucket(ALICE).key("mpu")).uploadId();
        String part = a.uploadPart(r -> r.bucket(ALICE).key("mpu").uploadId(upload).partNumber(1),
                RequestBody.fromBytes(new byte[5 << 20])).eTag();
        String bobsUpload = b.createMultipartUpload(r -> r.bucket(BOB).key("copied")).uploadId();

        assertAccessDenied("HeadBucket", () -> b.headBucket(r -> r.bucket(ALICE)));
        assertAccessDenied("ListObjectsV2", () -> b.listObjectsV2(r -> r.bucket(ALICE)));
        assertAccessDenied("ListObjects", () -> b.listObjects(r -> r.bucket(ALICE)));
        assertAccessDenied("GetObject", () -> b.getObjectAsBytes(r -> r.bucket(ALICE).key("xgb/model.tar.gz")));
        assertAccessDenied("HeadObject", () -> b.headObject(r -> r.bucket(ALICE).key("xgb/model.tar.gz")));
        assertAccessDenied("GetObject of a missing key", () -> b.getObjectAsBytes(r -> r.bucket(ALICE).key("nothing")));
        assertAccessDenied("PutObject", () -> b.putObject(r -> r.bucket(ALICE).key("xgb/model.tar.gz"),
                RequestBody.fromString("overwritten")));
        assertAccessDenied("DeleteObject", () -> b.deleteObject(r -> r.bucket(ALICE).key("xgb/model.tar.gz")));
        assertAccessDenied("DeleteObjects", () -> b.deleteObjects(r -> r.bucket(ALICE)
                .delete(d -> d.objects(o -> o.key("xgb/model.tar.gz")))));
        assertAccessDenied("CopyObject out of it", () -> b.copyObject(r -> r.sourceBucket(ALICE)
                .sourceKey("xgb/model.tar.gz").destinationBucket(BOB).destinationKey("stolen")));
        assertAccessDenied("CopyObject into it", () -> b.copyObject(r -> r.sourceBucket(BOB)
                .sourceKey("xgb/model.tar.gz").destinationBucket(ALICE).destinationKey("planted")));
        assertAccessDenied("GetBucketAcl", () -> b.getBucketAcl(r -> r.bucket(ALICE)));
        assertAccessDenied("PutBucketAcl", () -> b.putBucketAcl(r -> r.bucket(ALICE).acl(BucketCannedACL.PRIVATE)));
        assertAccessDenied("GetObjectAcl", () -> b.getObjectAcl(r -> r.bucket(ALICE).key("xgb/model.tar.gz")));
        assertAccessDenied("GetBucketVersioning", () -> b.getBucketVersioning(r -> r.bucket(ALICE)));
        assertAccessDenied("CreateMultipartUpload", () -> b.createMultipartUpload(r -> r.bucket(ALICE).key("m")));
        assertAccessDenied("UploadPart", () -> b.uploadPart(r -> r.bucket(ALICE).key("mpu").uploadId(upload)
                .partNumber(2), RequestBody.fromString("x")));
        assertAccessDenied("UploadPartCopy", () -> b.uploadPartCopy(r -> r.sourceBucket(ALICE)
                .sourceKey("xgb/model.tar.gz").destinationBucket(BOB).destinationKey("copied").uploadId(bobsUpload)
                .partNumber(1)));
        assertAccessDenied("ListParts", () -> b.listParts(r -> r.bucket(ALICE).key("mpu").uploadId(upload)));
        assertAccessDenied("ListMultipartUploads", () -> b.listMultipartUploads(r -> r.bucket(ALICE)));
        assertAccessDenied("CompleteMultipartUpload", () -> b.completeMultipartUpload(r -> r.bucket(ALICE).key("mpu")
                .uploadId(upload).multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(part).build()))));
        assertAccessDenied("AbortMultipartUpload", () -> b.abortMultipartUpload(r -> r.bucket(ALICE).key("mpu")
                .uploadId(upload)));
        assertAccessDenied("DeleteBucket", () -> b.deleteBucket(r -> r.bucket(ALICE)));

        // Nothing of A's changed, and A's own multipart upload still completes.
        assertThat(contentsOf(ALICE)).isEqualTo(before);
        a.completeMultipartUpload(r -> r.bucket(ALICE).key("mpu").uploadId(upload)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(part).build())));
        assertThat(a.headObject(r -> r.bucket(ALICE).key("mpu")).contentLength()).isEqualTo(5 << 20);
        a.deleteObject(r -> r.bucket(ALICE).key("mpu"));
        b.abortMultipartUpload(r -> r.bucket(BOB).key("copied").uploadId(bobsUpload));
        // A bucket nobody has is still NoSuchBucket.
        assertThatThrownBy(() -> b.listObjectsV2(r -> r.bucket("nobody-has-this")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    }

    @Test
    void aPresignedUrlOfAnotherAccountIsAccessDenied() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (S3Presigner bobs = presigner(B_KEY, B_SECRET); S3Presigner alices = presigner(A_KEY, A_SECRET)) {
            URI get = bobs.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket(ALICE).key("data/train/a.csv"))).url().toURI();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(get).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("<Code>AccessDenied</Code>", "<Message>Access Denied</Message>")
                    .doesNotContain("1,2");
            URI put = bobs.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .putObjectRequest(o -> o.bucket(ALICE).key("data/train/a.csv"))).url().toURI();
            HttpResponse<String> w = http.send(HttpRequest.newBuilder(put)
                    .PUT(HttpRequest.BodyPublishers.ofString("overwritten")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(w.statusCode()).isEqualTo(403);
            assertThat(w.body()).contains("<Code>AccessDenied</Code>");
            // A's own presigned URL reads what was there all along.
            URI own = alices.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket(ALICE).key("data/train/a.csv"))).url().toURI();
            HttpResponse<String> mine = http.send(HttpRequest.newBuilder(own).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(mine.statusCode()).isEqualTo(200);
            assertThat(mine.body()).isEqualTo("1,2\n");
        }
    }

    static S3Presigner presigner(String key, String secret) {
        return S3Presigner.builder().endpointOverride(fixture.endpoint).region(Region.US_EAST_1)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret))).build();
    }

    @Test
    void listBucketsListsOnlyTheCallersOwnBuckets() {
        assertThat(a.listBuckets().buckets()).extracting(x -> x.name()).contains(ALICE).doesNotContain(BOB);
        assertThat(b.listBuckets().buckets()).extracting(x -> x.name()).contains(BOB).doesNotContain(ALICE);
    }

    @Test
    void creatingABucketAnotherAccountHasIsBucketAlreadyExistsAndAFreedNameCanBeTaken() {
        assertThatThrownBy(() -> b.createBucket(r -> r.bucket(ALICE))).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).isEqualTo(409);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("BucketAlreadyExists");
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The requested bucket name is not available. The "
                    + "bucket namespace is shared by all users of the system. Please select a different name and try again.");
        });
        assertThatThrownBy(() -> a.createBucket(r -> r.bucket(ALICE))).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).isEqualTo(409);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("BucketAlreadyOwnedByYou");
            assertThat(e.awsErrorDetails().errorMessage())
                    .isEqualTo("Your previous request to create the named bucket succeeded and you already own it.");
        });
        a.createBucket(r -> r.bucket("passed-on"));
        a.deleteBucket(r -> r.bucket("passed-on"));
        b.createBucket(r -> r.bucket("passed-on"));
        b.putObject(r -> r.bucket("passed-on").key("k"), RequestBody.fromString("bob's now"));
        assertAccessDenied("the former owner", () -> a.getObjectAsBytes(r -> r.bucket("passed-on").key("k")));
        assertThat(fixture.dataDir.resolve("s3/.owners/passed-on")).hasContent("222222222222");
    }

    @Test
    void bucketsFromBeforeOwnershipAreAdoptedAtStartByTheOperatorsAccountOrTheOneTheirNameSays() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("upgraded"));
        // The data directory of a server from before buckets had owners: bucket directories and no owner files.
        Files.createDirectories(dir.resolve("s3/legacy"));
        Files.createDirectories(dir.resolve("s3/sagemaker-us-east-1-222222222222"));
        Config config = Config.defaults(dir).withPort(0).withCredentialsFile(tmp.resolve("credentials"))
                .withCompileWorkers(0);
        try (Sagebrush server = Sagebrush.start(config.withNotebooks(config.notebooks().withRunInstances(false)));
             S3Client alice = s3(URI.create(server.endpoint()), A_KEY, A_SECRET);
             S3Client bob = s3(URI.create(server.endpoint()), B_KEY, B_SECRET)) {
            assertThat(alice.listBuckets().buckets()).extracting(x -> x.name()).containsExactly("legacy");
            assertThat(bob.listBuckets().buckets()).extracting(x -> x.name())
                    .containsExactly("sagemaker-us-east-1-222222222222");
            alice.putObject(r -> r.bucket("legacy").key("k"), RequestBody.fromString("still alice's"));
            assertAccessDenied("the operator's legacy bucket", () -> bob.listObjectsV2(r -> r.bucket("legacy")));
            assertThat(dir.resolve("s3/.owners/legacy")).hasContent("111111111111");
        }
    }

    @Test
    void aCompilationJobOfAnotherAccountNeitherReadsNorWritesTheBucket() throws Exception {
        Prerequisites.require(SandboxHost.probe().available(), "sandboxes (bwrap, root)");
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc");
        Map<String, String> before = contentsOf(ALICE);
        DescribeCompilationJobResponse read = compile(smB, "bob-reads-alice", "s3://" + ALICE + "/xgb/model.tar.gz",
                "s3://" + BOB + "/compiled/");
        assertThat(read.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(read.failureReason()).isEqualTo("ClientError: InputConfiguration: Unable to download the model from "
                + "S3. Bucket: " + ALICE + ", Key: xgb/model.tar.gz. An error occurred (AccessDenied) when calling the "
                + "GetObject operation: Access Denied");
        DescribeCompilationJobResponse write = compile(smB, "bob-writes-alice", "s3://" + BOB + "/xgb/model.tar.gz",
                "s3://" + ALICE + "/planted/");
        assertThat(write.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(write.failureReason()).isEqualTo("ClientError: OutputConfiguration: Unable to upload the compiled "
                + "model to s3://" + ALICE + "/planted/model-ml_c5.tar.gz: An error occurred (AccessDenied) when calling "
                + "the PutObject operation: Access Denied");
        assertThat(contentsOf(ALICE)).isEqualTo(before);
        // A's own job, on A's own bucket, compiles as ever.
        DescribeCompilationJobResponse own = compile(smA, "alice-own", "s3://" + ALICE + "/xgb/model.tar.gz",
                "s3://" + ALICE + "/compiled/");
        assertThat(own.compilationJobStatus()).as(own.failureReason()).isEqualTo(CompilationJobStatus.COMPLETED);
        assertThat(a.headObject(r -> r.bucket(ALICE).key("compiled/model-ml_c5.tar.gz")).contentLength()).isPositive();
        a.deleteObject(r -> r.bucket(ALICE).key("compiled/model-ml_c5.tar.gz"));
    }

    static DescribeCompilationJobResponse compile(SageMakerClient sm, String name, String input, String output)
            throws Exception {
        sm.createCompilationJob(CompilationJobApiIT.job(name)
                .inputConfig(i -> i.s3Uri(input).framework(Framework.XGBOOST))
                .outputConfig(o -> o.s3OutputLocation(output).targetDevice(TargetDevice.ML_C5)).build());
        return CompilationJobApiIT.untilEnded(sm, name, Duration.ofMinutes(3));
    }

    @Test
    void aTrainingJobOfAnotherAccountNeitherReadsNorWritesTheBucket() throws Exception {
        Prerequisites.require(SandboxHost.probe().available(), "sandboxes (bwrap, root)");
        Map<String, String> before = contentsOf(ALICE);
        DescribeTrainingJobResponse channel = train(smB, training("bob-channel-alice", ALICE, BOB, Map.of()));
        assertThat(channel.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(channel.failureReason()).isEqualTo("ClientError: Data download failed:Unable to download object s3://"
                + ALICE + "/data/train/ (AccessDenied: Access Denied)");
        DescribeTrainingJobResponse code = train(smB, training("bob-code-alice", BOB, BOB,
                Map.of("sagemaker_submit_directory", "\"s3://" + ALICE + "/code/sourcedir.tar.gz\"")));
        assertThat(code.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(code.failureReason()).isEqualTo("ClientError: The training code s3://" + ALICE + "/code/sourcedir"
                + ".tar.gz (sagemaker_submit_directory) cannot be read (AccessDenied: Access Denied): the bucket '"
                + ALICE + "' is not this account's.");
        DescribeTrainingJobResponse output = train(smB, training("bob-output-alice", BOB, ALICE, Map.of()));
        assertThat(output.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(output.failureReason()).isEqualTo("ClientError: Cannot upload the model to s3://" + ALICE
                + "/out/bob-output-alice/output/model.tar.gz (AccessDenied: Access Denied). The bucket '" + ALICE
                + "' is not this account's.");
        assertThat(contentsOf(ALICE)).isEqualTo(before);
        // A's own job reads and writes A's bucket as ever.
        DescribeTrainingJobResponse own = train(smA, training("alice-own", ALICE, ALICE, Map.of()));
        assertThat(own.trainingJobStatus()).as(own.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
        assertThat(own.modelArtifacts().s3ModelArtifacts()).isEqualTo("s3://" + ALICE + "/out/alice-own/output/model.tar.gz");
        assertThat(a.headObject(r -> r.bucket(ALICE).key("out/alice-own/output/model.tar.gz")).contentLength()).isPositive();
    }

    static CreateTrainingJobRequest training(String name, String inputBucket, String outputBucket,
                                             Map<String, String> extraHyperParameters) {
        Map<String, String> hps = new java.util.HashMap<>(extraHyperParameters);
        hps.put("mode", "ok");
        return CreateTrainingJobRequest.builder().trainingJobName(name)
                .roleArn("arn:aws:iam::222222222222:role/SageMakerRole")
                .algorithmSpecification(s -> s.trainingImage(IMAGE).trainingInputMode("File"))
                .hyperParameters(hps)
                .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix")
                        .s3Uri("s3://" + inputBucket + "/data/train/").s3DataDistributionType("FullyReplicated"))))
                .outputDataConfig(o -> o.s3OutputPath("s3://" + outputBucket + "/out"))
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(1))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(300)).build();
    }

    static DescribeTrainingJobResponse train(SageMakerClient sm, CreateTrainingJobRequest request) throws Exception {
        sm.createTrainingJob(request);
        return Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName(request.trainingJobName())),
                d -> d.trainingJobStatus() == TrainingJobStatus.COMPLETED
                        || d.trainingJobStatus() == TrainingJobStatus.FAILED, Duration.ofMinutes(2));
    }
}
