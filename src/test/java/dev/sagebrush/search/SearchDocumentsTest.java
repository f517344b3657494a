package dev.sagebrush.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.training.TrainingJobDocuments;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.MetricData;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatusTransition;

/** The one-parse Search record is exactly what decoding into the SDK's TrainingJob and encoding again gives. */
class SearchDocumentsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final JsonCodec codec = new JsonCodec();
    final TrainingJobDocuments documents = new TrainingJobDocuments(codec);

    void assertSame(DescribeTrainingJobResponse job, Map<String, String> tags) throws Exception {
        StoredResource row = new StoredResource(new ResourceKey("000000000000", "us-east-1", "training-job",
                job.trainingJobName()), job.trainingJobArn(), job.trainingJobStatusAsString(), job.creationTime(),
                job.lastModifiedTime(), 1, documents.encode(job));
        assertThat(SearchDocuments.of(row.document(), tags)).isEqualTo(JSON.readTree(documents.searchDocument(row, tags)));
    }

    @Test
    void aMinimalJobWithoutTags() throws Exception {
        Instant t = Instant.parse("2026-12-04T10:00:00Z");
        assertSame(DescribeTrainingJobResponse.builder().trainingJobName("a").trainingJobArn("arn:x:training-job/a")
                .trainingJobStatus("InProgress").secondaryStatus("Starting").creationTime(t).lastModifiedTime(t)
                .build(), Map.of());
    }

    @Test
    void aCompletedJobWithEveryKindOfMember() throws Exception {
        Instant t = Instant.parse("2026-12-04T10:00:00.123Z");
        DescribeTrainingJobResponse job = DescribeTrainingJobResponse.builder()
                .trainingJobName("full").trainingJobArn("arn:aws:sagemaker:us-east-1:000000000000:training-job/full")
                .trainingJobStatus("Completed").secondaryStatus("Completed").failureReason(null)
                .creationTime(t).trainingStartTime(t.plusSeconds(3)).trainingEndTime(t.plusMillis(61_500))
                .lastModifiedTime(t.plusMillis(61_500)).trainingTimeInSeconds(59).billableTimeInSeconds(59)
                .hyperParameters(Map.of("eta", "0.3", "max_depth", "6", "objective", "binary:logistic"))
                .algorithmSpecification(a -> a.trainingImage("img:1").trainingInputMode("File").metricDefinitions(
                        MetricDefinition.builder().name("validation:auc").regex("auc=([0-9.]+)").build()))
                .roleArn("arn:aws:iam::000000000000:role/R")
                .inputDataConfig(Channel.builder().channelName("train").contentType("text/csv")
                        .dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix").s3Uri("s3://data/train/")
                                .s3DataDistributionType("FullyReplicated"))).build())
                .outputDataConfig(o -> o.s3OutputPath("s3://out/"))
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(30))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(3600))
                .modelArtifacts(m -> m.s3ModelArtifacts("s3://out/full/output/model.tar.gz"))
                .secondaryStatusTransitions(List.of(
                        SecondaryStatusTransition.builder().status("Starting").startTime(t).endTime(t.plusSeconds(3))
                                .statusMessage("Preparing").build(),
                        SecondaryStatusTransition.builder().status("Completed").startTime(t.plusSeconds(61))
                                .statusMessage("Training job completed").build()))
                .finalMetricDataList(MetricData.builder().metricName("validation:auc").value(0.9312f)
                        .timestamp(t.plusSeconds(60)).build())
                .enableNetworkIsolation(false).enableInterContainerTrafficEncryption(false)
                .enableManagedSpotTraining(false)
                .experimentConfig(e -> e.experimentName("exp").trialName("trial"))
                .environment(Map.of("A", "1"))
                .build();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("team", "vision");
        tags.put("env", "prod");
        assertSame(job, tags);
    }
}
