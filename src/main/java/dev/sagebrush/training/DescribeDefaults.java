package dev.sagebrush.training;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.OutputDataConfig;
import software.amazon.awssdk.services.sagemaker.model.ProfilerConfig;
import software.amazon.awssdk.services.sagemaker.model.S3DataSource;

/**
 * The members DescribeTrainingJob returns with their defaults filled in, as AWS returns them for the same request:
 * {@code OutputDataConfig.KmsKeyId ""} and {@code CompressionType GZIP}, each channel's {@code CompressionType None},
 * {@code RecordWrapperType None} and {@code S3DataDistributionType FullyReplicated}, and ProfilerConfig's
 * {@code ProfilingIntervalInMilliseconds 500}. Clients read them without a default of their own: the SageMaker Python
 * SDK's {@code Estimator.attach} fails with KeyError 'KmsKeyId' when the empty string is missing.
 */
final class DescribeDefaults {
    static final long PROFILING_INTERVAL_MS = 500;

    private DescribeDefaults() {}

    static OutputDataConfig output(OutputDataConfig given) {
        OutputDataConfig.Builder b = given.toBuilder();
        if (given.kmsKeyId() == null) b.kmsKeyId("");
        if (given.compressionType() == null) b.compressionType("GZIP");
        return b.build();
    }

    static List<Channel> channels(List<Channel> given) {
        List<Channel> out = new ArrayList<>(given.size());
        for (Channel c : given) {
            Channel.Builder b = c.toBuilder();
            if (c.compressionType() == null) b.compressionType("None");
            if (c.recordWrapperType() == null) b.recordWrapperType("None");
            S3DataSource s3 = c.dataSource() == null ? null : c.dataSource().s3DataSource();
            if (s3 != null && s3.s3DataDistributionType() == null) {
                b.dataSource(c.dataSource().toBuilder()
                        .s3DataSource(s3.toBuilder().s3DataDistributionType("FullyReplicated").build()).build());
            }
            out.add(b.build());
        }
        return out;
    }

    static ProfilerConfig profiler(ProfilerConfig given) {
        if (given == null || Boolean.TRUE.equals(given.disableProfiler())
                || given.profilingIntervalInMilliseconds() != null) {
            return given;
        }
        return given.toBuilder().profilingIntervalInMilliseconds(PROFILING_INTERVAL_MS).build();
    }
}
