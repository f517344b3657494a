package dev.sagebrush.training.runner;

import java.time.Instant;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;

/**
 * Where a running job's output goes besides its {@code algo-1.log}: each line to its CloudWatch log stream, each
 * parsed metric value to its CloudWatch metric series. Opened when the process starts, closed when it has ended.
 */
public interface JobTelemetry {
    Sink open(DescribeTrainingJobResponse job);

    interface Sink extends AutoCloseable {
        void line(Instant at, String line);

        void metric(String name, double value, Instant at);

        @Override
        void close();
    }

    JobTelemetry NONE = job -> new Sink() {
        @Override
        public void line(Instant at, String line) {}

        @Override
        public void metric(String name, double value, Instant at) {}

        @Override
        public void close() {}
    };
}
