package dev.sagebrush.search;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * How the index keeps each job's Search document: raw DEFLATE at the fastest level with a preset dictionary of the
 * member names and values every training job document repeats. A 1.7 kB document becomes ~0.4 kB, which is what keeps
 * 100,000 jobs' documents at ~40 MB of heap instead of ~170 MB; only the ≤ 100 documents of a page are inflated
 * per search (a few microseconds each). The JDK's zlib, so no dependency; codecs are reused per thread because
 * creating one allocates native memory.
 *
 * <p>The dictionary is part of the format of documents in memory only (nothing is persisted), so it may change freely.
 */
final class DocumentCompression {
    /** Deflate's preset dictionary: what it finds here costs a back-reference instead of literals. Most likely last. */
    private static final byte[] DICTIONARY = String.join("",
            "{\"Tags\":[{\"Key\":\"\",\"Value\":\"\"}],\"DebugHookConfig\":{\"S3OutputPath\":\"\"},",
            "\"ProfilerConfig\":{\"S3OutputPath\":\"\",\"ProfilingIntervalInMilliseconds\":500,",
            "\"DisableProfiler\":false},\"ExperimentConfig\":{\"ExperimentName\":\"\",\"TrialName\":\"\"},",
            "\"CheckpointConfig\":{\"S3Uri\":\"s3://\",\"LocalPath\":\"/opt/ml/checkpoints\"},",
            "\"FailureReason\":\"AlgorithmError: \",\"TrainingStartTime\":1.7E9,\"TrainingEndTime\":1.7E9,",
            "\"TrainingTimeInSeconds\":1,\"BillableTimeInSeconds\":1,\"FinalMetricDataList\":[{\"MetricName\":",
            "\"validation:auc\",\"Value\":0.9,\"Timestamp\":1.7E9},{\"MetricName\":\"train:loss\",\"Value\":",
            "\"Environment\":{\"\":\"\"},\"RetryStrategy\":{\"MaximumRetryAttempts\":1},",
            "{\"TrainingJobName\":\"\",\"TrainingJobArn\":\"arn:aws:sagemaker:us-east-1:000000000000:training-job/",
            "\",\"ModelArtifacts\":{\"S3ModelArtifacts\":\"s3:///output/model.tar.gz\"},",
            "\"TrainingJobStatus\":\"InProgress\",\"SecondaryStatus\":\"Starting\",\"HyperParameters\":{",
            "\"AlgorithmSpecification\":{\"TrainingImage\":\"\",\"TrainingInputMode\":\"File\",",
            "\"MetricDefinitions\":[{\"Name\":\"\",\"Regex\":\"\"}],\"EnableSageMakerMetricsTimeSeries\":false},",
            "\"RoleArn\":\"arn:aws:iam::000000000000:role/\",\"InputDataConfig\":[{\"ChannelName\":\"train\",",
            "\"DataSource\":{\"S3DataSource\":{\"S3DataType\":\"S3Prefix\",\"S3Uri\":\"s3://\",",
            "\"S3DataDistributionType\":\"FullyReplicated\"}},\"ContentType\":\"text/csv\",",
            "\"CompressionType\":\"None\",\"RecordWrapperType\":\"None\"},{\"ChannelName\":\"validation\",",
            "\"OutputDataConfig\":{\"S3OutputPath\":\"s3://\",\"CompressionType\":\"GZIP\"},",
            "\"ResourceConfig\":{\"InstanceType\":\"ml.m5.large\",\"InstanceCount\":1,\"VolumeSizeInGB\":",
            "\"StoppingCondition\":{\"MaxRuntimeInSeconds\":86400},\"CreationTime\":1.7E9,",
            "\"LastModifiedTime\":1.7E9,\"SecondaryStatusTransitions\":[{\"Status\":\"Starting\",\"StartTime\":",
            "1.7E9,\"EndTime\":1.7E9,\"StatusMessage\":\"Starting the training job\"},{\"Status\":\"Training\",",
            "\"EnableNetworkIsolation\":false,\"EnableInterContainerTrafficEncryption\":false,",
            "\"EnableManagedSpotTraining\":false,\"Tags\":[{\"Key\":\"team\",\"Value\":\"\"},{\"Key\":\"").getBytes(
            StandardCharsets.UTF_8);

    private static final ThreadLocal<Deflater> DEFLATERS =
            ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED, true));
    private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(() -> new Inflater(true));
    private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[16 * 1024]);

    private DocumentCompression() {}

    static byte[] compress(byte[] document) {
        Deflater d = DEFLATERS.get();
        d.reset();
        d.setDictionary(DICTIONARY);
        d.setInput(document);
        d.finish();
        byte[] buffer = BUFFERS.get();
        ByteArrayOutputStream more = null;
        int n = 0;
        while (!d.finished()) {
            if (n == buffer.length) {
                if (more == null) more = new ByteArrayOutputStream(buffer.length * 2);
                more.write(buffer, 0, n);
                n = 0;
            }
            n += d.deflate(buffer, n, buffer.length - n);
        }
        if (more == null) {
            return Arrays.copyOf(buffer, n);
        }
        more.write(buffer, 0, n);
        return more.toByteArray();
    }

    static byte[] decompress(byte[] compressed) {
        Inflater inflater = INFLATERS.get();
        inflater.reset();
        inflater.setDictionary(DICTIONARY); // raw deflate carries no dictionary id: set before the first inflate
        inflater.setInput(compressed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(compressed.length * 5);
        byte[] buffer = BUFFERS.get();
        try {
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && inflater.needsInput()) {
                    throw new IllegalStateException("a stored search document is truncated");
                }
                out.write(buffer, 0, n);
            }
        } catch (DataFormatException e) {
            throw new IllegalStateException("a stored search document is corrupt", e);
        }
        return out.toByteArray();
    }
}
