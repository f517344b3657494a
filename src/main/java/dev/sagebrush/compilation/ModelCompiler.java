package dev.sagebrush.compilation;

import dev.sagebrush.jobs.Cancellation;
import java.nio.file.Path;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/** Compiles one framework's model for the job's target and uploads the artifact; throws CompilationFailure. */
public interface ModelCompiler {
    CompilationOutcome compile(DescribeCompilationJobResponse job, FrameworkInputs.ModelFiles model, Path workDir,
                               Cancellation cancellation);
}
