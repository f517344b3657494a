package dev.sagebrush.bench;

import dev.sagebrush.Sagebrush;
import dev.sagebrush.config.Config;
import dev.sagebrush.logs.LogSink;
import dev.sagebrush.logs.LogStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;

/**
 * CloudWatch Logs benchmark (bench/logs/run.sh).
 *
 * <p>{@code ingest}: bench/logs/printer.py prints RATE lines/s for SECONDS s, once with its output to /dev/null
 * (baseline) and once as a Sagebrush training job (output pump, algo-1.log, the log store); its own elapsed time is
 * compared, and every line is read back through GetLogEvents and checked (sequence numbers 0..n-1, none missing).
 *
 * <p>{@code read}: a stream of EVENTS events is written through the log store, then GetLogEvents pages of 10,000
 * events at random forward tokens are timed over signed HTTP (server time + transfer) and with the AWS SDK
 * (including its unmarshalling).
 */
public final class LogsBench {
    private static final Pattern SUMMARY = Pattern.compile("elapsed=([0-9.]+) lines=([0-9]+) max_behind_ms=([0-9.]+)");

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "ingest" -> ingest(Path.of(args[1]), Integer.parseInt(args[2]), Double.parseDouble(args[3]));
            case "read" -> read(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.exit(0);
    }

    static void ingest(Path printer, int rate, double seconds) throws Exception {
        Map<String, String> env = Map.of("SM_HP_RATE", Integer.toString(rate), "SM_HP_SECONDS", Double.toString(seconds));
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", printer.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = pb.start();
        String baseline = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        Matcher b = SUMMARY.matcher(baseline);
        if (!b.find()) throw new IllegalStateException("printer said: " + baseline);
        System.out.println("baseline (stdout to /dev/null): " + baseline);

        Path data = Files.createTempDirectory("sagebrush-logbench");
        Path images = data.resolve("images.txt");
        Files.writeString(images, "bench.local/printer:1 /usr/bin/python3 '" + printer + "'\n");
        Config config = Config.defaults(data.resolve("data")).withPort(0).withCompileWorkers(0);
        config = config.withTraining(config.training().withImagesFile(images).withWorkers(1));
        try (Sagebrush server = Sagebrush.start(config);
             SageMakerClient sm = SageMakerClient.builder().endpointOverride(URI.create(server.endpoint()))
                     .region(Region.US_EAST_1).credentialsProvider(creds())
                     .httpClientBuilder(Apache5HttpClient.builder()).build();
             CloudWatchLogsClient logs = logs(server)) {
            sm.createTrainingJob(r -> r.trainingJobName("printer").roleArn("arn:aws:iam::000000000000:role/R")
                    .algorithmSpecification(a -> a.trainingImage("bench.local/printer:1").trainingInputMode("File"))
                    .hyperParameters(Map.of("rate", Integer.toString(rate), "seconds", Double.toString(seconds)))
                    .outputDataConfig(o -> o.s3OutputPath("s3://bench/out"))
                    .resourceConfig(rc -> rc.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(1))
                    .stoppingCondition(s -> s.maxRuntimeInSeconds(3600)));
            DescribeTrainingJobResponse d;
            do {
                Thread.sleep(500);
                d = sm.describeTrainingJob(r -> r.trainingJobName("printer"));
            } while (d.trainingJobStatusAsString().equals("InProgress"));
            // The job fails at the upload (no bucket); the process itself ran to its end.
            String stream = logs.describeLogStreams(r -> r.logGroupName("/aws/sagemaker/TrainingJobs")
                    .logStreamNamePrefix("printer/")).logStreams().get(0).logStreamName();
            long expected = 0;
            long missing = 0;
            String summary = null;
            String token = null;
            long t0 = System.nanoTime();
            int pages = 0;
            while (true) {
                String t = token;
                GetLogEventsResponse page = logs.getLogEvents(r -> r.logGroupName("/aws/sagemaker/TrainingJobs")
                        .logStreamName(stream).startFromHead(true).nextToken(t));
                pages++;
                if (page.events().isEmpty()) break;
                for (OutputLogEvent e : page.events()) {
                    String m = e.message();
                    if (m.startsWith("elapsed=")) {
                        summary = m;
                        continue;
                    }
                    int sp = m.indexOf(' ');
                    if (sp <= 0 || !Character.isDigit(m.charAt(0))) continue;
                    long seq = Long.parseLong(m.substring(0, sp));
                    if (seq != expected) missing += Math.abs(seq - expected);
                    expected = seq + 1;
                }
                token = page.nextForwardToken();
            }
            double readSeconds = (System.nanoTime() - t0) / 1e9;
            if (summary == null) throw new IllegalStateException("no summary line in the stream");
            Matcher s = SUMMARY.matcher(summary);
            if (!s.find()) throw new IllegalStateException(summary);
            double slowdown = Double.parseDouble(s.group(1)) / Double.parseDouble(b.group(1)) - 1;
            System.out.println("as a training job: " + summary);
            System.out.printf("ingest rate=%d/s seconds=%.0f lines_read_back=%d missing=%d slowdown=%.1f%% "
                            + "(read back in %d pages, %.1f s)%n", rate, seconds, expected, missing + (rate * (long) seconds - expected),
                    slowdown * 100, pages, readSeconds);
        }
    }

    static void read(int events, int rounds) throws Exception {
        Path data = Files.createTempDirectory("sagebrush-logbench-read").resolve("data");
        long t0 = System.nanoTime();
        try (LogStore store = new LogStore(data.resolve("logs"), Clock.systemUTC(), LogStore.Limits.DEFAULT);
             LogSink sink = store.sink("000000000000", "us-east-1", "/aws/sagemaker/TrainingJobs", "big/algo-1-1")) {
            long ts = Instant.parse("2026-12-04T00:00:00Z").toEpochMilli();
            for (int i = 0; i < events; i++) {
                sink.append(ts + i / 100, String.format("%07d step=%d loss=0.%06d a typical line of output", i, i / 100,
                        i % 999983));
            }
        }
        System.out.printf("wrote %,d events in %.1f s%n", events, (System.nanoTime() - t0) / 1e9);
        Config config = Config.defaults(data).withPort(0).withCompileWorkers(0);
        config = config.withTraining(config.training().withWorkers(0))
                .withNotebooks(config.notebooks().withRunInstances(false));
        try (Sagebrush server = Sagebrush.start(config); CloudWatchLogsClient logs = logs(server)) {
            HttpClient http = HttpClient.newHttpClient();
            SplittableRandom random = new SplittableRandom(42);
            double[] raw = new double[rounds];
            double[] sdk = new double[rounds];
            long bytes = 0;
            for (int round = -20; round < rounds; round++) {
                long pos = random.nextLong(events - 10_000);
                String token = "f/" + String.format("%056d", pos) + "/s";
                String body = "{\"logGroupName\":\"/aws/sagemaker/TrainingJobs\",\"logStreamName\":\"big/algo-1-1\","
                        + "\"nextToken\":\"" + token + "\",\"limit\":10000,\"startFromHead\":true}";
                HttpRequest req = signed(server, body);
                long a = System.nanoTime();
                HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                long b = System.nanoTime();
                if (r.statusCode() != 200) throw new IllegalStateException(new String(r.body(), StandardCharsets.UTF_8));
                GetLogEventsResponse page = logs.getLogEvents(x -> x.logGroupName("/aws/sagemaker/TrainingJobs")
                        .logStreamName("big/algo-1-1").nextToken(token).limit(10_000).startFromHead(true));
                long c = System.nanoTime();
                if (page.events().size() != 10_000) throw new IllegalStateException("page of " + page.events().size());
                if (round >= 0) {
                    raw[round] = (b - a) / 1e6;
                    sdk[round] = (c - b) / 1e6;
                    bytes += r.body().length;
                }
            }
            Arrays.sort(raw);
            Arrays.sort(sdk);
            System.out.printf("read events=%d pages=%d page_events=10000 avg_page_bytes=%d raw_p50_ms=%.1f raw_p90_ms=%.1f "
                            + "raw_p99_ms=%.1f sdk_p50_ms=%.1f sdk_p99_ms=%.1f%n", events, rounds, bytes / rounds,
                    raw[rounds / 2], raw[rounds * 9 / 10], raw[rounds * 99 / 100], sdk[rounds / 2], sdk[rounds * 99 / 100]);
        }
    }

    static HttpRequest signed(Sagebrush server, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
                .uri(URI.create(server.endpoint() + "/"))
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "Logs_20140328.GetLogEvents").build();
        SdkHttpRequest s = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create("test", "test")).request(unsigned)
                .payload(ContentStreamProvider.fromByteArray(bytes))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "logs")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")).request();
        HttpRequest.Builder b = HttpRequest.newBuilder(s.getUri()).POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .timeout(Duration.ofSeconds(30));
        s.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) values.forEach(v -> b.header(name, v));
        });
        return b.build();
    }

    static StaticCredentialsProvider creds() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    }

    static CloudWatchLogsClient logs(Sagebrush server) {
        return CloudWatchLogsClient.builder().endpointOverride(URI.create(server.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(creds()).httpClientBuilder(Apache5HttpClient.builder()).build();
    }
}
