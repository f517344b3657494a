package dev.sagebrush;

import dev.sagebrush.logs.LogSink;
import dev.sagebrush.logs.LogStore;
import dev.sagebrush.logs.SageMakerLogStreams;
import dev.sagebrush.metrics.MetricKey;
import dev.sagebrush.metrics.MetricStore;
import dev.sagebrush.training.runner.JobTelemetry;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;

/**
 * A training job's output as SageMaker publishes it: every line of host {@code algo-N} to the log stream
 * {@code /aws/sagemaker/TrainingJobs <job>/algo-N-<epoch seconds>}, every parsed metric value to CloudWatch namespace
 * {@code /aws/sagemaker/TrainingJobs} under two dimension sets, {TrainingJobName=<job>} (what the SageMaker Python
 * SDK's TrainingJobAnalytics queries) and {Host=<job>/algo-N}. If a store cannot be opened the job still runs, its
 * {@code algo-N.log} has every line.
 */
final class TrainingTelemetry implements JobTelemetry {
    private static final Logger log = LoggerFactory.getLogger(TrainingTelemetry.class);
    static final String NAMESPACE = "/aws/sagemaker/TrainingJobs";

    private final LogStore logs;
    private final MetricStore metrics;
    private final Clock clock;

    TrainingTelemetry(LogStore logs, MetricStore metrics, Clock clock) {
        this.logs = logs;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public Sink open(DescribeTrainingJobResponse job, String hostName) {
        // arn:aws:sagemaker:<region>:<account>:training-job/<name>
        String[] arn = job.trainingJobArn().split(":", 6);
        String account = arn[4];
        String region = arn[3];
        long started = clock.instant().getEpochSecond();
        String name = job.trainingJobName();
        String host = name + "/" + hostName;
        LogSink sink = LogSink.NONE;
        MetricStore.Writer points = null;
        try {
            sink = logs.sink(account, region, SageMakerLogStreams.TRAINING_JOBS, host + "-" + started);
            points = metrics.writer(account, region, name + ("algo-1".equals(hostName) ? "" : "-" + hostName) + "-"
                    + started);
        } catch (IOException | RuntimeException e) {
            log.warn("Training job {} runs without its CloudWatch log stream or metrics: {}", job.trainingJobArn(),
                    e.getMessage());
        }
        LogSink lines = sink;
        MetricStore.Writer values = points;
        return new Sink() {
            @Override
            public void line(Instant at, String line) {
                lines.append(at.toEpochMilli(), line);
            }

            @Override
            public void metric(String metricName, double value, Instant at) {
                if (values == null) return;
                values.put(new MetricKey(NAMESPACE, metricName, Map.of("TrainingJobName", name)), at.toEpochMilli(), value);
                values.put(new MetricKey(NAMESPACE, metricName, Map.of("Host", host)), at.toEpochMilli(), value);
            }

            @Override
            public void close() {
                lines.close();
                if (values != null) values.close();
            }
        };
    }
}
