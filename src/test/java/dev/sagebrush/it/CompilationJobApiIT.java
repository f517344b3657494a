package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.storage.SafeArchive;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobSummary;
import software.amazon.awssdk.services.sagemaker.model.CreateCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.Framework;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;
import software.amazon.awssdk.services.sagemaker.model.ListCompilationJobsResponse;
import software.amazon.awssdk.services.sagemaker.model.ResourceInUseException;
import software.amazon.awssdk.services.sagemaker.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;
import software.amazon.awssdk.services.sagemaker.model.TargetDevice;

/**
 * The compilation job control plane through the real AWS SDK, on a node that runs no compilations (so jobs stay where
 * the API puts them and every transition is the API's own).
 */
class CompilationJobApiIT {
    static ServerFixture fixture;
    static SageMakerClient sm;

    @BeforeAll
    static void start() {
        fixture = ServerFixture.start(c -> c.withCompileWorkers(0));
        sm = fixture.sagemaker();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    /**
     * CreateCompilationJob of {@code s3://models/<key>} with the output under {@code s3://models/compiled/<name>/}, as
     * the neural-network ITs each make it, then {@link #untilEnded} (up to 8 min: a job took over 3 min at load 25).
     */
    static DescribeCompilationJobResponse compileAndWait(SageMakerClient sm, String name, String key, Framework framework,
                                                         String dataInputConfig,
                                                         java.util.function.Consumer<OutputConfig.Builder> target)
            throws InterruptedException {
        sm.createCompilationJob(job(name)
                .inputConfig(i -> i.s3Uri("s3://models/" + key).framework(framework).dataInputConfig(dataInputConfig))
                .outputConfig(o -> target.accept(o.s3OutputLocation("s3://models/compiled/" + name + "/")))
                .build());
        return untilEnded(sm, name, java.time.Duration.ofMinutes(8));
    }

    /**
     * Downloads a completed job's artifact from its ModelArtifacts.S3ModelArtifacts, as a user does, and unpacks it
     * into {@code dir} (the archive is left beside it as {@code <dir>.tar.gz}).
     */
    static Path downloadArtifact(S3Client s3, DescribeCompilationJobResponse d, Path dir) throws Exception {
        URI uri = URI.create(d.modelArtifacts().s3ModelArtifacts());
        Path archive = dir.resolveSibling(dir.getFileName() + ".tar.gz");
        s3.getObject(b -> b.bucket(uri.getHost()).key(uri.getPath().substring(1)), archive);
        SafeArchive.extractTarGz(archive, dir, SafeArchive.Limits.DEFAULT);
        return dir;
    }

    /** Polls DescribeCompilationJob, as a client does, until the job has ended: COMPLETED or FAILED. */
    static DescribeCompilationJobResponse untilEnded(SageMakerClient sm, String name, java.time.Duration timeout)
            throws InterruptedException {
        return Waits.until(() -> sm.describeCompilationJob(r -> r.compilationJobName(name)),
                d -> d.compilationJobStatus() == CompilationJobStatus.COMPLETED
                        || d.compilationJobStatus() == CompilationJobStatus.FAILED, timeout);
    }

    static CreateCompilationJobRequest.Builder job(String name) {
        return CreateCompilationJobRequest.builder()
                .compilationJobName(name)
                .roleArn("arn:aws:iam::000000000000:role/SageMakerRole")
                .inputConfig(i -> i.s3Uri("s3://models/xgb/model.tar.gz").framework(Framework.XGBOOST))
                .outputConfig(o -> o.s3OutputLocation("s3://models/out/").targetDevice(TargetDevice.ML_C5))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(900));
    }

    @Test
    void createThenDescribeReturnsEveryMemberAsGiven() {
        String arn = sm.createCompilationJob(job("describe-me")
                .inputConfig(i -> i.s3Uri("s3://models/onnx/model.tar.gz").framework(Framework.ONNX)
                        .frameworkVersion("1.12").dataInputConfig("{\"input\": [1, 3, 224, 224]}"))
                .outputConfig(o -> o.s3OutputLocation("s3://models/out/")
                        .targetPlatform(p -> p.os("LINUX").arch("ARM64")).compilerOptions("{\"mattr\": [\"+neon\"]}"))
                .vpcConfig(v -> v.securityGroupIds("sg-0123").subnets("subnet-1", "subnet-2"))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(600).maxPendingTimeInSeconds(7200))
                .tags(t -> t.key("team").value("vision"))
                .build()).compilationJobArn();
        assertThat(arn).isEqualTo("arn:aws:sagemaker:us-east-1:000000000000:compilation-job/describe-me");

        DescribeCompilationJobResponse d = sm.describeCompilationJob(r -> r.compilationJobName("describe-me"));
        assertThat(d.compilationJobName()).isEqualTo("describe-me");
        assertThat(d.compilationJobArn()).isEqualTo(arn);
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.STARTING);
        assertThat(d.roleArn()).isEqualTo("arn:aws:iam::000000000000:role/SageMakerRole");
        assertThat(d.inputConfig().framework()).isEqualTo(Framework.ONNX);
        assertThat(d.inputConfig().frameworkVersion()).isEqualTo("1.12");
        assertThat(d.inputConfig().dataInputConfig()).isEqualTo("{\"input\": [1, 3, 224, 224]}");
        assertThat(d.outputConfig().targetPlatform().archAsString()).isEqualTo("ARM64");
        assertThat(d.outputConfig().compilerOptions()).isEqualTo("{\"mattr\": [\"+neon\"]}");
        assertThat(d.vpcConfig().subnets()).containsExactly("subnet-1", "subnet-2");
        assertThat(d.stoppingCondition().maxPendingTimeInSeconds()).isEqualTo(7200);
        assertThat(d.creationTime()).isBeforeOrEqualTo(Instant.now()).isAfter(Instant.now().minusSeconds(60));
        assertThat(d.lastModifiedTime()).isEqualTo(d.creationTime());
        assertThat(d.compilationStartTime()).isNull();
    }

    @Test
    void duplicateNameIsResourceInUse() {
        sm.createCompilationJob(job("dup").build());
        assertThatThrownBy(() -> sm.createCompilationJob(job("dup").build()))
                .isInstanceOf(ResourceInUseException.class)
                .hasMessageContaining("a compilation job with this name already exists "
                        + "(arn:aws:sagemaker:us-east-1:000000000000:compilation-job/dup)");
    }

    @Test
    void missingJobIsResourceNotFoundForDescribeStopAndDelete() {
        assertThatThrownBy(() -> sm.describeCompilationJob(r -> r.compilationJobName("nope")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("Could not find compilation job with name nope.");
        assertThatThrownBy(() -> sm.stopCompilationJob(r -> r.compilationJobName("nope")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> sm.deleteCompilationJob(r -> r.compilationJobName("nope")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void stopGoesThroughStoppingToStoppedThenDeleteRemovesTheRecord() throws Exception {
        sm.createCompilationJob(job("stop-me").build());
        assertThatThrownBy(() -> sm.deleteCompilationJob(r -> r.compilationJobName("stop-me")))
                .isInstanceOf(SageMakerException.class)
                .hasMessageContaining("in status STARTING")
                .satisfies(e -> assertThat(((SageMakerException) e).awsErrorDetails().errorCode()).isEqualTo("ValidationException"));

        sm.stopCompilationJob(r -> r.compilationJobName("stop-me"));
        String status = sm.describeCompilationJob(r -> r.compilationJobName("stop-me")).compilationJobStatusAsString();
        assertThat(status).isIn("STOPPING", "STOPPED");
        DescribeCompilationJobResponse stopped = Waits.until(
                () -> sm.describeCompilationJob(r -> r.compilationJobName("stop-me")),
                d -> d.compilationJobStatus() == CompilationJobStatus.STOPPED);
        assertThat(stopped.compilationEndTime()).isNotNull();
    }

    @Test
    void stoppingATerminalJobIsRefusedAndDeletingItWorks() throws Exception {
        sm.createCompilationJob(job("done").build());
        sm.stopCompilationJob(r -> r.compilationJobName("done"));
        Waits.until(() -> sm.describeCompilationJob(r -> r.compilationJobName("done")),
                d -> d.compilationJobStatus() == CompilationJobStatus.STOPPED);
        assertThatThrownBy(() -> sm.stopCompilationJob(r -> r.compilationJobName("done")))
                .hasMessageContaining("The request was rejected because the compilation job is in status STOPPED.");
        sm.deleteCompilationJob(r -> r.compilationJobName("done"));
        assertThatThrownBy(() -> sm.describeCompilationJob(r -> r.compilationJobName("done")))
                .isInstanceOf(ResourceNotFoundException.class);
        // The name is free again.
        sm.createCompilationJob(job("done").build());
    }

    @Test
    void listFiltersSortsAndPagesWithTheSdkPaginator() {
        for (String n : List.of("lst-c", "lst-a", "lst-b", "lst-e", "lst-d")) {
            sm.createCompilationJob(job(n).build());
        }
        List<String> byName = sm.listCompilationJobsPaginator(r -> r.nameContains("lst-").sortBy("Name")
                        .sortOrder("Descending").maxResults(2))
                .compilationJobSummaries().stream().map(CompilationJobSummary::compilationJobName).collect(Collectors.toList());
        assertThat(byName).containsExactly("lst-e", "lst-d", "lst-c", "lst-b", "lst-a");

        List<String> byCreation = sm.listCompilationJobsPaginator(r -> r.nameContains("LST").maxResults(3))
                .compilationJobSummaries().stream().map(CompilationJobSummary::compilationJobName).toList();
        assertThat(byCreation).containsExactly("lst-c", "lst-a", "lst-b", "lst-e", "lst-d");

        ListCompilationJobsResponse first = sm.listCompilationJobs(r -> r.nameContains("lst-").maxResults(2));
        assertThat(first.nextToken()).isNotNull();
        CompilationJobSummary s = first.compilationJobSummaries().get(0);
        assertThat(s.compilationTargetDevice()).isEqualTo(TargetDevice.ML_C5);
        assertThat(s.compilationJobStatus()).isEqualTo(CompilationJobStatus.STARTING);

        // A job added after page one was fetched does not disturb the pages still to come (keyset paging).
        sm.createCompilationJob(job("lst-f").build());
        ListCompilationJobsResponse second = sm.listCompilationJobs(r -> r.nameContains("lst-").maxResults(2).nextToken(first.nextToken()));
        assertThat(second.compilationJobSummaries()).extracting(CompilationJobSummary::compilationJobName)
                .containsExactly("lst-b", "lst-e");

        assertThat(sm.listCompilationJobs(r -> r.nameContains("lst-").statusEquals("STOPPED")).compilationJobSummaries()).isEmpty();
        assertThat(sm.listCompilationJobs(r -> r.nameContains("lst-").creationTimeAfter(Instant.now().plusSeconds(60)))
                .compilationJobSummaries()).isEmpty();
        assertThat(sm.listCompilationJobs(r -> r.nameContains("lst-").creationTimeBefore(Instant.now().plusSeconds(60))
                .lastModifiedTimeAfter(Instant.now().minusSeconds(600)).maxResults(100)).compilationJobSummaries()).hasSize(6);
    }

    @Test
    void tamperedOrForeignNextTokenIsRejected() {
        for (String n : List.of("tok-a", "tok-b", "tok-c")) {
            sm.createCompilationJob(job(n).build());
        }
        String token = sm.listCompilationJobs(r -> r.nameContains("tok-").maxResults(1)).nextToken();
        String tampered = (token.charAt(0) == 'A' ? 'B' : 'A') + token.substring(1);
        assertThatThrownBy(() -> sm.listCompilationJobs(r -> r.nameContains("tok-").maxResults(1).nextToken(tampered)))
                .hasMessageContaining("Invalid pagination token");
        // The same token with other filters is someone else's position.
        assertThatThrownBy(() -> sm.listCompilationJobs(r -> r.nameContains("tok-b").maxResults(1).nextToken(token)))
                .hasMessageContaining("Invalid pagination token");
    }
}
