package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.testsupport.Prerequisites;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * The SageMaker Python SDK's calls for default_bucket, attach, logs_for_job and TrainingJobAnalytics made with
 * Debian's boto3 (python3-boto3: botocore 1.29, which speaks the query protocol to CloudWatch), against a job that ran.
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
        }
    }
}
