package dev.sagebrush.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.SqliteResourceStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.StopTrainingJobRequest;

/**
 * DescribeTrainingJob sends the stored document as is: that is only right while the stored bytes are exactly what
 * decoding them into the SDK's response and encoding that would give, for a new job and after a write of the API.
 */
class DescribeWireTest {
    @Test
    void theStoredDocumentIsTheEncodedResponse(@TempDir Path dir) {
        JsonCodec codec = new JsonCodec();
        try (SqliteResourceStore store = new SqliteResourceStore(dir.resolve("db.sqlite"))) {
            TrainingJobs jobs = new TrainingJobs(store, codec, () -> { });
            RequestContext ctx = new RequestContext("000000000000", "us-east-1", "test", "r1", Instant.now());
            String body = "{\"TrainingJobName\":\"wire\",\"RoleArn\":\"arn:aws:iam::000000000000:role/R\","
                    + "\"AlgorithmSpecification\":{\"TrainingImage\":\"img:1\",\"TrainingInputMode\":\"File\"},"
                    + "\"HyperParameters\":{\"eta\":\"0.1\"},\"InputDataConfig\":[{\"ChannelName\":\"train\","
                    + "\"DataSource\":{\"S3DataSource\":{\"S3DataType\":\"S3Prefix\",\"S3Uri\":\"s3://d/t/\"}}}],"
                    + "\"OutputDataConfig\":{\"S3OutputPath\":\"s3://out/\"},\"ResourceConfig\":{\"InstanceType\":"
                    + "\"ml.m5.large\",\"InstanceCount\":1,\"VolumeSizeInGB\":10},\"StoppingCondition\":"
                    + "{\"MaxRuntimeInSeconds\":3600},\"Environment\":{\"A\":\"b\"},\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}";
            jobs.create(ctx, codec.decode(body.getBytes(StandardCharsets.UTF_8), CreateTrainingJobRequest.builder()));
            DescribeTrainingJobRequest describe = DescribeTrainingJobRequest.builder().trainingJobName("wire").build();
            assertThat(jobs.describeWire(ctx, describe).json()).isEqualTo(codec.encode(jobs.describe(ctx, describe)));
            jobs.stop(ctx, StopTrainingJobRequest.builder().trainingJobName("wire").build());
            assertThat(new String(jobs.describeWire(ctx, describe).json(), StandardCharsets.UTF_8))
                    .isEqualTo(new String(codec.encode(jobs.describe(ctx, describe)), StandardCharsets.UTF_8))
                    .contains("\"TrainingJobStatus\":\"Stopping\"");
        }
    }
}
