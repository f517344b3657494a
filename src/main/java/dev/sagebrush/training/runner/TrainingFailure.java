package dev.sagebrush.training.runner;

/** A reason the job fails that is the user's to fix; its message becomes FailureReason as it is. */
public final class TrainingFailure extends Exception {
    public TrainingFailure(String reason) {
        super(reason, null, false, false);
    }
}
