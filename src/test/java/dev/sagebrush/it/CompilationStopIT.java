package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.Framework;

/**
 * Stop and MaxRuntimeInSeconds on a compilation that is really running: the compiler and verifier processes are
 * killed, the job ends STOPPED (or FAILED for the timeout) promptly, and nothing reaches the output location.
 */
class CompilationStopIT {
    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        fixture = ServerFixture.start();
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        s3.createBucket(b -> b.bucket("models"));
        s3.putObject(b -> b.bucket("models").key("big/model.tar.gz"),
                RequestBody.fromBytes(Tarballs.create().file("model.json", bigModel(600)).bytes()));
    }

    @AfterAll
    static void stop() {
        s3.close();
        fixture.close();
    }

    /** A real model made large by repeating its trees: slow to build and to verify under qemu, same semantics. */
    static byte[] bigModel(int copies) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root;
        try (InputStream in = CompilationStopIT.class.getClassLoader().getResourceAsStream("fixtures/xgboost/binary_logistic.json")) {
            root = (ObjectNode) json.readTree(in);
        }
        ObjectNode model = (ObjectNode) root.path("learner").path("gradient_booster").path("model");
        ArrayNode trees = (ArrayNode) model.path("trees");
        ArrayNode info = (ArrayNode) model.path("tree_info");
        int n = trees.size();
        ArrayNode allTrees = json.createArrayNode();
        ArrayNode allInfo = json.createArrayNode();
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < n; i++) {
                ObjectNode t = trees.get(i).deepCopy();
                t.put("id", c * n + i);
                allTrees.add(t);
                allInfo.add(info.get(i));
            }
        }
        model.set("trees", allTrees);
        model.set("tree_info", allInfo);
        ((ObjectNode) model.path("gbtree_model_param")).put("num_trees", String.valueOf(copies * n));
        return json.writeValueAsBytes(root);
    }

    static void create(String name, int maxRuntime) {
        sm.createCompilationJob(CompilationJobApiIT.job(name)
                .inputConfig(i -> i.s3Uri("s3://models/big/model.tar.gz").framework(Framework.XGBOOST))
                .outputConfig(o -> o.s3OutputLocation("s3://models/out/" + name + "/").targetDevice("rasp3b"))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(maxRuntime)).build());
    }

    static DescribeCompilationJobResponse describe(String name) {
        return sm.describeCompilationJob(r -> r.compilationJobName(name));
    }

    static long childProcesses() {
        return ProcessHandle.current().descendants().filter(p -> p.info().command()
                .map(c -> c.contains("gcc") || c.contains("qemu") || c.contains("cc1") || c.contains("harness")).orElse(false))
                .count();
    }

    @Test
    void stopKillsTheRunningCompilationAndLeavesNoArtifact() throws Exception {
        create("big-stop", 900);
        Waits.until(() -> describe("big-stop"), d -> d.compilationJobStatus() != CompilationJobStatus.STARTING);
        Thread.sleep(300);
        assertThat(describe("big-stop").compilationJobStatus()).as("still running when stopped").isEqualTo(CompilationJobStatus.INPROGRESS);
        Instant stopAt = Instant.now();
        sm.stopCompilationJob(r -> r.compilationJobName("big-stop"));
        DescribeCompilationJobResponse d = Waits.until(() -> describe("big-stop"),
                j -> j.compilationJobStatus() == CompilationJobStatus.STOPPED, Duration.ofSeconds(30));
        assertThat(Duration.between(stopAt, Instant.now())).isLessThan(Duration.ofSeconds(10));
        // ModelArtifacts names where the artifact would have gone (AWS always returns the member); nothing is there.
        assertThat(d.modelArtifacts().s3ModelArtifacts()).isEqualTo("s3://models/out/big-stop/model-rasp3b.tar.gz");
        assertThat(d.failureReason()).isEmpty();
        Waits.until(CompilationStopIT::childProcesses, c -> c == 0, Duration.ofSeconds(10));
        assertThat(s3.listObjectsV2(b -> b.bucket("models").prefix("out/big-stop/")).contents()).isEmpty();
    }

    @Test
    void maxRuntimeFailsTheJobAndKillsItsProcesses() throws Exception {
        create("big-timeout", 1);
        DescribeCompilationJobResponse d = Waits.until(() -> describe("big-timeout"),
                j -> j.compilationJobStatus() == CompilationJobStatus.FAILED
                        || j.compilationJobStatus() == CompilationJobStatus.COMPLETED, Duration.ofSeconds(60));
        assertThat(d.compilationJobStatus()).isEqualTo(CompilationJobStatus.FAILED);
        assertThat(d.failureReason()).isEqualTo("ClientError: The compilation exceeded MaxRuntimeInSeconds (1 s) and was stopped.");
        Waits.until(CompilationStopIT::childProcesses, c -> c == 0, Duration.ofSeconds(10));
        assertThat(s3.listObjectsV2(b -> b.bucket("models").prefix("out/big-timeout/")).contents()).isEmpty();
    }
}
