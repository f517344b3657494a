package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.MetricData;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatusTransition;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/** Training jobs that really run (the shell script {@code training/train.sh}), through the AWS SDK. */
class TrainingJobRunIT {
    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;
    static final WaiterOverrideConfiguration FAST = WaiterOverrideConfiguration.builder()
            .maxAttempts(300).backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(200))).build();

    @BeforeAll
    static void start() {
        fixture = TrainingFixture.start(4);
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        s3.createBucket(b -> b.bucket("data"));
        s3.createBucket(b -> b.bucket("out"));
        s3.putObject(b -> b.bucket("data").key("train/a.csv"), RequestBody.fromString("1,2\n3,4\n"));
        s3.putObject(b -> b.bucket("data").key("train/part/b.csv"), RequestBody.fromString("5,6\n"));
        s3.putObject(b -> b.bucket("data").key("manifest/m.json"), RequestBody.fromString(
                "[{\"prefix\": \"s3://data/train/\"}, \"a.csv\"]"));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    static DescribeTrainingJobResponse waitForEnd(String name) {
        return sm.waiter().waitUntilTrainingJobCompletedOrStopped(DescribeTrainingJobRequest.builder().trainingJobName(name).build(), FAST)
                .matched().response().orElseThrow();
    }

    static DescribeTrainingJobResponse describe(String name) {
        return sm.describeTrainingJob(r -> r.trainingJobName(name));
    }

    @Test
    void completesWithModelInS3MetricsAndTransitionsInOrder() throws Exception {
        sm.createTrainingJob(TrainingFixture.job("completes", "ok")
                .hyperParameters(Map.of("mode", "ok", "epochs", "3", "output_data", "summary.txt"))
                .environment(Map.of("MY_VAR", "hello world"))
                .algorithmSpecification(a -> a.trainingImage(TrainingFixture.IMAGE).trainingInputMode("File")
                        .metricDefinitions(m -> m.name("train:loss").regex("train:loss=([0-9.]+)"),
                                m -> m.name("validation:auc").regex("validation:auc=([0-9.]+)"),
                                m -> m.name("never").regex("no such line (\\d+)")))
                .build());
        DescribeTrainingJobResponse d = waitForEnd("completes");

        assertThat(d.trainingJobStatus()).as(d.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
        assertThat(d.secondaryStatus()).isEqualTo(SecondaryStatus.COMPLETED);
        assertThat(d.failureReason()).isNull();
        assertThat(d.secondaryStatusTransitions()).extracting(SecondaryStatusTransition::status).containsExactly(
                SecondaryStatus.STARTING, SecondaryStatus.DOWNLOADING, SecondaryStatus.TRAINING,
                SecondaryStatus.UPLOADING, SecondaryStatus.COMPLETED);
        for (SecondaryStatusTransition t : d.secondaryStatusTransitions()) {
            assertThat(t.statusMessage()).isNotBlank();
            assertThat(t.startTime()).isNotNull();
            assertThat(t.endTime()).isNotNull().isAfterOrEqualTo(t.startTime());
        }
        assertThat(d.secondaryStatusTransitions().get(4).statusMessage()).isEqualTo("Training job completed");
        assertThat(d.trainingStartTime()).isAfterOrEqualTo(d.creationTime());
        assertThat(d.trainingEndTime()).isAfterOrEqualTo(d.trainingStartTime());
        assertThat(d.lastModifiedTime()).isEqualTo(d.trainingEndTime());
        assertThat(d.billableTimeInSeconds()).isGreaterThanOrEqualTo(1);
        assertThat(d.trainingTimeInSeconds()).isEqualTo(d.billableTimeInSeconds());
        assertThat(d.environment()).containsEntry("MY_VAR", "hello world");

        // Each metric's last value: epoch 3 printed loss 0.7 and auc 0.93; the non-numeric match was skipped.
        Map<String, Float> metrics = new HashMap<>();
        for (MetricData m : d.finalMetricDataList()) {
            metrics.put(m.metricName(), m.value());
            assertThat(m.timestamp()).isBetween(d.trainingStartTime(), d.trainingEndTime());
        }
        assertThat(metrics).containsOnly(Map.entry("train:loss", 0.7f), Map.entry("validation:auc", 0.93f));

        String artifact = "s3://out/models/completes/output/model.tar.gz";
        assertThat(d.modelArtifacts().s3ModelArtifacts()).isEqualTo(artifact);
        Map<String, String> files = untar(s3.getObjectAsBytes(b -> b.bucket("out").key("models/completes/output/model.tar.gz")).asByteArray());
        assertThat(files).containsOnlyKeys("model.txt", "sub/weights.bin");
        assertThat(files.get("sub/weights.bin")).isEqualTo("nested\n");
        assertThat(files.get("model.txt")).contains("rows=3", "job=completes",
                "arn=arn:aws:sagemaker:us-east-1:000000000000:training-job/completes", "my_var=hello world",
                "channels=[\"train\"]", "current_host=algo-1", "files=./a.csv ./part/b.csv");
        // What the algorithm wrote to SM_OUTPUT_DATA_DIR (/opt/ml/output/data, as the training toolkit has it) is
        // output.tar.gz next to the model, at the archive's top.
        assertThat(untar(s3.getObjectAsBytes(b -> b.bucket("out").key("models/completes/output/output.tar.gz"))
                .asByteArray())).containsOnly(Map.entry("summary.txt", "rows=3\n"));

        Path log = fixture.dataDir.resolve("training/000000000000/us-east-1/completes/algo-1.log");
        assertThat(Files.readString(log)).contains("arguments: train", "epoch=3 train:loss=0.7",
                "\"epochs\":\"3\"", "not-a-number");
        // The /opt/ml stand-in is removed once the model is in S3; the log stays.
        assertThat(fixture.dataDir.resolve("training/000000000000/us-east-1/completes/ml")).doesNotExist();
    }

    @Test
    void manifestChannelsAndPrefixImagesWork() throws Exception {
        sm.createTrainingJob(TrainingFixture.job("manifest", "ok")
                .algorithmSpecification(a -> a.trainingImage(TrainingFixture.PREFIX_IMAGE + "anything:latest")
                        .trainingInputMode("File").containerArguments("custom", "args"))
                .inputDataConfig(c -> c.channelName("train").dataSource(s -> s.s3DataSource(x -> x
                        .s3DataType("ManifestFile").s3Uri("s3://data/manifest/m.json")
                        .s3DataDistributionType("ShardedByS3Key"))))
                .build());
        DescribeTrainingJobResponse d = waitForEnd("manifest");
        assertThat(d.trainingJobStatus()).as(d.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
        Map<String, String> files = untar(s3.getObjectAsBytes(b -> b.bucket("out").key("models/manifest/output/model.tar.gz")).asByteArray());
        assertThat(files.get("model.txt")).contains("rows=2", "files=./a.csv ");
        assertThat(Files.readString(fixture.dataDir.resolve("training/000000000000/us-east-1/manifest/algo-1.log")))
                .contains("arguments: custom args");
    }

    @Test
    void failureFileBecomesFailureReasonAndTheWaiterFails() {
        sm.createTrainingJob(TrainingFixture.job("fails", "fail").build());
        assertThatThrownBy(() -> sm.waiter().waitUntilTrainingJobCompletedOrStopped(DescribeTrainingJobRequest.builder().trainingJobName("fails").build(), FAST))
                .isInstanceOf(SdkClientException.class);
        DescribeTrainingJobResponse d = describe("fails");
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(d.secondaryStatus()).isEqualTo(SecondaryStatus.FAILED);
        // What the algorithm wrote to output/failure, under SageMaker's category for it.
        assertThat(d.failureReason()).isEqualTo("AlgorithmError: ValueError: the mode hyperparameter asked this job to fail");
        assertThat(last(d).statusMessage()).isEqualTo("Training job failed");
        assertThat(d.trainingEndTime()).isNotNull();
    }

    @Test
    void stopSendsSigtermKeepsThePartialModelAndEndsStopped() throws Exception {
        sm.createTrainingJob(TrainingFixture.job("stopped", "sleep").build());
        awaitLog("stopped", "sleeping");
        sm.stopTrainingJob(r -> r.trainingJobName("stopped"));
        DescribeTrainingJobResponse d = waitForEnd("stopped");
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.STOPPED);
        assertThat(d.secondaryStatus()).isEqualTo(SecondaryStatus.STOPPED);
        assertThat(d.secondaryStatusTransitions()).extracting(SecondaryStatusTransition::status)
                .containsSubsequence(SecondaryStatus.TRAINING, SecondaryStatus.STOPPING, SecondaryStatus.STOPPED);
        assertThat(Files.readString(logOf("stopped"))).contains("got SIGTERM");
        assertThat(untar(s3.getObjectAsBytes(b -> b.bucket("out").key("models/stopped/output/model.tar.gz")).asByteArray()))
                .containsEntry("partial.txt", "partial\n");
        // Stopping a stopped job is refused with SageMaker's message.
        assertThatThrownBy(() -> sm.stopTrainingJob(r -> r.trainingJobName("stopped")))
                .hasMessageStartingWith("The request was rejected because the training job is in status Stopped.");
    }

    @Test
    void aProcessIgnoringSigtermIsKilledAfterTheGracePeriod() throws Exception {
        sm.createTrainingJob(TrainingFixture.job("stubborn", "ignore-term").build());
        awaitLog("stubborn", "ignoring SIGTERM");
        long t0 = System.nanoTime();
        sm.stopTrainingJob(r -> r.trainingJobName("stubborn"));
        DescribeTrainingJobResponse d = waitForEnd("stubborn");
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.STOPPED);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(20));
    }

    @Test
    void maxRuntimeStopsTheJobWithMaxRuntimeExceeded() {
        sm.createTrainingJob(TrainingFixture.job("timeout", "sleep").stoppingCondition(s -> s.maxRuntimeInSeconds(2)).build());
        DescribeTrainingJobResponse d = waitForEnd("timeout");
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.STOPPED);
        assertThat(d.secondaryStatus()).isEqualTo(SecondaryStatus.MAX_RUNTIME_EXCEEDED);
        assertThat(last(d).statusMessage()).isEqualTo("Training job runtime exceeded MaxRuntimeInSeconds provided");
        assertThat(d.billableTimeInSeconds()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anUnmappedImageFailsTheJobWithAClearReason() {
        sm.createTrainingJob(TrainingFixture.job("unmapped", "ok")
                .algorithmSpecification(a -> a.trainingImage("nobody.example.com/unknown:1").trainingInputMode("File"))
                .build());
        DescribeTrainingJobResponse d = waitForFailure("unmapped");
        assertThat(d.failureReason()).startsWith("ClientError: The training image 'nobody.example.com/unknown:1' is "
                + "not in Sagebrush's training image registry (").contains("images.txt");
        assertThat(d.trainingStartTime()).isNull();
        assertThat(d.billableTimeInSeconds()).isNull();
    }

    @Test
    void aLocalCommandRunsOneInstanceAndNoContainerEntrypoint() {
        sm.createTrainingJob(TrainingFixture.job("multi", "ok").resourceConfig(r -> r.instanceType("ml.m5.large")
                .instanceCount(2).volumeSizeInGB(1)).build());
        sm.createTrainingJob(TrainingFixture.job("entry", "ok").algorithmSpecification(a -> a
                .trainingImage(TrainingFixture.IMAGE).trainingInputMode("File").containerEntrypoint("/bin/rm")).build());
        assertThat(waitForFailure("multi").failureReason()).startsWith("ClientError: InstanceCount 2 needs a container "
                + "per instance, but the training image '" + TrainingFixture.IMAGE + "' runs as a local command");
        assertThat(waitForFailure("entry").failureReason()).startsWith("ClientError: AlgorithmSpecification."
                + "ContainerEntrypoint cannot be used with the training image '" + TrainingFixture.IMAGE + "'");
    }

    @Test
    void anEmptyChannelFailsWithSageMakersMessage() {
        sm.createTrainingJob(TrainingFixture.job("empty-channel", "ok")
                .inputDataConfig(c -> c.channelName("train").dataSource(s -> s.s3DataSource(x -> x
                        .s3DataType("S3Prefix").s3Uri("s3://data/nothing-here/"))))
                .build());
        assertThat(waitForFailure("empty-channel").failureReason()).isEqualTo("ClientError: No S3 objects found under "
                + "S3 URL \"s3://data/nothing-here/\" given in input data source. Please ensure that the bucket exists "
                + "in the selected region (us-east-1), that objects exist under that S3 prefix, and that the role \""
                + TrainingFixture.ROLE + "\" has \"s3:ListBucket\" permissions on bucket \"data\".");
    }

    static DescribeTrainingJobResponse waitForFailure(String name) {
        try {
            return Waits.until(() -> describe(name), d -> d.trainingJobStatus() == TrainingJobStatus.FAILED);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static SecondaryStatusTransition last(DescribeTrainingJobResponse d) {
        List<SecondaryStatusTransition> t = d.secondaryStatusTransitions();
        return t.get(t.size() - 1);
    }

    static Path logOf(String job) {
        return fixture.dataDir.resolve("training/000000000000/us-east-1/" + job + "/algo-1.log");
    }

    static void awaitLog(String job, String text) throws InterruptedException {
        Waits.until(() -> {
            try {
                return Files.exists(logOf(job)) ? Files.readString(logOf(job)) : "";
            } catch (IOException e) {
                return "";
            }
        }, s -> s.contains(text), Duration.ofSeconds(30));
    }

    static Map<String, String> untar(byte[] tarGz) throws IOException {
        Map<String, String> files = new HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(tarGz)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (!e.isDirectory()) files.put(e.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return files;
    }
}
