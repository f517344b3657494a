package dev.sagebrush.training.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;

class ContainerConfigTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Channel channel(String name, String distribution, String contentType, String mode) {
        return Channel.builder().channelName(name).contentType(contentType).inputMode(mode)
                .dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix").s3Uri("s3://b/" + name + "/")
                        .s3DataDistributionType(distribution))).build();
    }

    static DescribeTrainingJobResponse job() {
        return DescribeTrainingJobResponse.builder()
                .trainingJobName("j1")
                .trainingJobArn("arn:aws:sagemaker:eu-west-1:123456789012:training-job/j1")
                .algorithmSpecification(a -> a.trainingImage("img").trainingInputMode("File"))
                .hyperParameters(Map.of("epochs", "10", "lr", "0.01", "optimizer", "\"adam\"", "name", "plain",
                        "sagemaker_program", "\"train.py\"", "sagemaker_submit_directory", "\"s3://b/code.tar.gz\""))
                .inputDataConfig(channel("train", "ShardedByS3Key", "text/csv", null),
                        channel("validation", null, null, "FastFile"))
                .resourceConfig(r -> r.instanceType("ml.m5.xlarge").instanceCount(1))
                .environment(Map.of("USER_VAR", "x", "SM_NUM_GPUS", "user-wins", "TRAINING_JOB_NAME", "platform-wins"))
                .build();
    }

    @Test
    void writesTheThreeConfigFilesOfTheContainerContract(@TempDir Path dir) throws Exception {
        JobLayout layout = new JobLayout(dir, JobLayout.HOST);
        layout.prepare();
        new ContainerConfig(job(), layout, 4).writeConfigFiles();

        JsonNode hps = JSON.readTree(Files.readString(layout.config().resolve("hyperparameters.json")));
        assertThat(hps.get("epochs").asText()).isEqualTo("10"); // strings, exactly as given
        assertThat(hps.get("optimizer").asText()).isEqualTo("\"adam\"");

        JsonNode data = JSON.readTree(Files.readString(layout.config().resolve("inputdataconfig.json")));
        // Keys sorted, as the training toolkit writes its JSON.
        assertThat(data.get("train").toString()).isEqualTo("{\"ContentType\":\"text/csv\",\"RecordWrapperType\":\"None\","
                + "\"S3DistributionType\":\"ShardedByS3Key\",\"TrainingInputMode\":\"File\"}");
        assertThat(data.get("validation").toString()).isEqualTo("{\"RecordWrapperType\":\"None\","
                + "\"S3DistributionType\":\"FullyReplicated\",\"TrainingInputMode\":\"FastFile\"}");

        JsonNode rc = JSON.readTree(Files.readString(layout.config().resolve("resourceconfig.json")));
        assertThat(rc.get("current_host").asText()).isEqualTo("algo-1");
        assertThat(rc.get("hosts").toString()).isEqualTo("[\"algo-1\"]");
        assertThat(rc.get("current_instance_type").asText()).isEqualTo("ml.m5.xlarge");
        assertThat(rc.get("instance_groups").get(0).get("instance_group_name").asText()).isEqualTo("homogeneousCluster");
    }

    @Test
    void environmentHasThePlatformAndToolkitVariablesAtTheContainerPaths(@TempDir Path dir) throws Exception {
        JobLayout layout = new JobLayout(dir, JobLayout.HOST);
        Map<String, String> env = new ContainerConfig(job(), layout, 4).environment(Map.of(
                "PATH", "/usr/bin:/bin", "AWS_SECRET_ACCESS_KEY", "server-secret", "LANG", "C.UTF-8"));

        assertThat(env).containsEntry("TRAINING_JOB_NAME", "j1")
                .containsEntry("TRAINING_JOB_ARN", "arn:aws:sagemaker:eu-west-1:123456789012:training-job/j1")
                .containsEntry("USER_VAR", "x")
                .containsEntry("SM_NUM_GPUS", "user-wins")
                .containsEntry("PATH", "/usr/bin:/bin").containsEntry("LANG", "C.UTF-8")
                .containsEntry("HOME", "/tmp").containsEntry("SAGEBRUSH_ML_ROOT", "/opt/ml")
                .containsEntry("SM_MODEL_DIR", "/opt/ml/model")
                .containsEntry("SM_INPUT_DIR", "/opt/ml/input")
                .containsEntry("SM_INPUT_CONFIG_DIR", "/opt/ml/input/config")
                .containsEntry("SM_OUTPUT_DIR", "/opt/ml/output")
                .containsEntry("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data") // the toolkit's, on every host
                .containsEntry("SM_CHANNELS", "[\"train\",\"validation\"]")
                .containsEntry("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train")
                .containsEntry("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation")
                .containsEntry("SM_CURRENT_HOST", "algo-1")
                .containsEntry("SM_HOSTS", "[\"algo-1\"]")
                .containsEntry("SM_NUM_CPUS", "4")
                .containsEntry("SM_CURRENT_INSTANCE_TYPE", "ml.m5.xlarge")
                .containsEntry("SM_USER_ENTRY_POINT", "train.py")
                .containsEntry("SM_MODULE_NAME", "train")
                .containsEntry("SM_MODULE_DIR", "s3://b/code.tar.gz")
                // Hyperparameters decoded the toolkit's way; sagemaker_* ones are framework parameters.
                .containsEntry("SM_HPS", "{\"epochs\":10,\"lr\":0.01,\"name\":\"plain\",\"optimizer\":\"adam\"}")
                .containsEntry("SM_HP_EPOCHS", "10").containsEntry("SM_HP_OPTIMIZER", "adam").containsEntry("SM_HP_NAME", "plain")
                .containsEntry("SM_USER_ARGS", "[\"--epochs\",\"10\",\"--lr\",\"0.01\",\"--name\",\"plain\",\"--optimizer\",\"adam\"]")
                .containsEntry("SM_FRAMEWORK_PARAMS", "{\"sagemaker_program\":\"train.py\",\"sagemaker_submit_directory\":\"s3://b/code.tar.gz\"}")
                .doesNotContainKey("SM_HP_SAGEMAKER_PROGRAM")
                .doesNotContainKey("AWS_SECRET_ACCESS_KEY");
        JsonNode training = JSON.readTree(env.get("SM_TRAINING_ENV"));
        assertThat(training.get("job_name").asText()).isEqualTo("j1");
        assertThat(training.get("channel_input_dirs").get("train").asText()).isEqualTo("/opt/ml/input/data/train");
        assertThat(training.get("hyperparameters").get("lr").asDouble()).isEqualTo(0.01);
    }

    @Test
    void channelKeysCannotEscapeTheChannelDirectory(@TempDir Path dir) throws Exception {
        assertThat(ChannelDownloader.safeResolve(dir, "a/b.csv", "train")).isEqualTo(dir.resolve("a/b.csv"));
        for (String bad : new String[] {"../x", "a/../../x", "a//b", "./a", ""}) {
            assertThatThrownBy(() -> ChannelDownloader.safeResolve(dir, bad, "train"))
                    .isInstanceOf(TrainingFailure.class).hasMessageStartingWith("ClientError: The S3 key");
        }
    }
}
