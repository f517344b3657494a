package dev.sagebrush.compilation;

import dev.sagebrush.jobs.Cancellation;
import java.nio.file.Path;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * What a compilation job does once claimed: fetch the model, check it, compile it, verify it, upload the artifact.
 * Throws {@link CompilationFailure} with a SageMaker-style FailureReason when the job must fail, and honours the
 * cancellation (stop, timeout) by ending quickly.
 */
@FunctionalInterface
public interface CompilationWork {
    CompilationOutcome run(DescribeCompilationJobResponse job, Path workDir, Cancellation cancellation);
}
