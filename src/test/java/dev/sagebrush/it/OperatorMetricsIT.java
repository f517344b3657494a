package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.ListTrainingJobsResponse;
import software.amazon.awssdk.services.sagemaker.model.ResourceNotFoundException;

/**
 * /metrics and the access log, from outside: Prometheus text with per-operation rates, latencies and errors, resources
 * by kind and status, store write latency; nothing that names an account or a resource; loopback only unless a token
 * is configured; one JSON access-log line per request with its request id, account, operation, status and latency.
 */
class OperatorMetricsIT {
    static final HttpClient http = HttpClient.newHttpClient();
    @TempDir Path tmp;

    static HttpResponse<String> scrape(ServerFixture f, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(f.endpoint.resolve("/metrics")).timeout(Duration.ofSeconds(10));
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsCountOperationsJobsAndErrorsWithoutNamingAnyone() throws Exception {
        try (ServerFixture f = TrainingFixture.start(0); SageMakerClient sm = f.sagemaker()) {
            sm.createTrainingJob(TrainingFixture.job("secret-project-name", "ok").build());
            sm.listTrainingJobs(r -> r.maxResults(5));
            try {
                sm.describeCompilationJob(r -> r.compilationJobName("no-such-job"));
            } catch (ResourceNotFoundException expected) {
                // counted as an error
            }
            String text = Waits.until(() -> {
                try {
                    return scrape(f, null).body();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, t -> t.contains("sagebrush_resources{kind=\"training-job\",status=\"InProgress\"} 1.0"), Duration.ofSeconds(30));
            assertThat(text).contains("sagebrush_requests_seconds_count{channel=\"api\",operation=\"SageMaker.CreateTrainingJob\",status=\"200\"} 1")
                    .contains("sagebrush_requests_seconds_count{channel=\"api\",operation=\"SageMaker.ListTrainingJobs\",status=\"200\"} 1")
                    .contains("sagebrush_request_errors_total{channel=\"api\",error=\"ResourceNotFound\",operation=\"SageMaker.DescribeCompilationJob\"} 1.0")
                    .contains("sagebrush_store_commit_seconds_count")
                    .contains("sagebrush_controller_backlog{kind=\"training-job\"} 1.0")
                    .contains("sagebrush_controller_oldest_unfinished_seconds{kind=\"training-job\"}")
                    .contains("sagebrush_child_processes")
                    .contains("jvm_memory_used_bytes");
            // The account as a label value or in an ARN (a bare "000000000000" also occurs inside a sample such as
            // system_cpu_usage 0.6000000000000001).
            assertThat(text).doesNotContain("secret-project-name").doesNotContain("\"000000000000\"")
                    .doesNotContain(":000000000000:").doesNotContain("no-such-job");
        }
    }

    @Test
    void unknownTargetsDoNotBecomeLabels() throws Exception {
        try (ServerFixture f = ServerFixture.start(c -> c.withCompileWorkers(0))) {
            for (int i = 0; i < 3; i++) {
                http.send(HttpRequest.newBuilder(f.endpoint.resolve("/")).header("X-Amz-Target", "SageMaker.Made" + i)
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            }
            String text = scrape(f, null).body();
            assertThat(text).doesNotContain("Made0").contains("operation=\"unknown\"");
        }
    }

    @Test
    void aConfiguredTokenIsRequiredFromEveryone() throws Exception {
        Path token = tmp.resolve("metrics-token");
        Files.writeString(token, "0123456789abcdef0123456789abcdef\n");
        try (ServerFixture f = ServerFixture.start(c -> c.withCompileWorkers(0).withMetricsTokenFile(token))) {
            assertThat(scrape(f, null).statusCode()).isEqualTo(403);
            assertThat(scrape(f, "wrong").statusCode()).isEqualTo(403);
            HttpResponse<String> ok = scrape(f, "0123456789abcdef0123456789abcdef");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        }
    }

    @Test
    void everyRequestWritesOneAccessLogLine() throws Exception {
        Logger access = (Logger) LoggerFactory.getLogger("sagebrush.access");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        access.addAppender(lines);
        try (ServerFixture f = ServerFixture.start(c -> c.withCompileWorkers(0)); SageMakerClient sm = f.sagemaker()) {
            ListTrainingJobsResponse r = sm.listTrainingJobs(b -> b.maxResults(1));
            String requestId = r.responseMetadata().requestId();
            String line = Waits.until(() -> lines.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(l -> l.contains(requestId)).findFirst().orElse(null), l -> l != null, Duration.ofSeconds(10));
            assertThat(line).startsWith("{").endsWith("}")
                    .contains("\"request_id\":\"" + requestId + "\"")
                    .contains("\"account\":\"000000000000\"")
                    .contains("\"operation\":\"SageMaker.ListTrainingJobs\"")
                    .contains("\"status\":200")
                    .containsPattern("\"latency_ms\":[0-9]+\\.[0-9]{3}");
            // Never a query string: presigned URLs carry their signatures there.
            http.send(HttpRequest.newBuilder(f.endpoint.resolve("/console/?X-Amz-Signature=abc123secret")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(200);
            assertThat(lines.list).noneMatch(e -> e.getFormattedMessage().contains("abc123secret"));
        } finally {
            access.detachAppender(lines);
        }
    }
}
