package dev.sagebrush.compilation;

import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ModelArtifacts;

/**
 * The members of DescribeCompilationJob that AWS's model marks required beyond what the request gives, filled in at
 * every status: {@code FailureReason} is {@code ""} until a job fails, and {@code ModelArtifacts.S3ModelArtifacts} is
 * the compiled model's place from the start ({@code <S3OutputLocation>/<input archive name>-<target>.tar.gz}, known
 * up front, as DescribeTrainingJob's is), so a client reading {@code desc["FailureReason"]} or
 * {@code desc["ModelArtifacts"]["S3ModelArtifacts"]} never meets a KeyError. The object exists only once the job is
 * COMPLETED (a stopped or failed job leaves nothing there). ModelDigests, DerivedInformation and InferenceImage are
 * optional in the model and are answered once the compilation produced them; CompilationStartTime and
 * CompilationEndTime once the job started and ended.
 */
final class DescribeCompilationDefaults {
    private DescribeCompilationDefaults() {}

    static DescribeCompilationJobResponse apply(DescribeCompilationJobResponse job) {
        if (job.failureReason() != null && job.modelArtifacts() != null) return job;
        DescribeCompilationJobResponse.Builder b = job.toBuilder();
        if (job.failureReason() == null) b.failureReason("");
        if (job.modelArtifacts() == null) {
            b.modelArtifacts(ModelArtifacts.builder().s3ModelArtifacts(plannedArtifact(job)).build());
        }
        return b.build();
    }

    private static String plannedArtifact(DescribeCompilationJobResponse job) {
        try {
            return ArtifactPublisher.artifactLocation(job, CompilationTargets.of(job.outputConfig()).name()).toString();
        } catch (RuntimeException unusable) {
            // An output location or input URI that cannot name an object: the job fails on it when it runs, and
            // until then the output location is all there is to say.
            return job.outputConfig() == null ? "" : job.outputConfig().s3OutputLocation();
        }
    }
}
