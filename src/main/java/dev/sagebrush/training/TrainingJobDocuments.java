package dev.sagebrush.training;

import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.tags.TagLists;
import java.util.Map;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.TrainingJob;

/**
 * A training job is stored as its DescribeTrainingJob answer in awsJson wire form. Search's {@code TrainingJob}
 * record has the same member names (a subset of Describe's, plus Tags), so it is that same document read through
 * the {@code TrainingJob} shape (members it lacks are skipped) with the tags added.
 */
public final class TrainingJobDocuments {
    private final JsonCodec codec;

    public TrainingJobDocuments(JsonCodec codec) {
        this.codec = codec;
    }

    public byte[] encode(DescribeTrainingJobResponse job) {
        return codec.encode(job);
    }

    public DescribeTrainingJobResponse decode(StoredResource row) {
        return codec.decode(row.document(), DescribeTrainingJobResponse.builder());
    }

    /** The Search record of a stored training job: Describe's members, FinalMetricDataList included, plus Tags. */
    public TrainingJob searchRecord(StoredResource row, Map<String, String> tags) {
        return codec.decode(row.document(), TrainingJob.builder()).toBuilder().tags(TagLists.toList(tags)).build();
    }

    /** {@link #searchRecord} in awsJson wire form, for an index that keeps documents rather than objects. */
    public byte[] searchDocument(StoredResource row, Map<String, String> tags) {
        return codec.encode(searchRecord(row, tags));
    }
}
