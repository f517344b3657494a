package dev.sagebrush.compilation;

/** A compilation job failed; the message is the job's FailureReason, in SageMaker's style ("ClientError: ..."). */
public class CompilationFailure extends RuntimeException {
    public CompilationFailure(String failureReason) {
        super(failureReason, null, false, false);
    }

    public CompilationFailure(String failureReason, Throwable cause) {
        super(failureReason, cause, false, false);
    }
}
