package dev.sagebrush.training.runner;

import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.training.metrics.MetricExtractor;
import java.io.IOException;
import java.util.List;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.MetricData;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;

/**
 * Runs one training job to its end on some backend (a local child process now; a Kubernetes pod later). The controller
 * owns the job's record; a runner only reports progress and returns how the run ended.
 */
public interface TrainingRunner {

    /**
     * Runs the job. Cancelling {@code cancellation} ends the run early (the reason says why: {@code stop},
     * {@code timeout} or {@code shutdown}); the outcome is then {@link Outcome.Kind#CANCELLED}.
     *
     * @throws IOException for failures that are Sagebrush's, not the job's (the controller reports them as
     *                     InternalServerError)
     */
    Outcome run(DescribeTrainingJobResponse job, Progress progress, Cancellation cancellation) throws IOException;

    /** What the runner tells the controller while it works. */
    interface Progress {
        /** The job entered a new secondary status (or, for the same status, has a new message). */
        void status(SecondaryStatus status, String message);

        /** The training process started; its metrics can be read from now on. */
        default void processStarted(MetricExtractor metrics) {}
    }

    record Outcome(Kind kind, String failureReason, List<MetricData> metrics) {
        public enum Kind { COMPLETED, FAILED, CANCELLED }

        public static Outcome failed(String reason, List<MetricData> metrics) {
            return new Outcome(Kind.FAILED, reason, metrics);
        }
    }
}
