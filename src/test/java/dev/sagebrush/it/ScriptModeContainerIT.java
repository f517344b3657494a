package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagebrush.jobs.sandbox.SandboxHost;
import dev.sagebrush.storage.SafeArchive;
import dev.sagebrush.testsupport.Prerequisites;
import dev.sagebrush.training.images.FrameworkImage;
import dev.sagebrush.training.images.ImageBuilder;
import dev.sagebrush.training.images.ImageStore;
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
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * Script mode in the framework images through the container backend, with no configuration: the SDK's SKLearn and
 * PyTorch requests (as in {@link ScriptModeIT}) name AWS's image URIs, the built-in default map sends them to the
 * images {@code bin/sagebrush images build} made (built here if missing, reused by recipe hash), the server unpacks
 * the code into /opt/ml/code, and the container trains with no network and no credentials.
 */
class ScriptModeContainerIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;
    @TempDir static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require(SandboxHost.probe().available(), "sandboxes (bwrap, root)");
        Prerequisites.require(ImageStore.onPath("podman") && ImageStore.onPath("mmdebstrap"),
                "podman and mmdebstrap (apt-get install podman runc mmdebstrap)");
        ImageStore store = new ImageStore("podman");
        ImageBuilder builder = new ImageBuilder(store, ImageBuilder.DEFAULT_MIRROR, Path.of("/var/tmp"), System.out);
        builder.build(FrameworkImage.SKLEARN, false);
        builder.build(FrameworkImage.PYTORCH, false);
        fixture = ServerFixture.start(c -> c.withCompileWorkers(0).withNotebooks(c.notebooks().withRunInstances(false)));
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        s3.createBucket(b -> b.bucket(ScriptModeIT.BUCKET));
        s3.putObject(b -> b.bucket(ScriptModeIT.BUCKET).key("data/iris/train.csv"), RequestBody.fromString(
                ScriptModeIT.irisCsv()));
        s3.putObject(b -> b.bucket(ScriptModeIT.BUCKET).key("data/linear/train.csv"), RequestBody.fromString(
                ScriptModeIT.linearCsv()));
    }

    @AfterAll
    static void stop() {
        if (s3 != null) s3.close();
        if (fixture != null) fixture.close();
    }

    DescribeTrainingJobResponse train(String job, String image, String channel, String data, byte[] code,
                                      Map<String, String> hps) throws Exception {
        s3.putObject(b -> b.bucket(ScriptModeIT.BUCKET).key(job + "/source/sourcedir.tar.gz"), RequestBody.fromBytes(code));
        sm.createTrainingJob(ScriptModeIT.sdkRequest(job, image, channel, data, hps, List.of(), true));
        DescribeTrainingJobResponse d = Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName(job)),
                x -> x.trainingJobStatus() == TrainingJobStatus.COMPLETED || x.trainingJobStatus() == TrainingJobStatus.FAILED,
                Duration.ofMinutes(10));
        assertThat(d.trainingJobStatus()).as(String.valueOf(d.failureReason())).isEqualTo(TrainingJobStatus.COMPLETED);
        return d;
    }

    JsonNode summary(DescribeTrainingJobResponse d) throws Exception {
        Path archive = tmp.resolve(d.trainingJobName() + ".tar.gz");
        Files.write(archive, s3.getObjectAsBytes(b -> b.bucket(ScriptModeIT.BUCKET)
                .key(d.trainingJobName() + "/output/model.tar.gz")).asByteArray());
        Path dir = tmp.resolve(d.trainingJobName());
        SafeArchive.extractTarGz(archive, dir, SafeArchive.Limits.DEFAULT);
        return JSON.readTree(dir.resolve("summary.json").toFile());
    }

    @Test
    void sklearnEstimatorRunsInTheSklearnImage() throws Exception {
        DescribeTrainingJobResponse d = train("sagemaker-scikit-learn-2026-12-04-23-00-00-001", ScriptModeIT.SKLEARN,
                "train", "s3://" + ScriptModeIT.BUCKET + "/data/iris/", ScriptModeIT.sklearnSourceDir(),
                Map.of("n-estimators", "20", "max-depth", "4"));
        JsonNode summary = summary(d);
        assertThat(summary.get("trees").asInt()).isEqualTo(20);
        assertThat(summary.get("sklearn").asText()).isEqualTo("1.2.1");
        assertThat(summary.get("accuracy").asDouble()).isGreaterThan(0.9);
    }

    @Test
    void pytorchEstimatorRunsInThePytorchImage() throws Exception {
        DescribeTrainingJobResponse d = train("pytorch-training-2026-12-04-23-00-00-002", ScriptModeIT.PYTORCH,
                "training", "s3://" + ScriptModeIT.BUCKET + "/data/linear/", ScriptModeIT.pytorchSourceDir(),
                Map.of("epochs", "300", "lr", "0.1"));
        JsonNode summary = summary(d);
        assertThat(summary.get("torch").asText()).startsWith("1.13"); // Debian's 1.13.1 reports 1.13.0a0
        assertThat(summary.get("weight").get(0).asDouble()).isBetween(1.95, 2.05);
        assertThat(summary.get("credentials")).isEmpty();
    }
}
