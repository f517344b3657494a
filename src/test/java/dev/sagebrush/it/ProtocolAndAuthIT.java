package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.Sagebrush;
import dev.sagebrush.config.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;

/** The wire protocol and SigV4 as an AWS client meets them: every error type, with its HTTP status and message. */
class ProtocolAndAuthIT {
    static ServerFixture fixture;
    static RawClient raw;

    @BeforeAll
    static void start() throws Exception {
        Path creds = Files.createTempFile("creds", ".txt");
        Files.writeString(creds, """
                # access key        secret            account
                test                test              000000000000
                AKIDALICE           alice-secret      111111111111
                AKIDBOB             bob-secret        222222222222
                """);
        fixture = ServerFixture.start(c -> c.withCompileWorkers(0).withCredentialsFile(creds).withMaxRequestBytes(64 * 1024));
        raw = new RawClient(fixture.endpoint);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    static void assertError(RawClient.Response r, int status, String type, String messagePart) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.body()).contains("\"__type\":\"" + type + "\"").contains(messagePart);
        assertThat(r.headers().get("x-amzn-requestid")).isNotEmpty();
    }

    @Test
    void malformedJsonIsASerializationException() {
        assertError(raw.call("SageMaker.DescribeCompilationJob", "{\"CompilationJobName\": "), 400,
                "SerializationException", "Malformed JSON");
        assertError(raw.call("SageMaker.DescribeCompilationJob", "[1,2]"), 400, "SerializationException", "JSON object");
        assertError(raw.call("SageMaker.DescribeCompilationJob", "{} trailing"), 400, "SerializationException", "");
    }

    @Test
    void wrongMemberTypesAreSerializationExceptions() {
        assertError(raw.call("SageMaker.DescribeCompilationJob", "{\"CompilationJobName\": 5}"), 400,
                "SerializationException", "expected a string, got an integer");
        assertError(raw.call("SageMaker.ListCompilationJobs", "{\"MaxResults\": \"10\"}"), 400,
                "SerializationException", "'MaxResults': expected an integer, got a string");
        assertError(raw.call("SageMaker.ListCompilationJobs", "{\"CreationTimeAfter\": true}"), 400,
                "SerializationException", "epoch seconds");
        assertError(raw.call("SageMaker.CreateCompilationJob", "{\"Tags\": {\"Key\": \"a\"}}"), 400,
                "SerializationException", "'Tags': expected a list, got an object");
    }

    @Test
    void validationMessagesAreInAwsForm() {
        RawClient.Response r = raw.call("SageMaker.DescribeCompilationJob", "{\"CompilationJobName\": \"bad_name!\"}");
        assertError(r, 400, "ValidationException", "1 validation error detected: Value 'bad_name!' at 'compilationJobName' "
                + "failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$");
        assertError(raw.call("SageMaker.DescribeCompilationJob", ""), 400, "ValidationException",
                "Value null at 'compilationJobName' failed to satisfy constraint: Member must not be null");
        assertError(raw.call("SageMaker.ListCompilationJobs", "{\"MaxResults\": 0, \"SortBy\": \"Size\"}"), 400,
                "ValidationException", "2 validation errors detected: ");
    }

    @Test
    void unknownOperationsAreRefused() {
        assertError(raw.call("SageMaker.LaunchRocket", "{}"), 400, "UnknownOperationException", "SageMaker.LaunchRocket");
        // Another service's target is not a typo: it is answered as a service this endpoint does not serve.
        assertError(raw.call("DynamoDB_20120810.ListTables", "{}"), 400, "UnsupportedOperationException",
                "Sagebrush does not serve X-Amz-Target 'DynamoDB_20120810.ListTables'");
    }

    @Test
    void oversizeBodyIsRefusedBeforeItIsRead() {
        byte[] big = ("{\"CompilationJobName\":\"" + "a".repeat(100_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        RawClient.Response r = raw.call("SageMaker.DescribeCompilationJob", big, "test", "test", Instant.now());
        assertError(r, 413, "RequestEntityTooLargeException", "exceeds the limit of 65536 bytes");
    }

    @Test
    void wrongSecretIsInvalidSignature() {
        RawClient.Response r = raw.call("SageMaker.ListCompilationJobs", "{}".getBytes(), "AKIDALICE", "wrong", Instant.now());
        assertError(r, 400, "InvalidSignatureException", "The request signature we calculated does not match");
        try (SageMakerClient sm = fixture.sagemaker("AKIDALICE", "wrong", Region.US_EAST_1)) {
            assertThatThrownBy(() -> sm.listCompilationJobs(b -> {}))
                    .isInstanceOf(SageMakerException.class)
                    .satisfies(e -> assertThat(((SageMakerException) e).awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException"));
        }
    }

    @Test
    void unknownAccessKeyIsUnrecognizedClient() {
        assertError(raw.call("SageMaker.ListCompilationJobs", "{}".getBytes(), "AKIDMALLORY", "x", Instant.now()), 400,
                "UnrecognizedClientException", "The security token included in the request is invalid.");
    }

    @Test
    void missingAuthenticationIsRefused() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var resp = http.send(java.net.http.HttpRequest.newBuilder(fixture.endpoint.resolve("/"))
                .header("X-Amz-Target", "SageMaker.ListCompilationJobs")
                .header("Content-Type", "application/x-amz-json-1.1")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(403);
        assertThat(resp.body()).contains("MissingAuthenticationTokenException").contains("Missing Authentication Token");
    }

    @Test
    void clockSkewOverFifteenMinutesIsRefused() {
        RawClient.Response past = raw.call("SageMaker.ListCompilationJobs", "{}".getBytes(), "test", "test",
                Instant.now().minusSeconds(20 * 60));
        assertError(past, 400, "InvalidSignatureException", "Signature expired: ");
        RawClient.Response future = raw.call("SageMaker.ListCompilationJobs", "{}".getBytes(), "test", "test",
                Instant.now().plusSeconds(20 * 60));
        assertError(future, 400, "InvalidSignatureException", "Signature not yet current: ");
        assertThat(raw.call("SageMaker.ListCompilationJobs", "{}".getBytes(), "test", "test",
                Instant.now().minusSeconds(10 * 60)).status()).isEqualTo(200);
    }

    @Test
    void accountsAndRegionsDoNotSeeEachOthersResources() {
        try (SageMakerClient alice = fixture.sagemaker("AKIDALICE", "alice-secret", Region.US_EAST_1);
             SageMakerClient bob = fixture.sagemaker("AKIDBOB", "bob-secret", Region.US_EAST_1);
             SageMakerClient aliceWest = fixture.sagemaker("AKIDALICE", "alice-secret", Region.US_WEST_2)) {
            String arn = alice.createCompilationJob(CompilationJobApiIT.job("shared-name").build()).compilationJobArn();
            assertThat(arn).isEqualTo("arn:aws:sagemaker:us-east-1:111111111111:compilation-job/shared-name");
            assertThatThrownBy(() -> bob.describeCompilationJob(r -> r.compilationJobName("shared-name")))
                    .isInstanceOf(ResourceNotFoundException.class);
            assertThatThrownBy(() -> bob.stopCompilationJob(r -> r.compilationJobName("shared-name")))
                    .isInstanceOf(ResourceNotFoundException.class);
            assertThat(bob.listCompilationJobs(r -> {}).compilationJobSummaries()).isEmpty();
            assertThatThrownBy(() -> aliceWest.describeCompilationJob(r -> r.compilationJobName("shared-name")))
                    .isInstanceOf(ResourceNotFoundException.class);
            // The same name is free in another account.
            assertThat(bob.createCompilationJob(CompilationJobApiIT.job("shared-name").build()).compilationJobArn())
                    .isEqualTo("arn:aws:sagemaker:us-east-1:222222222222:compilation-job/shared-name");
        }
    }

    @Test
    void defaultCredentialsAreRefusedOffLoopback() throws Exception {
        Path dir = Files.createTempDirectory("sagebrush-bind");
        assertThatThrownBy(() -> Sagebrush.start(Config.defaults(dir).withHost("0.0.0.0").withPort(0)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("test/test")
                .hasMessageContaining("--credentials");
    }
}
