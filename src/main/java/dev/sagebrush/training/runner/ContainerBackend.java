package dev.sagebrush.training.runner;

/**
 * Training images run as OCI containers (implemented in {@code training.container}): how a TrainingImage URI becomes
 * a local image, and the launcher that runs a job's hosts from it.
 */
public interface ContainerBackend {

    /** The local image {@code trainingImage} resolves to, or why there is none. */
    Resolution resolve(String trainingImage);

    /** Starts a job's hosts as containers of {@code localImage}. */
    HostLauncher launcher(String localImage);

    /** What a TrainingImage resolved to. */
    sealed interface Resolution {
        /** The host's image store has this image. */
        record Found(String localImage) implements Resolution {}

        /** No image: {@code reason} is the job's FailureReason (a ClientError that says how to provide one). */
        record Missing(String reason) implements Resolution {}
    }
}
