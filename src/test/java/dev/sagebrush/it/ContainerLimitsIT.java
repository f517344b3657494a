package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sagebrush.jobs.sandbox.LoopVolumes;
import dev.sagebrush.jobs.sandbox.SandboxHost;
import dev.sagebrush.testsupport.Prerequisites;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ResourceLimitExceededException;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * The limits a training instance runs under, through the real server and the AWS SDK: VolumeSizeInGB as a disk of
 * that size (for containers and for sandboxed processes), input data that does not fit it, memory (an OOM kill told
 * apart from a SIGKILL of the job's own), the account's instance quota, and a job that waits in Starting while the
 * host's container uid ranges are in use. The server gets 256 MiB per instance, a quota of 3 instances and one
 * container uid range of its own, so that the second concurrent container must wait.
 */
class ContainerLimitsIT {
    static final String SANDBOX_DF = "local/df";
    /** One range of 65536 host uids, far from the default ranges other servers on this host use. */
    static final String ONE_RANGE = (200 * 65536) + "-" + (201 * 65536 - 1);
    static final long MEMORY = 256L << 20;
    @TempDir static Path tmp;
    static String image;
    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require(SandboxHost.probe().available(), "sandboxes (bwrap, root)");
        Prerequisites.require(LoopVolumes.hostSupports(), "loop volumes (root, /dev/loop-control, e2fsprogs)");
        Prerequisites.require(TestImages.canBuild(), "podman and mmdebstrap (apt-get install podman runc mmdebstrap)");
        image = TestImages.byoTraining();
        Path registry = tmp.resolve("images.txt");
        Files.writeString(registry, SANDBOX_DF + " /bin/sh -c 'df -kP /opt/ml | tail -1 > \"$SM_MODEL_DIR/df.txt\"' sh\n");
        fixture = ServerFixture.start(c -> c.withCompileWorkers(0).withNotebooks(c.notebooks().withRunInstances(false))
                .withTraining(c.training().withImagesFile(registry).withWorkers(3).withStopGrace(Duration.ofSeconds(2))
                        .withMemoryBytes(MEMORY).withMaxInstances(3).withContainerUids(ONE_RANGE)));
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        s3.createBucket(r -> r.bucket("data"));
        s3.createBucket(r -> r.bucket("out"));
        s3.putObject(r -> r.bucket("data").key("small/part-0.csv"), RequestBody.fromString("0,1\n"));
    }

    @AfterAll
    static void stop() {
        if (fixture == null) return;
        s3.close();
        fixture.close();
    }

    static CreateTrainingJobRequest.Builder job(String name, String trainingImage, String mode, String data) {
        return ContainerTrainingIT.job(name, trainingImage, mode)
                .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s
                        .s3DataType("S3Prefix").s3Uri("s3://data/" + data + "/").s3DataDistributionType("FullyReplicated"))))
                .outputDataConfig(o -> o.s3OutputPath("s3://out/" + name));
    }

    static DescribeTrainingJobResponse waitForEnd(String name) throws InterruptedException {
        return ContainerTrainingIT.waitForEnd(sm, name);
    }

    /** The container's report.json, or the sandboxed process's model files by name. */
    static JsonNode report(DescribeTrainingJobResponse d) throws Exception {
        Map<String, String> files = ContainerTrainingIT.modelFiles(s3, d);
        return files.containsKey("report.json") ? ContainerTrainingIT.JSON.readTree(files.get("report.json"))
                : ContainerTrainingIT.JSON.valueToTree(files);
    }

    @Test
    void theVolumeIsVolumeSizeInGbForContainersAndSandboxedProcesses() throws Exception {
        sm.createTrainingJob(job("vol-container", image, "ok", "small").build());
        sm.createTrainingJob(job("vol-sandbox", SANDBOX_DF, "ok", "small").build());
        DescribeTrainingJobResponse container = waitForEnd("vol-container");
        assertThat(container.trainingJobStatus()).as(container.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
        // A 1 GiB ext4 filesystem: its blocks less the filesystem's own metadata (journal, inode tables).
        long bytes = report(container).path("volume_bytes").asLong();
        assertThat(bytes).isBetween(900L << 20, 1L << 30);
        DescribeTrainingJobResponse sandbox = waitForEnd("vol-sandbox");
        assertThat(sandbox.trainingJobStatus()).as(sandbox.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
        String df = report(sandbox).path("df.txt").asText().strip();
        long kib = Long.parseLong(df.split("\\s+")[1]);
        assertThat(kib * 1024).isBetween(900L << 20, 1L << 30);
        Path jobDir = fixture.dataDir.resolve("training/000000000000/us-east-1/vol-container");
        assertThat(jobDir.resolve("ml")).doesNotExist();
        assertThat(jobDir.resolve("ml.img")).doesNotExist();
    }

    @Test
    void writingPastTheVolumeFailsTheJobSayingSo() throws Exception {
        sm.createTrainingJob(job("filler", image, "fill", "small").build());
        DescribeTrainingJobResponse d = waitForEnd("filler");
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(d.failureReason()).isEqualTo("ClientError: Insufficient disk space: the ML storage volume of algo-1 "
                + "(VolumeSizeInGB 1) ran out of space, and the training process exited with code 1. /opt/ml holds the "
                + "input data, the model, output and checkpoints: use a larger ResourceConfig.VolumeSizeInGB, or write "
                + "less there.");
        Path log = fixture.dataDir.resolve("training/000000000000/us-east-1/filler/algo-1.log");
        assertThat(Files.readString(log)).contains("No space left on device");
    }

    @Test
    void inputDataLargerThanTheVolumeFailsAsOnSageMaker() throws Exception {
        // 1.1 GiB of input for a 1 GB volume: a sparse local file, uploaded once.
        Path big = tmp.resolve("big.bin");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(1126L << 20);
        }
        s3.putObject(r -> r.bucket("data").key("big/big.bin"), RequestBody.fromFile(big));
        Files.delete(big);
        sm.createTrainingJob(job("too-much-data", image, "ok", "big").build());
        DescribeTrainingJobResponse d = waitForEnd("too-much-data");
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(d.failureReason()).startsWith("ClientError: Data download failed:Insufficient disk space. The input "
                + "data of algo-1 (1.1 GiB) does not fit the free space of its ML storage volume (")
                .endsWith("Use a larger ResourceConfig.VolumeSizeInGB, or less data per instance (ShardedByS3Key "
                        + "splits a channel across instances).");
        s3.deleteObject(r -> r.bucket("data").key("big/big.bin"));
    }

    @Test
    void anOutOfMemoryKillIsToldApartFromASigkillOfTheJobsOwn() throws Exception {
        sm.createTrainingJob(job("hog", image, "oom", "small").build());
        DescribeTrainingJobResponse oom = waitForEnd("hog");
        assertThat(oom.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(oom.failureReason()).isEqualTo("ClientError: OutOfMemoryError: The training process exceeded the "
                + "memory limit of 256 MiB and was killed. Please use an instance type with more memory, or reduce the "
                + "size of training data processed on an instance.");
        sm.createTrainingJob(job("self-kill", image, "sigkill", "small").build());
        DescribeTrainingJobResponse killed = waitForEnd("self-kill");
        assertThat(killed.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(killed.failureReason()).startsWith("AlgorithmError: The training process exited with code 137 and "
                + "wrote no output/failure file.");
    }

    @Test
    void theInstanceQuotaRefusesAndBusyUidRangesQueue() throws Exception {
        assertThatThrownBy(() -> sm.createTrainingJob(job("four", image, "ok", "small")
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(4).volumeSizeInGB(1)).build()))
                .isInstanceOf(ResourceLimitExceededException.class)
                .hasMessageStartingWith("The account-level service limit 'Number of instances across all training "
                        + "jobs' is 3 Instances, with current utilization of 0 Instances and a request delta of 4 "
                        + "Instances. Please contact the operator of this Sagebrush server to request an increase for "
                        + "this limit (server option --max-training-instances).");

        // The server's one uid range goes to the first container; the second job waits for it in Starting.
        sm.createTrainingJob(job("holder", image, "sleep", "small").build());
        Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName("holder")).secondaryStatus(),
                s -> s == SecondaryStatus.TRAINING, Duration.ofMinutes(2));
        sm.createTrainingJob(job("queued", image, "ok", "small").build());
        DescribeTrainingJobResponse waiting = Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName("queued")),
                d -> d.secondaryStatusTransitions().get(d.secondaryStatusTransitions().size() - 1).statusMessage()
                        .startsWith("Waiting"), Duration.ofMinutes(1));
        assertThat(waiting.secondaryStatus()).isEqualTo(SecondaryStatus.STARTING);
        assertThat(waiting.secondaryStatusTransitions().get(0).statusMessage()).isEqualTo("Waiting for free host "
                + "uids: each instance's container needs a range of 65536 uids, and all 1 ranges of "
                + "SAGEBRUSH_CONTAINER_UIDS (" + ONE_RANGE + ") are in use. The job starts when enough are free.");
        assertThat(waiting.trainingStartTime()).isNull();

        // Two instances run (the holder, the queued job): one more pair passes the quota of 3.
        assertThatThrownBy(() -> sm.createTrainingJob(job("pair", image, "ok", "small")
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(2).volumeSizeInGB(1)).build()))
                .isInstanceOf(ResourceLimitExceededException.class)
                .hasMessageContaining("with current utilization of 2 Instances and a request delta of 2 Instances.");

        sm.stopTrainingJob(r -> r.trainingJobName("holder"));
        assertThat(waitForEnd("holder").trainingJobStatus()).isEqualTo(TrainingJobStatus.STOPPED);
        DescribeTrainingJobResponse queued = waitForEnd("queued");
        assertThat(queued.trainingJobStatus()).as(queued.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
        assertThat(queued.secondaryStatusTransitions().get(0).statusMessage())
                .isEqualTo("Preparing the instances for training");
    }

    @Test
    void aJobNeedingMoreUidRangesThanTheHostHasFailsAtOnce() throws Exception {
        sm.createTrainingJob(job("too-wide", image, "ok", "small")
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(2).volumeSizeInGB(1)).build());
        DescribeTrainingJobResponse d = waitForEnd("too-wide");
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(d.failureReason()).isEqualTo("ClientError: InstanceCount 2 needs a container per instance, each "
                + "with a range of 65536 host uids, and this host has 1 such ranges (SAGEBRUSH_CONTAINER_UIDS). Use "
                + "InstanceCount 1 or less, or ask the operator for more ranges.");
    }
}
