package dev.sagebrush.fuzz;

import dev.sagebrush.Sagebrush;
import dev.sagebrush.config.Config;
import dev.sagebrush.notebook.NotebookSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * Sends many malformed or hostile requests at a running Sagebrush ({@link Attacks}: SageMaker JSON bodies, headers,
 * signatures, S3, HTTP framing; {@link ModelAttacks}: archives and models through CreateCompilationJob) from several
 * threads, while a watcher sends a signed call every 200 ms. Counts every answer by status and error type. A 5xx, an
 * unanswered signed call, or a compilation job failing as InternalServerError is a finding.
 *
 * <p>{@code bench/fuzz/run.sh} runs it against a fresh server (or {@code --endpoint}); {@code FuzzIT} runs a short one.
 */
public final class HostileFuzzer {
    /** Everything the run saw. */
    public record Report(long requests, Map<String, Long> outcomes, Map<String, Long> families,
                         Map<String, Long> familyMillis, Map<String, Long> closedByFamily, long serverErrors,
                         List<String> serverErrorSamples, long livenessChecks, long livenessFailures,
                         Duration livenessMax, Map<String, Long> compileOutcomes, long compileInternalErrors,
                         Duration duration) {
        public String markdown() {
            StringBuilder b = new StringBuilder();
            b.append(String.format("requests %d in %.1f s (%.0f/s); 5xx: %d; signed liveness calls: %d, failed: %d, "
                            + "slowest %d ms%n", requests, duration.toMillis() / 1000.0,
                    requests * 1000.0 / Math.max(1, duration.toMillis()), serverErrors, livenessChecks,
                    livenessFailures, livenessMax.toMillis()));
            b.append("\n| family | requests | mean answer time | connection closed without an answer |\n"
                    + "|---|---|---|---|\n");
            families.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" | ")
                    .append(familyMillis.containsKey(k) ? String.format("%.1f ms", familyMillis.get(k) / (double) v) : "")
                    .append(" | ").append(closedByFamily.getOrDefault(k, 0L)).append(" |\n"));
            b.append("\n| answer (status, error type) | count |\n|---|---|\n");
            outcomes.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> b.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" |\n"));
            b.append("\n| compilation job outcome | count |\n|---|---|\n");
            compileOutcomes.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
            if (!serverErrorSamples.isEmpty()) b.append("\n5xx samples:\n").append(String.join("\n", serverErrorSamples));
            return b.toString();
        }
    }

    private final URI endpoint;
    private final String key;
    private final String secret;
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> families = new ConcurrentHashMap<>();
    private final List<String> samples = Collections.synchronizedList(new ArrayList<>());
    private final LongAdder serverErrors = new LongAdder();
    private final Map<String, LongAdder> familyNanos = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> closedByFamily = new ConcurrentHashMap<>();
    private final LongAdder sent = new LongAdder();
    private final List<String> compileJobs = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> compileKinds = new ConcurrentHashMap<>();

    public HostileFuzzer(URI endpoint, String key, String secret) {
        this.endpoint = endpoint;
        this.key = key;
        this.secret = secret;
    }

    /**
     * Sends {@code requests} hostile requests from {@code threads} threads; every {@code compileEvery}-th one
     * (0: never) is a hostile model through CreateCompilationJob. Waits for those jobs to settle.
     */
    public Report run(int requests, int threads, long seed, int compileEvery, Duration compileWait) throws Exception {
        Instant start = Instant.now();
        try (S3Client s3 = s3Client(); SageMakerClient sm = sageMaker()) {
            if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals("fuzz"))) {
                s3.createBucket(b -> b.bucket("fuzz"));
            }
            Liveness liveness = new Liveness();
            Thread watcher = new Thread(liveness, "fuzz-liveness");
            watcher.start();
            Attacks attacks = new Attacks(endpoint, key, secret);
            ModelAttacks models = compileEvery > 0 ? new ModelAttacks() : null;
            Sender sender = new Sender(endpoint);
            AtomicLong next = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            for (int t = 0; t < threads; t++) {
                pool.submit(() -> {
                    long i;
                    while ((i = next.getAndIncrement()) < requests) {
                        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + i);
                        try {
                            if (compileEvery > 0 && i % compileEvery == compileEvery - 1) {
                                compileAttack(i, models.next(rnd), s3, sm);
                            } else {
                                Spec spec = attacks.next(rnd);
                                long t0 = System.nanoTime();
                                Sender.Outcome o = sender.send(spec);
                                familyNanos.computeIfAbsent(spec.family(), k -> new LongAdder())
                                        .add(System.nanoTime() - t0);
                                record(spec.family(), o, spec);
                            }
                        } catch (Exception | OutOfMemoryError e) {
                            record("fuzzer", new Sender.Outcome(-2, e.getClass().getSimpleName()), null);
                        }
                    }
                    return null;
                });
            }
            pool.shutdown();
            pool.awaitTermination(2, TimeUnit.HOURS);
            Map<String, Long> compileOutcomes = awaitCompileJobs(sm, compileWait);
            liveness.stop();
            watcher.join();
            long internal = compileOutcomes.entrySet().stream().filter(e -> e.getKey().contains("InternalServerError"))
                    .mapToLong(Map.Entry::getValue).sum();
            Map<String, Long> millis = new TreeMap<>();
            familyNanos.forEach((k, v) -> millis.put(k, v.sum() / 1_000_000));
            return new Report(sent.sum(), snapshot(outcomes), snapshot(families), millis, snapshot(closedByFamily),
                    serverErrors.sum(),
                    List.copyOf(samples), liveness.checks.sum(), liveness.failures.sum(),
                    Duration.ofNanos(liveness.maxNanos.get()), compileOutcomes, internal,
                    Duration.between(start, Instant.now()));
        }
    }

    private void compileAttack(long i, ModelAttacks.Archive archive, S3Client s3, SageMakerClient sm) {
        String name = "fuzz-model-" + i;
        s3.putObject(b -> b.bucket("fuzz").key("models/" + name + ".tar.gz"), RequestBody.fromBytes(archive.bytes()));
        record("model", new Sender.Outcome(200, null), null);
        sm.createCompilationJob(b -> b.compilationJobName(name).roleArn("arn:aws:iam::000000000000:role/R")
                .inputConfig(c -> c.s3Uri("s3://fuzz/models/" + name + ".tar.gz").framework("XGBOOST"))
                .outputConfig(o -> o.s3OutputLocation("s3://fuzz/compiled/" + name + "/").targetDevice("ml_c5"))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(300)));
        record("model", new Sender.Outcome(200, null), null);
        compileJobs.add(name);
        compileKinds.put(name, archive.kind());
    }

    private Map<String, Long> awaitCompileJobs(SageMakerClient sm, Duration wait) throws InterruptedException {
        Map<String, Long> out = new TreeMap<>();
        Instant deadline = Instant.now().plus(wait);
        for (String name : List.copyOf(compileJobs)) {
            DescribeCompilationJobResponse d = sm.describeCompilationJob(r -> r.compilationJobName(name));
            while (!terminal(d) && Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
                d = sm.describeCompilationJob(r -> r.compilationJobName(name));
            }
            String reason = d.failureReason() == null ? "" : d.failureReason();
            String kind = d.compilationJobStatusAsString() + (reason.isEmpty() ? "" : " " + reason.split(":")[0]);
            out.merge(kind, 1L, Long::sum);
            if (reason.startsWith("InternalServerError")) {
                samples.add("compilation " + name + " (" + compileKinds.get(name) + "): " + reason);
            }
        }
        return out;
    }

    private static boolean terminal(DescribeCompilationJobResponse d) {
        return d.compilationJobStatus() == CompilationJobStatus.COMPLETED
                || d.compilationJobStatus() == CompilationJobStatus.FAILED
                || d.compilationJobStatus() == CompilationJobStatus.STOPPED;
    }

    private void record(String family, Sender.Outcome outcome, Spec spec) {
        sent.increment();
        families.computeIfAbsent(family, k -> new LongAdder()).increment();
        outcomes.computeIfAbsent(outcome.label(), k -> new LongAdder()).increment();
        if (outcome.status() == 0) {
            closedByFamily.computeIfAbsent(family, k -> new LongAdder()).increment();
        }
        if (outcome.status() >= 500 || outcome.status() == -1) {
            serverErrors.increment();
            if (samples.size() < 20 && spec != null) {
                String body = new String(spec.body(), 0, Math.min(200, spec.body().length), StandardCharsets.UTF_8);
                samples.add(outcome.label() + " <- " + spec.family() + " " + spec.method() + " "
                        + spec.pathAndQuery() + " " + body.replace('\n', ' '));
            }
        }
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** A signed ListCompilationJobs every 200 ms with its own connection pool: the server must keep answering. */
    private final class Liveness implements Runnable {
        final LongAdder checks = new LongAdder();
        final LongAdder failures = new LongAdder();
        final AtomicLong maxNanos = new AtomicLong();
        private volatile boolean running = true;

        void stop() {
            running = false;
        }

        @Override
        public void run() {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            byte[] body = "{\"MaxResults\":1}".getBytes(StandardCharsets.UTF_8);
            while (running) {
                Spec s = Spec.of("liveness", "POST", "/", body).header("Content-Type", "application/x-amz-json-1.1")
                        .header("X-Amz-Target", "SageMaker.ListCompilationJobs");
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + "/"))
                        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
                Signing.sign(endpoint, "POST", "/", s.headers(), body, "sagemaker", "us-east-1", key, secret,
                        Instant.now()).forEach((n, vs) -> {
                            if (!n.equalsIgnoreCase("host")) vs.forEach(v -> b.header(n, v));
                        });
                long t0 = System.nanoTime();
                try {
                    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) failures.increment();
                } catch (Exception e) {
                    failures.increment();
                }
                checks.increment();
                maxNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private S3Client s3Client() {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret))).build();
    }

    private SageMakerClient sageMaker() {
        return SageMakerClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret))).build();
    }

    /** A server for a fuzz run: temporary data directory, one compile worker, no training or notebooks run. */
    public static Sagebrush startServer(Path dataDir) throws Exception {
        return Sagebrush.start(Config.defaults(dataDir).withPort(0).withCompileWorkers(1)
                .withNotebooks(NotebookSettings.defaults().withRunInstances(false)));
    }

    /** {@code --requests N --threads T --seed S --compile-every K --endpoint URL --out FILE}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        int requests = Integer.parseInt(opts.getOrDefault("requests", "100000"));
        int threads = Integer.parseInt(opts.getOrDefault("threads", "8"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
        int compileEvery = Integer.parseInt(opts.getOrDefault("compile-every", "2000"));
        Sagebrush server = null;
        Path dir = null;
        URI endpoint;
        if (opts.containsKey("endpoint")) {
            endpoint = URI.create(opts.get("endpoint"));
        } else {
            dir = Files.createTempDirectory("sagebrush-fuzz");
            server = startServer(dir);
            endpoint = URI.create(server.endpoint());
        }
        try {
            Report r = new HostileFuzzer(endpoint, opts.getOrDefault("key", "test"), opts.getOrDefault("secret", "test"))
                    .run(requests, threads, seed, compileEvery, Duration.ofMinutes(10));
            String md = r.markdown();
            System.out.println(md);
            if (opts.containsKey("out")) Files.writeString(Path.of(opts.get("out")), md);
            if (r.serverErrors() > 0 || r.livenessFailures() > 0 || r.compileInternalErrors() > 0) System.exit(1);
        } finally {
            if (server != null) server.close();
            if (dir != null) {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
