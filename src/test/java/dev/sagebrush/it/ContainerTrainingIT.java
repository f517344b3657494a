package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagebrush.jobs.sandbox.SandboxHost;
import dev.sagebrush.testsupport.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * Training jobs in containers, through the real server and the AWS SDK: a bring-your-own image built here from a
 * Debian root filesystem ({@link TestImages}), reached through the operator's mapping file or by its own name. What
 * the image's {@code train} program saw from inside (limits, network, user namespace, the contract) comes back in
 * the model it uploads.
 */
class ContainerTrainingIT {
    static final String MAPPED = "123456789012.dkr.ecr.us-east-1.amazonaws.com/byo-trainer:1.0";
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path tmp;
    static String image;
    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require(SandboxHost.probe().available(), "sandboxes (bwrap, root)");
        Prerequisites.require(TestImages.canBuild(), "podman and mmdebstrap (apt-get install podman runc mmdebstrap)");
        image = TestImages.byoTraining();
        Path map = tmp.resolve("images.map");
        Files.writeString(map, "# test mapping\n*.dkr.ecr.*.amazonaws.com/byo-trainer:*  " + image + "\n");
        fixture = ServerFixture.start(c -> c.withCompileWorkers(0).withNotebooks(c.notebooks().withRunInstances(false))
                .withTraining(c.training().withImageMapFile(map).withWorkers(3).withStopGrace(Duration.ofSeconds(2))));
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        s3.createBucket(r -> r.bucket("data"));
        s3.createBucket(r -> r.bucket("out"));
        for (int i = 0; i < 4; i++) {
            int n = i;
            s3.putObject(r -> r.bucket("data").key("shards/part-" + n + ".csv"), RequestBody.fromString(n + ",1\n"));
        }
    }

    @AfterAll
    static void stop() {
        if (fixture == null) return;
        s3.close();
        fixture.close();
    }

    static CreateTrainingJobRequest.Builder job(String name, String trainingImage, String mode) {
        return CreateTrainingJobRequest.builder().trainingJobName(name).roleArn(TrainingFixture.ROLE)
                .algorithmSpecification(a -> a.trainingImage(trainingImage).trainingInputMode("File")
                        .metricDefinitions(m -> m.name("train:loss").regex("loss=([0-9.]+)")))
                .hyperParameters(Map.of("mode", mode))
                .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s
                        .s3DataType("S3Prefix").s3Uri("s3://data/shards/").s3DataDistributionType("FullyReplicated"))))
                .outputDataConfig(o -> o.s3OutputPath("s3://out/" + name))
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(1))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(300));
    }

    static DescribeTrainingJobResponse waitForEnd(String name) throws InterruptedException {
        return waitForEnd(sm, name);
    }

    static DescribeTrainingJobResponse waitForEnd(SageMakerClient sm, String name) throws InterruptedException {
        return Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName(name)),
                d -> d.trainingJobStatus() != TrainingJobStatus.IN_PROGRESS
                        && d.trainingJobStatus() != TrainingJobStatus.STOPPING, Duration.ofMinutes(3));
    }

    static JsonNode report(DescribeTrainingJobResponse d) throws Exception {
        return JSON.readTree(modelFiles(s3, d).get("report.json"));
    }

    /** The files of a job's model.tar.gz (in the bucket {@code out}). */
    static Map<String, String> modelFiles(S3Client s3, DescribeTrainingJobResponse d) throws Exception {
        String key = d.modelArtifacts().s3ModelArtifacts().substring("s3://out/".length());
        return TrainingJobRunIT.untar(s3.getObjectAsBytes(r -> r.bucket("out").key(key)).asByteArray());
    }

    /** Containers of a job still known to the engine (running or not): none once the job has ended. */
    static String containersOf(DescribeTrainingJobResponse d) throws Exception {
        return TestImages.podmanOutput("ps", "-a", "-q", "--filter", "label=dev.sagebrush.training-job="
                + d.trainingJobArn());
    }

    @Test
    void aBringYourOwnImageTrainsUnderTheContractWithLimitsAndNoNetwork() throws Exception {
        // ml.m5.xlarge has 4 vCPUs and 16 GiB: this host gives less (at most its CPUs and the 8 GiB cap), and says so.
        sm.createTrainingJob(job("byo", MAPPED, "ok").enableNetworkIsolation(true)
                .environment(Map.of("GREETING", "hello"))
                .resourceConfig(r -> r.instanceType("ml.m5.xlarge").instanceCount(1).volumeSizeInGB(1)).build());
        DescribeTrainingJobResponse d = waitForEnd("byo");
        assertThat(d.trainingJobStatus()).as(d.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
        JsonNode r = report(d);
        assertThat(r.path("argv").toString()).as("the image ran `train` itself, with no arguments").isEqualTo("[]");
        assertThat(r.path("host").asText()).isEqualTo("algo-1");
        assertThat(r.path("files").toString()).isEqualTo("[\"part-0.csv\",\"part-1.csv\",\"part-2.csv\",\"part-3.csv\"]");
        assertThat(r.path("env").path("GREETING").asText()).isEqualTo("hello");
        assertThat(r.path("env").path("SM_CURRENT_HOST").asText()).isEqualTo("algo-1");
        assertThat(r.path("env").path("SM_CHANNEL_TRAIN").asText()).isEqualTo("/opt/ml/input/data/train");
        // Root inside, an unprivileged range of host uids outside; no network but loopback; a read-only root.
        assertThat(r.path("uid").asInt()).isZero();
        List<String> map = JSON.convertValue(r.path("uid_map"), List.class);
        assertThat(map.get(0)).isEqualTo("0");
        assertThat(Long.parseLong(map.get(1))).isGreaterThanOrEqualTo(1_000_000);
        assertThat(r.path("interfaces").toString()).isEqualTo("[\"lo\"]");
        assertThat(r.path("rootfs").asText()).isEqualTo("read-only");
        int hostCpus = Runtime.getRuntime().availableProcessors();
        int cpus = Math.min(4, hostCpus);
        assertThat(Long.parseLong(r.path("cpu_quota").asText()) / Long.parseLong(r.path("cpu_period").asText()))
                .isEqualTo(cpus);
        assertThat(r.path("env").path("SM_NUM_CPUS").asText()).isEqualTo(Integer.toString(cpus));
        assertThat(Long.parseLong(r.path("memory_limit").asText())).isEqualTo(8L << 30);
        assertThat(d.secondaryStatusTransitions().stream().filter(t -> t.status() == SecondaryStatus.TRAINING)
                .findFirst().orElseThrow().statusMessage()).startsWith("Training image download completed. Training in "
                + "progress. ml.m5.xlarge has 4 vCPUs and 16.0 GiB of memory; each instance gets " + cpus);
        assertThat(d.finalMetricDataList()).anySatisfy(m -> {
            assertThat(m.metricName()).isEqualTo("train:loss");
            assertThat(m.value()).isEqualTo(0.33f);
        });
        Path log = fixture.dataDir.resolve("training/000000000000/us-east-1/byo/algo-1.log");
        assertThat(Files.readString(log)).contains("epoch=2 loss=0.33");
        assertThat(containersOf(d)).isEmpty();
    }

    @Test
    void twoInstancesReachEachOtherByNameAndSplitAShardedChannel() throws Exception {
        sm.createTrainingJob(job("pair", image, "cluster")
                .inputDataConfig(c -> c.channelName("train").dataSource(x -> x.s3DataSource(s -> s
                        .s3DataType("S3Prefix").s3Uri("s3://data/shards/").s3DataDistributionType("ShardedByS3Key"))))
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(2).volumeSizeInGB(1)).build());
        DescribeTrainingJobResponse d = waitForEnd("pair");
        assertThat(d.trainingJobStatus()).as(d.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
        JsonNode r = report(d);
        assertThat(r.path("host").asText()).isEqualTo("algo-1");
        assertThat(r.path("peers").toString()).isEqualTo("[\"algo-2\"]");
        assertThat(r.path("files").toString()).isEqualTo("[\"part-0.csv\",\"part-2.csv\"]");
        assertThat(r.path("resourceconfig").path("hosts").toString()).isEqualTo("[\"algo-1\",\"algo-2\"]");
        assertThat(r.path("resourceconfig").path("network_interface_name").asText()).isEqualTo("eth0");
        Path jobDir = fixture.dataDir.resolve("training/000000000000/us-east-1/pair");
        assertThat(Files.readString(jobDir.resolve("algo-2.log"))).contains("epoch=2 loss=0.33");
        assertThat(containersOf(d)).isEmpty();
        String node = Files.readString(fixture.dataDir.resolve("secrets/node-id")).strip();
        assertThat(TestImages.podmanOutput("network", "ls", "-q", "--filter", "label=dev.sagebrush.owner=" + node))
                .isEmpty();
    }

    @Test
    void stopAndMaxRuntimeKillTheContainer() throws Exception {
        sm.createTrainingJob(job("sleeper", image, "sleep").build());
        sm.createTrainingJob(job("overtime", image, "sleep").stoppingCondition(s -> s.maxRuntimeInSeconds(3)).build());
        Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName("sleeper")).secondaryStatus(),
                s -> s == SecondaryStatus.TRAINING, Duration.ofMinutes(2));
        Thread.sleep(1000);
        sm.stopTrainingJob(r -> r.trainingJobName("sleeper"));
        DescribeTrainingJobResponse stopped = waitForEnd("sleeper");
        assertThat(stopped.trainingJobStatus()).isEqualTo(TrainingJobStatus.STOPPED);
        assertThat(containersOf(stopped)).isEmpty();
        DescribeTrainingJobResponse overtime = waitForEnd("overtime");
        assertThat(overtime.trainingJobStatus()).isEqualTo(TrainingJobStatus.STOPPED);
        assertThat(overtime.secondaryStatus()).isEqualTo(SecondaryStatus.MAX_RUNTIME_EXCEEDED);
        assertThat(containersOf(overtime)).isEmpty();
    }

    @Test
    void aMissingImageFailsSayingHowToProvideIt() throws Exception {
        sm.createTrainingJob(job("missing", "registry.example.com/nobody/missing:1", "ok").build());
        DescribeTrainingJobResponse d = waitForEnd("missing");
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(d.failureReason()).startsWith("ClientError: The training image 'registry.example.com/nobody/missing:1'"
                + " is not in this host's container image store. Provide it with `podman pull`, `podman load -i "
                + "<image.tar>`").contains("bin/sagebrush images build").contains("--training-image-map");
    }
}
