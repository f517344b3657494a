package dev.sagebrush.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.StoredResource;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.MetricData;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;
import software.amazon.awssdk.services.sagemaker.model.Tag;
import software.amazon.awssdk.services.sagemaker.model.TrainingJob;

class SecondaryTransitionsTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aNewStatusAppendsAndEndsThePreviousOneTheSameStatusOnlyChangesTheMessage() {
        DescribeTrainingJobResponse j = DescribeTrainingJobResponse.builder().build();
        j = SecondaryTransitions.advance(j, SecondaryStatus.STARTING, "Starting the training job", T0, false).build();
        j = SecondaryTransitions.advance(j, SecondaryStatus.STARTING, "Preparing the instances for training", T0.plusSeconds(1), false).build();
        j = SecondaryTransitions.advance(j, SecondaryStatus.TRAINING, "Training", T0.plusSeconds(2), false).build();
        j = SecondaryTransitions.advance(j, SecondaryStatus.COMPLETED, "Training job completed", T0.plusSeconds(3), true).build();

        assertThat(j.secondaryStatus()).isEqualTo(SecondaryStatus.COMPLETED);
        assertThat(j.lastModifiedTime()).isEqualTo(T0.plusSeconds(3));
        assertThat(j.secondaryStatusTransitions()).hasSize(3);
        assertThat(j.secondaryStatusTransitions().get(0).statusMessage()).isEqualTo("Preparing the instances for training");
        assertThat(j.secondaryStatusTransitions().get(0).startTime()).isEqualTo(T0);
        assertThat(j.secondaryStatusTransitions().get(0).endTime()).isEqualTo(T0.plusSeconds(2));
        assertThat(j.secondaryStatusTransitions().get(1).endTime()).isEqualTo(T0.plusSeconds(3));
        assertThat(j.secondaryStatusTransitions().get(2).startTime()).isEqualTo(T0.plusSeconds(3));
        assertThat(j.secondaryStatusTransitions().get(2).endTime()).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void theSearchRecordIsTheDescribeDocumentWithTags() {
        JsonCodec codec = new JsonCodec();
        TrainingJobDocuments docs = new TrainingJobDocuments(codec);
        DescribeTrainingJobResponse d = DescribeTrainingJobResponse.builder()
                .trainingJobName("j").trainingJobArn("arn:aws:sagemaker:us-east-1:000000000000:training-job/j")
                .trainingJobStatus("Completed").hyperParameters(Map.of("eta", "0.1")).creationTime(T0)
                .profilingStatus("Disabled") // Describe-only: not part of the TrainingJob shape
                .finalMetricDataList(MetricData.builder().metricName("auc").value(0.9f).timestamp(T0).build())
                .build();
        StoredResource row = new StoredResource(new ResourceKey("000000000000", "us-east-1", TrainingJobs.KIND, "j"),
                d.trainingJobArn(), "Completed", T0, T0, 1, docs.encode(d));
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("team", "ml");
        TrainingJob record = docs.searchRecord(row, tags);
        assertThat(record.trainingJobName()).isEqualTo("j");
        assertThat(record.trainingJobStatusAsString()).isEqualTo("Completed");
        assertThat(record.hyperParameters()).isEqualTo(Map.of("eta", "0.1"));
        assertThat(record.finalMetricDataList().get(0).value()).isEqualTo(0.9f);
        assertThat(record.tags()).containsExactly(Tag.builder().key("team").value("ml").build());
        assertThat(codec.decode(docs.searchDocument(row, tags), TrainingJob.builder())).isEqualTo(record);
    }
}
