package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/** What the multi-node tests read from one {@link NodeProcess}: job outcomes, CloudWatch answers, its sandboxes. */
final class NodeReads {
    /** The log group and the metric namespace of training jobs. */
    static final String TRAINING_JOBS = "/aws/sagemaker/TrainingJobs";

    private NodeReads() {}

    /** Waits for the training job to end, as the node describes it, and checks that it completed. */
    static DescribeTrainingJobResponse completedTraining(NodeProcess n, String name, Duration timeout) throws Exception {
        DescribeTrainingJobResponse d = Waits.until(() -> n.sagemaker().describeTrainingJob(r -> r.trainingJobName(name)),
                j -> j.trainingJobStatus() == TrainingJobStatus.COMPLETED || j.trainingJobStatus() == TrainingJobStatus.FAILED,
                timeout);
        assertThat(d.trainingJobStatus()).as(d.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
        return d;
    }

    /** Waits for the compilation job to end, as the node describes it, and checks that it completed. */
    static DescribeCompilationJobResponse completedCompilation(NodeProcess n, String name, Duration timeout)
            throws Exception {
        DescribeCompilationJobResponse c = Waits.until(() -> n.sagemaker().describeCompilationJob(r ->
                r.compilationJobName(name)), j -> j.compilationJobStatus() == CompilationJobStatus.COMPLETED
                || j.compilationJobStatus() == CompilationJobStatus.FAILED, timeout);
        assertThat(c.compilationJobStatus()).as(c.failureReason()).isEqualTo(CompilationJobStatus.COMPLETED);
        return c;
    }

    static long sandboxesOf(NodeProcess n) {
        return n.descendants().stream().filter(p -> p.info().commandLine().orElse("").contains("bwrap")).count();
    }

    /** Every message of the job's (first) log stream, read with GetLogEvents from the head. */
    static List<String> messages(NodeProcess n, String job) {
        var streams = n.logs().describeLogStreams(r -> r.logGroupName(TRAINING_JOBS)
                .logStreamNamePrefix(job + "/")).logStreams();
        if (streams.isEmpty()) return List.of();
        String stream = streams.get(0).logStreamName();
        List<String> out = new ArrayList<>();
        String token = null;
        while (true) {
            String t = token;
            var page = n.logs().getLogEvents(r -> r.logGroupName(TRAINING_JOBS).logStreamName(stream)
                    .startFromHead(true).nextToken(t));
            if (page.events().isEmpty()) return out;
            page.events().forEach(e -> out.add(e.message()));
            token = page.nextForwardToken();
        }
    }

    static void awaitLine(NodeProcess n, String job, String line) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!messages(n, job).contains(line)) {
            if (System.nanoTime() > deadline) throw new AssertionError(n.name + " never answered " + line);
            Thread.sleep(20);
        }
    }

    /** How many train:loss values of the job the node's GetMetricStatistics counts. */
    static int lossSamples(NodeProcess n, String job) {
        Instant now = Instant.now();
        var stats = n.cloudwatch().getMetricStatistics(r -> r.namespace(TRAINING_JOBS)
                .metricName("train:loss").dimensions(dim -> dim.name("TrainingJobName").value(job))
                .startTime(now.minusSeconds(3600)).endTime(now.plusSeconds(60)).period(7200)
                .statistics(Statistic.SAMPLE_COUNT));
        return stats.datapoints().stream().mapToInt(p -> p.sampleCount().intValue()).sum();
    }

    static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return all.subList(Math.max(0, all.size() - lines), all.size()).stream().collect(Collectors.joining("\n"));
    }
}
