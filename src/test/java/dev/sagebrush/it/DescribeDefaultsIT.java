package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;

/**
 * Every Describe answers the members AWS answers for the same minimal request, defaults included, read as raw JSON
 * (an SDK object cannot tell an absent member from a default, a Python client's {@code desc["KmsKeyId"]} can). One
 * test per resource kind; the defaults are AWS's documented ones (API reference, botocore's model) and the SageMaker
 * Python SDK's fixtures of AWS responses.
 */
class DescribeDefaultsIT {
    static final String ROLE = "arn:aws:iam::000000000000:role/SageMakerRole";
    static ServerFixture fixture;
    static SageMakerClient sm;
    static RawClient raw;

    @BeforeAll
    static void start() {
        fixture = ServerFixture.start(c -> c.withCompileWorkers(0)
                .withTraining(c.training().withWorkers(0)).withNotebooks(c.notebooks().withRunInstances(false)));
        sm = fixture.sagemaker();
        raw = new RawClient(fixture.endpoint);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    static JsonNode describe(String operation, String body) throws Exception {
        RawClient.Response r = raw.call("SageMaker." + operation, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void trainingJob() throws Exception {
        sm.createTrainingJob(r -> r.trainingJobName("t").roleArn(ROLE)
                .algorithmSpecification(a -> a.trainingImage("img:1").trainingInputMode("File"))
                .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s
                        .s3DataType("S3Prefix").s3Uri("s3://b/train"))))
                .outputDataConfig(o -> o.s3OutputPath("s3://b/out"))
                .resourceConfig(rc -> rc.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(10))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(3600)));
        JsonNode d = describe("DescribeTrainingJob", "{\"TrainingJobName\":\"t\"}");
        assertThat(d.at("/OutputDataConfig/KmsKeyId").isTextual()).isTrue();
        assertThat(d.at("/OutputDataConfig/KmsKeyId").asText()).isEmpty();
        assertThat(d.at("/OutputDataConfig/CompressionType").asText()).isEqualTo("GZIP");
        assertThat(d.at("/EnableNetworkIsolation").asBoolean(true)).isFalse();
        assertThat(d.at("/EnableInterContainerTrafficEncryption").asBoolean(true)).isFalse();
        assertThat(d.at("/EnableManagedSpotTraining").asBoolean(true)).isFalse();
        JsonNode channel = d.at("/InputDataConfig/0");
        assertThat(channel.at("/CompressionType").asText()).isEqualTo("None");
        assertThat(channel.at("/RecordWrapperType").asText()).isEqualTo("None");
        assertThat(channel.at("/DataSource/S3DataSource/S3DataDistributionType").asText()).isEqualTo("FullyReplicated");
        for (String m : new String[] {"TrainingJobName", "TrainingJobArn", "ModelArtifacts", "TrainingJobStatus",
                "SecondaryStatus", "StoppingCondition", "CreationTime", "LastModifiedTime", "AlgorithmSpecification",
                "RoleArn", "ResourceConfig", "SecondaryStatusTransitions"}) {
            assertThat(d.has(m)).as(m).isTrue();
        }
        assertThat(d.has("ProfilingStatus")).isFalse(); // only with a ProfilerConfig
    }

    @Test
    void compilationJob() throws Exception {
        sm.createCompilationJob(r -> r.compilationJobName("c").roleArn(ROLE)
                .inputConfig(i -> i.s3Uri("s3://b/xgb/model.tar.gz").framework("XGBOOST"))
                .outputConfig(o -> o.s3OutputLocation("s3://b/out/").targetDevice("ml_c5"))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(900)));
        JsonNode d = describe("DescribeCompilationJob", "{\"CompilationJobName\":\"c\"}");
        // Every member AWS's model marks required, at STARTING already (no worker runs here): FailureReason "" until
        // the job fails, ModelArtifacts where the compiled model will be (as DescribeTrainingJob's, known up front).
        for (String m : new String[] {"CompilationJobName", "CompilationJobArn", "CompilationJobStatus",
                "StoppingCondition", "CreationTime", "LastModifiedTime", "FailureReason", "ModelArtifacts", "RoleArn",
                "InputConfig", "OutputConfig"}) {
            assertThat(d.has(m)).as(m).isTrue();
        }
        assertThat(d.at("/CompilationJobStatus").asText()).isEqualTo("STARTING");
        assertThat(d.at("/FailureReason").isTextual()).isTrue();
        assertThat(d.at("/FailureReason").asText()).isEmpty();
        assertThat(d.at("/ModelArtifacts/S3ModelArtifacts").asText()).isEqualTo("s3://b/out/model-ml_c5.tar.gz");
        assertThat(d.at("/StoppingCondition/MaxRuntimeInSeconds").asInt()).isEqualTo(900);
        // Optional members that only a compilation produces, and times that only a started job has.
        for (String m : new String[] {"ModelDigests", "DerivedInformation", "InferenceImage", "CompilationStartTime",
                "CompilationEndTime", "VpcConfig", "ModelPackageVersionArn"}) {
            assertThat(d.has(m)).as(m).isFalse();
        }
        // A target platform names the artifact by os_arch[_accelerator], as the compilers do.
        sm.createCompilationJob(r -> r.compilationJobName("p").roleArn(ROLE)
                .inputConfig(i -> i.s3Uri("s3://b/m.tgz").framework("ONNX").dataInputConfig("{\"x\":[1,4]}"))
                .outputConfig(o -> o.s3OutputLocation("s3://b/out").targetPlatform(t -> t.os("LINUX").arch("ARM64")))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(900)));
        assertThat(describe("DescribeCompilationJob", "{\"CompilationJobName\":\"p\"}")
                .at("/ModelArtifacts/S3ModelArtifacts").asText()).isEqualTo("s3://b/out/m-LINUX_ARM64.tar.gz");
    }

    /** The same members once the job has run: COMPLETED and FAILED (Sagebrush's compilation worker, really run). */
    @Test
    void compilationJobAtEveryEndStatus() throws Exception {
        try (ServerFixture running = ServerFixture.start(c -> c.withNotebooks(c.notebooks().withRunInstances(false)))) {
            SageMakerClient client = running.sagemaker();
            running.s3().createBucket(b -> b.bucket("models"));
            running.s3().putObject(b -> b.bucket("models").key("xgb/model.tar.gz"),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(Tarballs.create().file("binary_logistic.json",
                            XgboostCompilationIT.fixture("fixtures/xgboost/binary_logistic.json")).bytes()));
            RawClient rawRunning = new RawClient(running.endpoint);
            for (String[] job : new String[][] {{"done", "s3://models/xgb/model.tar.gz"}, {"broken", "s3://models/none.tar.gz"}}) {
                client.createCompilationJob(r -> r.compilationJobName(job[0]).roleArn(ROLE)
                        .inputConfig(i -> i.s3Uri(job[1]).framework("XGBOOST"))
                        .outputConfig(o -> o.s3OutputLocation("s3://models/out/").targetDevice("ml_c5"))
                        .stoppingCondition(s -> s.maxRuntimeInSeconds(900)));
            }
            JsonNode done = awaitEnd(rawRunning, "done");
            assertThat(done.at("/CompilationJobStatus").asText()).as(done.toString()).isEqualTo("COMPLETED");
            assertThat(done.at("/FailureReason").asText()).isEmpty();
            assertThat(done.at("/ModelArtifacts/S3ModelArtifacts").asText()).isEqualTo("s3://models/out/model-ml_c5.tar.gz");
            assertThat(done.at("/ModelDigests/ArtifactDigest").asText()).startsWith("blake2b:");
            assertThat(done.has("CompilationStartTime") && done.has("CompilationEndTime")).isTrue();
            JsonNode broken = awaitEnd(rawRunning, "broken");
            assertThat(broken.at("/CompilationJobStatus").asText()).isEqualTo("FAILED");
            assertThat(broken.at("/FailureReason").asText()).startsWith("ClientError: ");
            assertThat(broken.at("/ModelArtifacts/S3ModelArtifacts").asText()).isEqualTo("s3://models/out/none-ml_c5.tar.gz");
            assertThat(broken.has("ModelDigests")).isFalse();
        }
    }

    static JsonNode awaitEnd(RawClient client, String name) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(3);
        while (true) {
            RawClient.Response r = client.call("SageMaker.DescribeCompilationJob", "{\"CompilationJobName\":\"" + name + "\"}");
            JsonNode d = new ObjectMapper().readTree(r.body());
            String status = d.at("/CompilationJobStatus").asText();
            if (status.equals("COMPLETED") || status.equals("FAILED") || System.nanoTime() > deadline) return d;
            Thread.sleep(200);
        }
    }

    @Test
    void notebookInstance() throws Exception {
        sm.createNotebookInstance(r -> r.notebookInstanceName("n").instanceType("ml.t3.medium").roleArn(ROLE));
        JsonNode d = describe("DescribeNotebookInstance", "{\"NotebookInstanceName\":\"n\"}");
        for (String m : new String[] {"NotebookInstanceArn", "NotebookInstanceName", "NotebookInstanceStatus", "Url",
                "InstanceType", "RoleArn", "LastModifiedTime", "CreationTime"}) {
            assertThat(d.has(m)).as(m).isTrue();
        }
        assertThat(d.at("/DirectInternetAccess").asText()).isEqualTo("Enabled");
        assertThat(d.at("/VolumeSizeInGB").asInt()).isEqualTo(5);
        assertThat(d.at("/RootAccess").asText()).isEqualTo("Enabled");
        assertThat(d.at("/PlatformIdentifier").asText()).startsWith("notebook-");
        assertThat(d.at("/InstanceMetadataServiceConfiguration/MinimumInstanceMetadataServiceVersion").asText())
                .isEqualTo("1");
    }

    @Test
    void notebookInstanceLifecycleConfig() throws Exception {
        sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("l")
                .onStart(h -> h.content("ZWNobyBoaQo=")));
        JsonNode d = describe("DescribeNotebookInstanceLifecycleConfig",
                "{\"NotebookInstanceLifecycleConfigName\":\"l\"}");
        for (String m : new String[] {"NotebookInstanceLifecycleConfigArn", "NotebookInstanceLifecycleConfigName",
                "OnStart", "LastModifiedTime", "CreationTime"}) {
            assertThat(d.has(m)).as(m).isTrue();
        }
        assertThat(d.at("/OnStart/0/Content").asText()).isEqualTo("ZWNobyBoaQo=");
    }
}
