package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.testsupport.Prerequisites;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * The SageMaker Python SDK's calls for default_bucket, attach, logs_for_job and TrainingJobAnalytics made with
 * Debian's boto3 (python3-boto3: botocore 1.29, which speaks the query protocol to CloudWatch), against a job that ran,
 * then the README's {@code aws logs tail --follow} and {@code aws cloudwatch get-metric-statistics} with Debian's AWS
 * CLI.
 */
class Boto3CallsIT {
    @TempDir Path tmp;

    @Test
    void debiansBoto3SeesTheJobAsTheSdkReadsIt() throws Exception {
        Prerequisites.require(new ProcessBuilder("/usr/bin/python3", "-c", "import boto3").start().waitFor() == 0,
                "python3-boto3 is not installed");
        try (ServerFixture fixture = TrainingFixture.start(1); SageMakerClient sm = fixture.sagemaker()) {
            fixture.s3().createBucket(b -> b.bucket("data"));
            fixture.s3().createBucket(b -> b.bucket("out"));
            fixture.s3().putObject(b -> b.bucket("data").key("train/a.csv"),
                    software.amazon.awssdk.core.sync.RequestBody.fromString("1,2\n"));
            sm.createTrainingJob(TrainingFixture.job("boto3", "ok").hyperParameters(Map.of("mode", "ok", "epochs", "3"))
                    .algorithmSpecification(a -> a.trainingImage(TrainingFixture.IMAGE).trainingInputMode("File")
                            .metricDefinitions(m -> m.name("train:loss").regex("train:loss=([0-9.]+)")))
                    .build());
            var d = Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName("boto3")),
                    j -> j.trainingJobStatus() != TrainingJobStatus.IN_PROGRESS, Duration.ofMinutes(2));
            assertThat(d.trainingJobStatus()).as(d.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
            Path script = tmp.resolve("boto3_calls.py");
            try (InputStream in = getClass().getResourceAsStream("/sdk/boto3_calls.py")) {
                Files.copy(in, script);
            }
            ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), fixture.endpoint.toString(),
                    "boto3").redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("default bucket sagemaker-us-east-1-000000000000");
            readmeCliExamples(fixture);
        }
    }

    /** The README's examples with Debian's AWS CLI 2.9 (its own botocore: CloudWatch in the query protocol). */
    void readmeCliExamples(ServerFixture fixture) throws Exception {
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/aws")), "awscli is not installed");
        // logs tail --follow prints the job's lines and keeps following until it is stopped.
        Process tail = cli(fixture, "logs", "tail", "/aws/sagemaker/TrainingJobs", "--follow").start();
        try {
            java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> new java.io.BufferedReader(new java.io.InputStreamReader(
                    tail.getInputStream(), StandardCharsets.UTF_8)).lines().forEach(lines::add));
            reader.setDaemon(true);
            reader.start();
            StringBuilder seen = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!seen.toString().contains("epoch=3 train:loss=0.7") && System.nanoTime() < deadline) {
                String line = lines.poll(1, TimeUnit.SECONDS);
                if (line != null) seen.append(line).append('\n');
            }
            assertThat(seen.toString()).as(seen.toString()).contains("boto3/algo-1-")
                    .contains("epoch=1 train:loss=0.9").contains("epoch=3 train:loss=0.7");
            assertThat(tail.isAlive()).as("still following").isTrue();
        } finally {
            tail.destroyForcibly();
            tail.waitFor(10, TimeUnit.SECONDS);
        }
        Process stats = cli(fixture, "cloudwatch", "get-metric-statistics", "--namespace", "/aws/sagemaker/TrainingJobs",
                "--metric-name", "train:loss", "--dimensions", "Name=TrainingJobName,Value=boto3", "--statistics",
                "Average", "Minimum", "--start-time", java.time.Instant.now().minusSeconds(3600).toString(), "--end-time",
                java.time.Instant.now().plusSeconds(60).toString(), "--period", "3600").redirectErrorStream(true).start();
        String json = new String(stats.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(stats.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(stats.exitValue()).as(json).isZero();
        com.fasterxml.jackson.databind.JsonNode d = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertThat(d.at("/Label").asText()).isEqualTo("train:loss");
        assertThat(d.at("/Datapoints")).hasSize(1);
        assertThat(d.at("/Datapoints/0/Minimum").asDouble()).isEqualTo(0.7);
        assertThat(d.at("/Datapoints/0/Average").asDouble()).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-9));
    }

    ProcessBuilder cli(ServerFixture fixture, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/aws", "--endpoint-url",
                fixture.endpoint.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().putAll(Map.of("AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test",
                "AWS_DEFAULT_REGION", "us-east-1", "AWS_PAGER", "", "HOME", tmp.toString()));
        return pb;
    }
}
