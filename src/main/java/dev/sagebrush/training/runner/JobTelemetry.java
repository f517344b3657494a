package dev.sagebrush.training.runner;

import java.time.Instant;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;

/**
 * Where a running job's output goes besides its hosts' {@code algo-N.log}: each line to the host's CloudWatch log
 * stream, each parsed metric value to its CloudWatch metric series. Opened per host when the job starts, closed when it
 * has ended.
 */
public interface JobTelemetry {
    /** The sink of one host ({@code algo-1}, {@code algo-2}, ...) of the job. */
    Sink open(DescribeTrainingJobResponse job, String host);

    interface Sink extends AutoCloseable {
        void line(Instant at, String line);

        void metric(String name, double value, Instant at);

        @Override
        void close();
    }

    JobTelemetry NONE = (job, host) -> new Sink() {
        @Override
        public void line(Instant at, String line) {}

        @Override
        public void metric(String name, double value, Instant at) {}

        @Override
        public void close() {}
    };
}
