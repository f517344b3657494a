package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.testsupport.Prerequisites;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.NotebookInstanceStatus;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * Starts the server exactly as the README's quickstart does, {@code bin/sagebrush server} with no flags in a fresh
 * working directory (so the data directory is the relative {@code ./data}), and runs what broke there: a notebook
 * instance (its user's home is under the data directory), a training job (its SM_* paths) and an ONNX compilation for
 * ml_c6g (the aarch64 runtime is loaded from the data directory's cache). The port comes from SAGEBRUSH_PORT, an
 * environment setting rather than a flag, so the test never collides with a server on 8080; the training image
 * registry from SAGEBRUSH_TRAINING_IMAGES likewise. A second start on the same port must answer one line.
 */
class ReadmeStartIT {
    @TempDir Path work;

    @Test
    void bareServerCommandInAFreshDirectoryRunsANotebookATrainingJobAndAnAarch64Compilation() throws Exception {
        Prerequisites.require(NotebookHost.jupyterInstalled(), "jupyter-notebook and python3-ipykernel are not installed");
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/qemu-aarch64-static")),
                "qemu-user-static is not installed (ml_c6g models are verified under qemu)");
        Path repo = Path.of("").toAbsolutePath();
        // A checkout or working directory is usually world-traversable; JUnit's temporary directory is not, and an
        // instance user (RootAccess Disabled) must traverse it to reach its own directories under ./data.
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path launcher = repo.resolve("bin/sagebrush");
        // The classes are fresh (this test runs after the build): the launcher must not build again.
        Files.setLastModifiedTime(repo.resolve("target/.built").toFile().exists() ? repo.resolve("target/.built")
                : Files.createFile(repo.resolve("target/.built")), java.nio.file.attribute.FileTime.from(Instant.now()));
        Path train = Files.writeString(work.resolve("train.sh"), """
                set -eu
                echo "config dir: $SM_INPUT_CONFIG_DIR"
                case "$SM_INPUT_CONFIG_DIR" in /*) ;; *) echo "relative path handed to the job" >&2; exit 7 ;; esac
                cat "$SM_INPUT_CONFIG_DIR/hyperparameters.json"
                echo "loss=0.25"
                echo done > "$SM_MODEL_DIR/model.txt"
                """);
        Path images = Files.writeString(work.resolve("images.txt"), "local/readme:1 /bin/sh '" + train + "'\n");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "server").directory(work.toFile())
                .redirectErrorStream(true);
        pb.environment().putAll(Map.of("SAGEBRUSH_PORT", Integer.toString(port),
                "SAGEBRUSH_TRAINING_IMAGES", images.toString()));
        pb.environment().remove("SAGEBRUSH_DATA_DIR");
        Process server = pb.start();
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) output.add(line);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        try {
            waitFor(() -> output.stream().anyMatch(l -> l.startsWith("Sagebrush is ready at")), Duration.ofMinutes(3),
                    output);
            assertThat(work.resolve("data/sagebrush.db")).exists();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
            try (SageMakerClient sm = SageMakerClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                         .credentialsProvider(creds).httpClientBuilder(Apache5HttpClient.builder()).build();
                 S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                         .forcePathStyle(true).credentialsProvider(creds).httpClientBuilder(Apache5HttpClient.builder())
                         .build();
                 CloudWatchLogsClient logs = CloudWatchLogsClient.builder().endpointOverride(endpoint)
                         .region(Region.US_EAST_1).credentialsProvider(creds)
                         .httpClientBuilder(Apache5HttpClient.builder()).build()) {
                s3.createBucket(b -> b.bucket("models"));
                s3.putObject(b -> b.bucket("models").key("onnx/mlp.tar.gz"), RequestBody.fromBytes(Tarballs.create()
                        .file("mlp.onnx", XgboostCompilationIT.fixture("fixtures/onnx/mlp.onnx")).bytes()));

                sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("readme-lcc")
                        .onStart(h -> h.content(java.util.Base64.getEncoder().encodeToString(
                                "echo hello from on-start\n".getBytes(StandardCharsets.UTF_8)))));
                sm.createNotebookInstance(r -> r.notebookInstanceName("readme").instanceType("ml.t3.medium")
                        .roleArn("arn:aws:iam::000000000000:role/NotebookRole").rootAccess("Disabled")
                        .lifecycleConfigName("readme-lcc"));
                sm.createTrainingJob(r -> r.trainingJobName("readme").roleArn("arn:aws:iam::000000000000:role/R")
                        .algorithmSpecification(a -> a.trainingImage("local/readme:1").trainingInputMode("File"))
                        .hyperParameters(Map.of("epochs", "1"))
                        .outputDataConfig(o -> o.s3OutputPath("s3://models/trained"))
                        .resourceConfig(rc -> rc.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(1))
                        .stoppingCondition(s -> s.maxRuntimeInSeconds(600)));
                sm.createCompilationJob(r -> r.compilationJobName("readme-c6g")
                        .roleArn("arn:aws:iam::000000000000:role/R")
                        .inputConfig(i -> i.s3Uri("s3://models/onnx/mlp.tar.gz").framework("ONNX")
                                .dataInputConfig("{\"x\": [4, 16]}"))
                        .outputConfig(o -> o.s3OutputLocation("s3://models/compiled/").targetDevice("ml_c6g"))
                        .stoppingCondition(s -> s.maxRuntimeInSeconds(900)));

                DescribeTrainingJobResponse t = Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName("readme")),
                        d -> d.trainingJobStatus() != TrainingJobStatus.IN_PROGRESS, Duration.ofMinutes(3));
                assertThat(t.trainingJobStatus()).as(t.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
                String stream = logs.describeLogStreams(r -> r.logGroupName("/aws/sagemaker/TrainingJobs"))
                        .logStreams().get(0).logStreamName();
                assertThat(logs.getLogEvents(r -> r.logGroupName("/aws/sagemaker/TrainingJobs").logStreamName(stream)
                        .startFromHead(true)).events()).anySatisfy(e -> assertThat(e.message())
                        .matches("config dir: /.*/input/config")); // absolute: /opt/ml in the sandbox

                DescribeCompilationJobResponse c = Waits.until(() -> sm.describeCompilationJob(r -> r.compilationJobName("readme-c6g")),
                        d -> d.compilationJobStatus() == CompilationJobStatus.COMPLETED
                                || d.compilationJobStatus() == CompilationJobStatus.FAILED, Duration.ofMinutes(5));
                assertThat(c.compilationJobStatus()).as(c.failureReason()).isEqualTo(CompilationJobStatus.COMPLETED);

                var nb = Waits.until(() -> sm.describeNotebookInstance(r -> r.notebookInstanceName("readme")),
                        d -> d.notebookInstanceStatus() != NotebookInstanceStatus.PENDING, Duration.ofMinutes(3));
                assertThat(nb.notebookInstanceStatus()).as(nb.failureReason()).isEqualTo(NotebookInstanceStatus.IN_SERVICE);
                // The lifecycle script's output and Jupyter's log, in the streams SageMaker names for them.
                Waits.until(() -> logs.describeLogStreams(r -> r.logGroupName("/aws/sagemaker/NotebookInstances"))
                                .logStreams().stream().map(x -> x.logStreamName()).toList(),
                        names -> names.contains("readme/LifecycleConfigOnStart") && names.contains("readme/jupyter.log"),
                        Duration.ofSeconds(30));
                assertThat(logs.getLogEvents(r -> r.logGroupName("/aws/sagemaker/NotebookInstances")
                        .logStreamName("readme/LifecycleConfigOnStart").startFromHead(true)).events())
                        .anySatisfy(e -> assertThat(e.message()).contains("hello from on-start"));
                sm.stopNotebookInstance(r -> r.notebookInstanceName("readme"));
                NotebookHost.fastWaiter(sm).waitUntilNotebookInstanceStopped(r -> r.notebookInstanceName("readme"));
                sm.deleteNotebookInstance(r -> r.notebookInstanceName("readme"));
            }

            // A second server on the same port: one line that says to use --port, no stack trace.
            ProcessBuilder again = new ProcessBuilder(launcher.toString(), "server").directory(work.toFile())
                    .redirectErrorStream(true);
            again.environment().put("SAGEBRUSH_PORT", Integer.toString(port));
            Process second = again.start();
            String said = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).isEqualTo(2);
            assertThat(said.strip().lines()).singleElement().asString()
                    .startsWith("sagebrush: cannot listen on 127.0.0.1:" + port + ": the address is already in use")
                    .contains("--port");
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly();
            reader.join(5000);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier done, Duration timeout, List<String> output)
            throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(end)) throw new AssertionError("server did not start:\n" + String.join("\n", output));
            Thread.sleep(200);
        }
    }
}
