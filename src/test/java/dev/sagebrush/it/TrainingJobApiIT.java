package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ListTrainingJobsResponse;
import software.amazon.awssdk.services.sagemaker.model.ResourceInUseException;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobSummary;

/**
 * The training job control plane through the AWS SDK on a node that runs no training (so jobs stay where the API puts
 * them): every member round-trips, SageMaker's exact errors, what Sagebrush refuses, and ListTrainingJobs.
 */
class TrainingJobApiIT {
    static ServerFixture fixture;
    static SageMakerClient sm;

    @BeforeAll
    static void start() throws Exception {
        fixture = TrainingFixture.start(0);
        sm = fixture.sagemaker();
        // For listing: l-0 .. l-5 created in order; l-1 and l-4 are stopped (an API-only node still finishes stops).
        for (int i = 0; i < 6; i++) {
            sm.createTrainingJob(TrainingFixture.job("l-" + i, "ok").build());
            Thread.sleep(5); // distinct creation times
        }
        for (String name : List.of("l-1", "l-4")) {
            sm.stopTrainingJob(r -> r.trainingJobName(name));
            Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName(name)).trainingJobStatus(),
                    s -> s == TrainingJobStatus.STOPPED);
        }
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    static String errorCode(Throwable t) {
        return ((SageMakerException) t).awsErrorDetails().errorCode();
    }

    @Test
    void createThenDescribeReturnsEveryMemberAsGiven() {
        String arn = sm.createTrainingJob(TrainingFixture.job("describe-me", "ok")
                .hyperParameters(Map.of("eta", "0.1", "max_depth", "5"))
                .algorithmSpecification(a -> a.trainingImage(TrainingFixture.IMAGE).trainingInputMode("File")
                        .metricDefinitions(m -> m.name("auc").regex("auc=(\\S+)")).enableSageMakerMetricsTimeSeries(true))
                .environment(Map.of("A", "b"))
                .experimentConfig(e -> e.experimentName("exp").trialName("trial"))
                .outputDataConfig(o -> o.s3OutputPath("s3://out/models/").compressionType("NONE"))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(3600))
                .tags(t -> t.key("team").value("ml"))
                .build()).trainingJobArn();
        assertThat(arn).isEqualTo("arn:aws:sagemaker:us-east-1:000000000000:training-job/describe-me");

        DescribeTrainingJobResponse d = sm.describeTrainingJob(r -> r.trainingJobName("describe-me"));
        assertThat(d.trainingJobName()).isEqualTo("describe-me");
        assertThat(d.trainingJobArn()).isEqualTo(arn);
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.IN_PROGRESS);
        assertThat(d.secondaryStatus()).isEqualTo(SecondaryStatus.STARTING);
        assertThat(d.secondaryStatusTransitions()).hasSize(1);
        assertThat(d.secondaryStatusTransitions().get(0).statusMessage()).isEqualTo("Starting the training job");
        assertThat(d.secondaryStatusTransitions().get(0).startTime()).isEqualTo(d.creationTime());
        assertThat(d.hyperParameters()).isEqualTo(Map.of("eta", "0.1", "max_depth", "5"));
        assertThat(d.algorithmSpecification().metricDefinitions().get(0).regex()).isEqualTo("auc=(\\S+)");
        assertThat(d.algorithmSpecification().enableSageMakerMetricsTimeSeries()).isTrue();
        assertThat(d.roleArn()).isEqualTo(TrainingFixture.ROLE);
        assertThat(d.inputDataConfig().get(0).dataSource().s3DataSource().s3Uri()).isEqualTo("s3://data/train/");
        assertThat(d.resourceConfig().instanceTypeAsString()).isEqualTo("ml.m5.large");
        assertThat(d.stoppingCondition().maxRuntimeInSeconds()).isEqualTo(3600);
        assertThat(d.environment()).isEqualTo(Map.of("A", "b"));
        assertThat(d.experimentConfig().trialName()).isEqualTo("trial");
        assertThat(d.enableNetworkIsolation()).isFalse();
        assertThat(d.enableManagedSpotTraining()).isFalse();
        // Uncompressed output: the model's files go under output/model/.
        assertThat(d.modelArtifacts().s3ModelArtifacts()).isEqualTo("s3://out/models/describe-me/output/model/");
        assertThat(d.creationTime()).isBeforeOrEqualTo(Instant.now()).isAfter(Instant.now().minusSeconds(60));
        assertThat(d.lastModifiedTime()).isEqualTo(d.creationTime());
        assertThat(d.trainingStartTime()).isNull();
        assertThat(d.finalMetricDataList()).isEmpty();
    }

    @Test
    void stoppingConditionDefaultsToOneDay() {
        sm.createTrainingJob(TrainingFixture.job("no-stopping", "ok").stoppingCondition((software.amazon.awssdk.services.sagemaker.model.StoppingCondition) null).build());
        assertThat(sm.describeTrainingJob(r -> r.trainingJobName("no-stopping")).stoppingCondition().maxRuntimeInSeconds())
                .isEqualTo(86400);
    }

    @Test
    void duplicateNameIsResourceInUseWithSageMakersMessage() {
        sm.createTrainingJob(TrainingFixture.job("dup", "ok").build());
        assertThatThrownBy(() -> sm.createTrainingJob(TrainingFixture.job("dup", "ok").build()))
                .isInstanceOf(ResourceInUseException.class)
                .hasMessageStartingWith("Training job names must be unique within an AWS account and region, and a "
                        + "training job with this name already exists "
                        + "(arn:aws:sagemaker:us-east-1:000000000000:training-job/dup)");
    }

    @Test
    void missingJobIsValidationExceptionRequestedResourceNotFound() {
        assertThatThrownBy(() -> sm.describeTrainingJob(r -> r.trainingJobName("nope")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("ValidationException"))
                .hasMessageStartingWith("Requested resource not found.");
        assertThatThrownBy(() -> sm.stopTrainingJob(r -> r.trainingJobName("nope")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("ValidationException"))
                .hasMessageStartingWith("Requested resource not found.");
        // The waiter treats that error as a failure and stops at once.
        WaiterOverrideConfiguration fast = WaiterOverrideConfiguration.builder().maxAttempts(3)
                .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(50))).build();
        assertThatThrownBy(() -> sm.waiter().waitUntilTrainingJobCompletedOrStopped(
                DescribeTrainingJobRequest.builder().trainingJobName("nope").build(), fast))
                .isInstanceOf(SdkClientException.class);
    }

    @Test
    void stopTwiceIsHarmlessAndStoppedJobsRefuseAnotherStop() throws Exception {
        sm.createTrainingJob(TrainingFixture.job("stop-twice", "ok").build());
        sm.stopTrainingJob(r -> r.trainingJobName("stop-twice"));
        DescribeTrainingJobResponse d = Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName("stop-twice")),
                x -> x.trainingJobStatus() == TrainingJobStatus.STOPPED);
        assertThat(d.secondaryStatusTransitions()).extracting(t -> t.status()).containsExactly(
                SecondaryStatus.STARTING, SecondaryStatus.STOPPING, SecondaryStatus.STOPPED);
        assertThatThrownBy(() -> sm.stopTrainingJob(r -> r.trainingJobName("stop-twice")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("ValidationException"))
                .hasMessageStartingWith("The request was rejected because the training job is in status Stopped.");
    }

    @Test
    void featuresThisHostCannotProvideAreRefusedWithAReason() {
        assertRefused(TrainingFixture.job("pipe", "ok").algorithmSpecification(a -> a
                .trainingImage(TrainingFixture.IMAGE).trainingInputMode("Pipe")), "Pipe input mode is not supported");
        assertRefused(TrainingFixture.job("vpc", "ok").vpcConfig(v -> v.securityGroupIds("sg-1").subnets("subnet-1")),
                "VpcConfig is not supported");
        assertRefused(TrainingFixture.job("spot", "ok").enableManagedSpotTraining(true), "EnableManagedSpotTraining");
        assertRefused(TrainingFixture.job("efs", "ok").inputDataConfig(c -> c.channelName("train").dataSource(d -> d
                .fileSystemDataSource(f -> f.fileSystemId("fs-12345678").fileSystemAccessMode("ro")
                        .fileSystemType("EFS").directoryPath("/x")))), "only S3DataSource is supported");
        assertRefused(TrainingFixture.job("badregex", "ok").algorithmSpecification(a -> a.trainingImage(TrainingFixture.IMAGE)
                .trainingInputMode("File").metricDefinitions(m -> m.name("m").regex("(a)\\1"))),
                "The regular expression of metric 'm' is not valid");
        assertRefused(TrainingFixture.job("ckpt", "ok").checkpointConfig(c -> c.s3Uri("s3://out/ckpt")), "CheckpointConfig");
        // None of the refused jobs exists afterwards.
        assertThatThrownBy(() -> sm.describeTrainingJob(r -> r.trainingJobName("pipe")))
                .hasMessageStartingWith("Requested resource not found.");
    }

    static void assertRefused(software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest.Builder req, String text) {
        assertThatThrownBy(() -> sm.createTrainingJob(req.build()))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("ValidationException"))
                .hasMessageContaining(text);
    }

    static List<String> names(ListTrainingJobsResponse r) {
        return r.trainingJobSummaries().stream().map(TrainingJobSummary::trainingJobName).toList();
    }

    @Test
    void listFiltersSortsAndPages() {
        assertThat(names(sm.listTrainingJobs(r -> r.nameContains("l-")))).containsExactly("l-0", "l-1", "l-2", "l-3", "l-4", "l-5");
        assertThat(names(sm.listTrainingJobs(r -> r.nameContains("L-").sortBy("Name").sortOrder("Descending"))))
                .containsExactly("l-5", "l-4", "l-3", "l-2", "l-1", "l-0");
        assertThat(names(sm.listTrainingJobs(r -> r.nameContains("l-").sortBy("Status"))))
                .containsExactly("l-0", "l-2", "l-3", "l-5", "l-1", "l-4");
        TrainingJobSummary s = sm.listTrainingJobs(r -> r.nameContains("l-4")).trainingJobSummaries().get(0);
        assertThat(s.trainingJobStatus()).isEqualTo(TrainingJobStatus.STOPPED);
        assertThat(s.secondaryStatus()).isEqualTo(SecondaryStatus.STOPPED);
        assertThat(s.trainingJobArn()).endsWith(":training-job/l-4");
        assertThat(s.trainingEndTime()).isNotNull();

        List<String> paged = new ArrayList<>();
        sm.listTrainingJobsPaginator(r -> r.nameContains("l-").maxResults(4)).trainingJobSummaries()
                .forEach(x -> paged.add(x.trainingJobName()));
        assertThat(paged).containsExactly("l-0", "l-1", "l-2", "l-3", "l-4", "l-5");

        Instant created2 = sm.describeTrainingJob(r -> r.trainingJobName("l-2")).creationTime();
        assertThat(names(sm.listTrainingJobs(r -> r.nameContains("l-").creationTimeAfter(created2))))
                .containsExactly("l-3", "l-4", "l-5");
        assertThat(names(sm.listTrainingJobs(r -> r.nameContains("l-").creationTimeBefore(created2))))
                .containsExactly("l-0", "l-1");
        assertThat(names(sm.listTrainingJobs(r -> r.nameContains("l-").warmPoolStatusEquals("Available")))).isEmpty();
    }

    @Test
    void statusEqualsIsAppliedAfterMaxResultsAsSageMakerDocuments() {
        // The first page holds l-0, l-1, l-2; of those only l-1 is Stopped. The next page holds l-3, l-4, l-5.
        ListTrainingJobsResponse first = sm.listTrainingJobs(r -> r.nameContains("l-").statusEquals("Stopped").maxResults(3));
        assertThat(names(first)).containsExactly("l-1");
        assertThat(first.nextToken()).isNotNull();
        ListTrainingJobsResponse second = sm.listTrainingJobs(r -> r.nameContains("l-").statusEquals("Stopped")
                .maxResults(3).nextToken(first.nextToken()));
        assertThat(names(second)).containsExactly("l-4");
        assertThat(second.nextToken()).isNull();
        // A page can be empty and still have a next page; the paginator reaches every match.
        ListTrainingJobsResponse empty = sm.listTrainingJobs(r -> r.nameContains("l-").statusEquals("Stopped").maxResults(1));
        assertThat(names(empty)).isEmpty();
        assertThat(empty.nextToken()).isNotNull();
        List<String> all = new ArrayList<>();
        sm.listTrainingJobsPaginator(r -> r.nameContains("l-").statusEquals("Stopped").maxResults(1))
                .trainingJobSummaries().forEach(x -> all.add(x.trainingJobName()));
        assertThat(all).containsExactly("l-1", "l-4");
        // A token belongs to its query.
        assertThatThrownBy(() -> sm.listTrainingJobs(r -> r.nameContains("l-").statusEquals("InProgress")
                .maxResults(3).nextToken(first.nextToken())))
                .hasMessageStartingWith("Invalid pagination token.");
    }
}
