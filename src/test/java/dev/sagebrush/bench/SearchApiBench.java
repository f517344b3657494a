package dev.sagebrush.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
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
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;
import software.amazon.awssdk.services.sagemaker.model.SearchResponse;

/**
 * The pieces of {@code bench/search/run.sh}: a deterministic generator of varied CreateTrainingJob requests, loaders,
 * pre-signers for wrk replay, and a single-threaded Search timer. Requests are signed with {@link Presign#sign}
 * (test/test, us-east-1) and sent with the JDK's HTTP client, so the timings are the server's and the transport's,
 * not the SDK's unmarshalling (the {@code sdk} column of {@code search-time} adds that).
 *
 * <pre>
 *   SearchApiBench real         ENDPOINT PREFIX N                 S3 data + N jobs the server really runs; waits for them
 *   SearchApiBench load         ENDPOINT PREFIX N THREADS         create N varied jobs PREFIX-0 .. PREFIX-(N-1)
 *   SearchApiBench sign-create  ENDPOINT PREFIX N OUT.tsv         pre-sign N varied Creates PREFIX-0 .. PREFIX-(N-1)
 *   SearchApiBench stop         ENDPOINT PREFIX N EVERY THREADS   stop PREFIX-i for i % EVERY == 3; wait until Stopped
 *   SearchApiBench sign-describe ENDPOINT PREFIX N COUNT OUT.tsv  pre-sign COUNT Describes of random jobs of PREFIX
 *   SearchApiBench sign-pages   ENDPOINT search|list|list-filtered PAGES OUT.tsv   run a query PAGES pages deep via
 *                                                              NextToken and pre-sign each page's request
 *   SearchApiBench search-time  ENDPOINT PAGES ROUNDS WARMUP      single-threaded: ROUNDS walks of PAGES pages
 *   SearchApiBench verify       ENDPOINT PREFIX N RPREFIX RN EVERY  walk every page of the combined Search and compare
 *                                                              with the answer computed here from the generator
 * </pre>
 */
public final class SearchApiBench {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String IMAGE = "bench.local/sagebrush/search-train:1";
    static final String ROLE = "arn:aws:iam::000000000000:role/SageMakerRole";
    static final String[] ETAS = {"0.01", "0.05", "0.1", "0.2", "0.3"};
    static final String[] OBJECTIVES = {"binary:logistic", "reg:squarederror", "multi:softmax"};
    static final String[] TEAMS = {"vision", "nlp", "search", "ads", "fraud"};
    static final String[] ENVS = {"dev", "staging", "prod"};
    static final String[] TYPES = {"ml.m5.large", "ml.m5.xlarge", "ml.c5.2xlarge"};
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** What the generator decided for job number i (the request is built from this, the expected answer too). */
    record Spec(int i, int maxDepth, String eta, int numRound, String objective, String subsample, String team,
                String env, boolean high, String project, int year, int month, String trainName, boolean validation,
                boolean test, String instanceType, int volume, int maxRuntime, boolean fails, String auc) {
        static Spec of(int i, boolean real) {
            SplittableRandom r = new SplittableRandom(0x5EA7C4L * 1_000_003L + i * 0x9E3779B97F4A7C15L + (real ? 7 : 0));
            return new Spec(i, 2 + r.nextInt(11), ETAS[r.nextInt(ETAS.length)], 50 + 10 * r.nextInt(46),
                    OBJECTIVES[r.nextInt(OBJECTIVES.length)], "0." + (5 + r.nextInt(5)), TEAMS[r.nextInt(TEAMS.length)],
                    ENVS[r.nextInt(ENVS.length)], r.nextInt(10) == 0, "p" + r.nextInt(50), 2024 + r.nextInt(3),
                    1 + r.nextInt(12), r.nextInt(10) == 0 ? "training" : "train", r.nextInt(10) < 7,
                    r.nextInt(5) == 0, TYPES[r.nextInt(TYPES.length)], 10 * (1 + r.nextInt(10)),
                    3600 * (1 + r.nextInt(24)), real && r.nextInt(6) == 0, "0." + (80 + r.nextInt(20)));
        }

        String prefix(String channel) {
            return String.format("s3://data/%d/%02d/%s/", year, month, channel);
        }
    }

    /** The combined expression: Filters + NestedFilters + SubExpressions with Or, sorted, 100 per page. */
    static ObjectNode searchBody(String nextToken) {
        ObjectNode b = JSON.createObjectNode();
        b.put("Resource", "TrainingJob");
        ObjectNode e = b.putObject("SearchExpression");
        ArrayNode filters = e.putArray("Filters");
        filter(filters, "HyperParameters.max_depth", "LessThan", "8");
        filter(filters, "Tags.team", "In", "vision,nlp,search");
        ObjectNode nested = e.putArray("NestedFilters").addObject();
        nested.put("NestedPropertyName", "InputDataConfig");
        ArrayNode nf = nested.putArray("Filters");
        filter(nf, "InputDataConfig.ChannelName", "Equals", "train");
        filter(nf, "InputDataConfig.DataSource.S3DataSource.S3Uri", "Contains", "s3://data/2026/");
        ObjectNode or = e.putArray("SubExpressions").addObject();
        or.put("Operator", "Or");
        ArrayNode alts = or.putArray("SubExpressions");
        ArrayNode a1 = alts.addObject().putArray("Filters");
        filter(a1, "TrainingJobStatus", "Equals", "Completed");
        filter(a1, "Metrics.validation:auc", "GreaterThan", "0.9");
        ArrayNode a2 = alts.addObject().putArray("Filters");
        filter(a2, "TrainingJobStatus", "Equals", "InProgress");
        filter(a2, "HyperParameters.eta", "GreaterThanOrEqualTo", "0.1");
        ArrayNode a3 = alts.addObject().putArray("Filters");
        filter(a3, "Tags.priority", "Equals", "high");
        b.put("SortBy", "CreationTime");
        b.put("SortOrder", "Descending");
        b.put("MaxResults", 100);
        if (nextToken != null) b.put("NextToken", nextToken);
        return b;
    }

    /** The same expression, evaluated here from the generator and the job's known status. */
    static boolean expected(Spec s, String status) {
        if (!(s.maxDepth() < 8 && Set.of("vision", "nlp", "search").contains(s.team()))) return false;
        if (!(s.trainName().equals("train") && s.year() == 2026)) return false; // only "train"/"training" carry train URIs
        boolean completedHigh = status.equals("Completed") && Double.parseDouble(s.auc()) > 0.9;
        boolean inProgressEta = status.equals("InProgress") && Double.parseDouble(s.eta()) >= 0.1;
        return completedHigh || inProgressEta || s.high();
    }

    private static void filter(ArrayNode list, String name, String op, String value) {
        list.addObject().put("Name", name).put("Operator", op).put("Value", value);
    }

    static String createBody(String name, Spec s, boolean real) {
        ObjectNode b = JSON.createObjectNode();
        b.put("TrainingJobName", name);
        b.put("RoleArn", ROLE);
        ObjectNode algo = b.putObject("AlgorithmSpecification");
        algo.put("TrainingImage", IMAGE).put("TrainingInputMode", "File");
        ArrayNode defs = algo.putArray("MetricDefinitions");
        defs.addObject().put("Name", "validation:auc").put("Regex", "validation:auc=([0-9.]+)");
        defs.addObject().put("Name", "train:loss").put("Regex", "train:loss=([0-9.]+)");
        ObjectNode hp = b.putObject("HyperParameters");
        hp.put("max_depth", String.valueOf(s.maxDepth())).put("eta", s.eta())
                .put("num_round", String.valueOf(s.numRound())).put("objective", s.objective())
                .put("subsample", s.subsample());
        if (real) hp.put("mode", s.fails() ? "fail" : "ok").put("sim_auc", s.auc());
        ArrayNode channels = b.putArray("InputDataConfig");
        channel(channels, s.trainName(), s.prefix("train"), "text/csv");
        if (s.validation()) channel(channels, "validation", s.prefix("validation"), "text/csv");
        if (s.test()) channel(channels, "test", s.prefix("test"), null);
        b.putObject("OutputDataConfig").put("S3OutputPath", "s3://out/" + s.team() + "/models");
        b.putObject("ResourceConfig").put("InstanceType", s.instanceType()).put("InstanceCount", 1)
                .put("VolumeSizeInGB", s.volume());
        b.putObject("StoppingCondition").put("MaxRuntimeInSeconds", real ? 600 : s.maxRuntime());
        if (s.i() % 4 == 0) b.putObject("Environment").put("LOG_LEVEL", s.env().equals("prod") ? "warn" : "debug");
        ArrayNode tags = b.putArray("Tags");
        tags.addObject().put("Key", "team").put("Value", s.team());
        tags.addObject().put("Key", "env").put("Value", s.env());
        tags.addObject().put("Key", "project").put("Value", s.project());
        tags.addObject().put("Key", "priority").put("Value", s.high() ? "high" : "normal");
        return b.toString();
    }

    private static void channel(ArrayNode channels, String name, String uri, String contentType) {
        ObjectNode c = channels.addObject();
        c.put("ChannelName", name);
        c.putObject("DataSource").putObject("S3DataSource").put("S3DataType", "S3Prefix").put("S3Uri", uri)
                .put("S3DataDistributionType", "FullyReplicated");
        if (contentType != null) c.put("ContentType", contentType);
    }

    // ---------------------------------------------------------------------------------------------------------------

    public static void main(String[] args) throws Exception {
        if (args.length < 2) usage();
        URI endpoint = URI.create(args[1]);
        switch (args[0]) {
            case "real" -> real(endpoint, args[2], Integer.parseInt(args[3]));
            case "sign-create" -> signCreate(endpoint, args[2], Integer.parseInt(args[3]), Path.of(args[4]));
            case "load" -> load(endpoint, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "stop" -> stop(endpoint, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]));
            case "sign-describe" -> signDescribe(endpoint, args[2], Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Path.of(args[5]));
            case "sign-pages" -> signPages(endpoint, args[2], Integer.parseInt(args[3]), Path.of(args[4]));
            case "search-time" -> searchTime(endpoint, Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]));
            case "verify" -> verify(endpoint, args[2], Integer.parseInt(args[3]), args[4], Integer.parseInt(args[5]),
                    Integer.parseInt(args[6]));
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: SearchApiBench real|sign-create|stop|sign-describe|sign-pages|search-time|verify ENDPOINT ...");
        System.exit(2);
    }

    /** A signed request for the JDK client (Host and Content-Length are the client's own). */
    static HttpRequest request(URI endpoint, String op, String body) {
        SdkHttpRequest s = Presign.sign(endpoint, "SageMaker." + op, body, Instant.now());
        HttpRequest.Builder b = HttpRequest.newBuilder(s.getUri()).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        s.headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("Host") && !k.equalsIgnoreCase("Content-Length")) v.forEach(x -> b.header(k, x));
        });
        return b.build();
    }

    static JsonNode call(URI endpoint, String op, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(request(endpoint, op, body), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(op + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    static void real(URI endpoint, String prefix, int n) throws Exception {
        try (S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build()) {
            s3.createBucket(b -> b.bucket("data"));
            s3.createBucket(b -> b.bucket("out"));
            for (int y = 2024; y <= 2026; y++) {
                for (int m = 1; m <= 12; m++) {
                    for (String c : List.of("train", "validation", "test")) {
                        String key = String.format("%d/%02d/%s/part-0.csv", y, m, c);
                        s3.putObject(b -> b.bucket("data").key(key), RequestBody.fromString("1,2,3\n4,5,6\n"));
                    }
                }
            }
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            call(endpoint, "CreateTrainingJob", createBody(prefix + "-" + i, Spec.of(i, true), true));
        }
        Map<String, String> status = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (true) {
            int active = 0;
            for (int i = 0; i < n; i++) {
                String name = prefix + "-" + i;
                String st = status.get(name);
                if (st != null && !st.equals("InProgress") && !st.equals("Stopping")) continue;
                st = call(endpoint, "DescribeTrainingJob", "{\"TrainingJobName\":\"" + name + "\"}")
                        .path("TrainingJobStatus").asText();
                status.put(name, st);
                if (st.equals("InProgress") || st.equals("Stopping")) active++;
            }
            if (active == 0) break;
            if (System.nanoTime() > deadline) throw new IllegalStateException(active + " real jobs still running");
            Thread.sleep(1000);
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        status.values().forEach(s -> counts.merge(s, 1, Integer::sum));
        System.out.printf("real jobs: %d run in %.1f s: %s%n", n, (System.nanoTime() - t0) / 1e9, counts);
    }

    static void signCreate(URI endpoint, String prefix, int n, Path out) throws Exception {
        Instant now = Instant.now();
        long t0 = System.nanoTime();
        long bytes = 0;
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (int i = 0; i < n; i++) {
                String body = createBody(prefix + "-" + i, Spec.of(i, false), false);
                bytes += body.length();
                w.write(Presign.line(Presign.sign(endpoint, "SageMaker.CreateTrainingJob", body, now), body));
                w.write('\n');
            }
        }
        System.err.printf("signed %d CreateTrainingJob requests (avg body %d bytes) in %.1f s%n", n, bytes / n,
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Creates N jobs from THREADS threads, each building, signing and sending its next request (JDK HTTP client,
     * keep-alive). Prints {@code load n=.. seconds=.. req/s=.. p50_ms=.. p99_ms=.. errors=..}.
     */
    static void load(URI endpoint, String prefix, int n, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        long[] latency = new long[n];
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    HttpRequest req = request(endpoint, "CreateTrainingJob",
                            createBody(prefix + "-" + i, Spec.of(i, false), false));
                    long s = System.nanoTime();
                    HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
                    latency[i] = System.nanoTime() - s;
                    if (r.statusCode() != 200 && errors.incrementAndGet() <= 5) {
                        System.err.println("load: " + prefix + "-" + i + " answered " + r.statusCode() + ": " + r.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get();
        pool.shutdown();
        double secs = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(latency);
        System.out.printf("load n=%d threads=%d seconds=%.1f req/s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d%n", n, threads,
                secs, n / secs, SdkLoad.pct(latency, 0.5), SdkLoad.pct(latency, 0.99), errors.get());
    }

    static void stop(URI endpoint, String prefix, int n, int every, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger(3);
        AtomicInteger done = new AtomicInteger();
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(pool.submit(() -> {
                for (int i = next.getAndAdd(every); i < n; i = next.getAndAdd(every)) {
                    call(endpoint, "StopTrainingJob", "{\"TrainingJobName\":\"" + prefix + "-" + i + "\"}");
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get();
        pool.shutdown();
        double stopSecs = (System.nanoTime() - t0) / 1e9;
        // The controller turns Stopping into Stopped; wait until none is left.
        String body = "{\"Resource\":\"TrainingJob\",\"SearchExpression\":{\"Filters\":[{\"Name\":\"TrainingJobStatus\","
                + "\"Operator\":\"Equals\",\"Value\":\"Stopping\"}]},\"MaxResults\":1}";
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        long left;
        while ((left = call(endpoint, "Search", body).path("TotalHits").path("Value").asLong()) > 0) {
            if (System.nanoTime() > deadline) throw new IllegalStateException(left + " jobs still Stopping");
            Thread.sleep(250);
        }
        System.err.printf("stopped %d jobs: StopTrainingJob calls %.1f s (%.0f/s, %d threads), all Stopped after %.1f s%n",
                done.get(), stopSecs, done.get() / stopSecs, threads, (System.nanoTime() - t0) / 1e9);
    }

    static void signDescribe(URI endpoint, String prefix, int n, int count, Path out) throws Exception {
        SplittableRandom r = new SplittableRandom(42);
        Instant now = Instant.now();
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (int k = 0; k < count; k++) {
                String body = "{\"TrainingJobName\":\"" + prefix + "-" + r.nextInt(n) + "\"}";
                w.write(Presign.line(Presign.sign(endpoint, "SageMaker.DescribeTrainingJob", body, now), body));
                w.write('\n');
            }
        }
    }

    static String listBody(String kind, String nextToken) {
        ObjectNode b = JSON.createObjectNode();
        b.put("MaxResults", 100);
        if (kind.equals("list-filtered")) {
            b.put("NameContains", "42");
            b.put("StatusEquals", "InProgress");
            b.put("SortBy", "Name");
            b.put("SortOrder", "Descending");
        }
        if (nextToken != null) b.put("NextToken", nextToken);
        return b.toString();
    }

    static void signPages(URI endpoint, String kind, int pages, Path out) throws Exception {
        String op = kind.equals("search") ? "Search" : "ListTrainingJobs";
        String items = kind.equals("search") ? "Results" : "TrainingJobSummaries";
        Instant now = Instant.now();
        String token = null;
        List<String> counts = new ArrayList<>();
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (int p = 0; p < pages; p++) {
                String body = kind.equals("search") ? searchBody(token).toString() : listBody(kind, token);
                w.write(Presign.line(Presign.sign(endpoint, "SageMaker." + op, body, now), body));
                w.write('\n');
                JsonNode r = call(endpoint, op, body);
                counts.add(String.valueOf(r.path(items).size()));
                token = r.path("NextToken").isTextual() ? r.path("NextToken").asText() : null;
                if (token == null) break;
            }
        }
        System.err.printf("signed %d pages of %s (items per page: %s)%n", counts.size(), kind, String.join(" ", counts));
    }

    static void searchTime(URI endpoint, int pages, int rounds, int warmup) throws Exception {
        List<Long> raw = new ArrayList<>();
        long bytes = 0;
        long total = -1;
        int measuredPages = 0;
        for (int round = 0; round < warmup + rounds; round++) {
            String token = null;
            for (int p = 0; p < pages; p++) {
                HttpRequest req = request(endpoint, "Search", searchBody(token).toString()); // signing not timed
                long t0 = System.nanoTime();
                HttpResponse<byte[]> r = HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
                long t1 = System.nanoTime();
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("Search answered " + r.statusCode() + ": " + new String(r.body()));
                }
                JsonNode j = JSON.readTree(r.body());
                if (round >= warmup) {
                    raw.add(t1 - t0);
                    bytes += r.body().length;
                    measuredPages++;
                    total = j.path("TotalHits").path("Value").asLong();
                }
                token = j.path("NextToken").isTextual() ? j.path("NextToken").asText() : null;
                if (token == null) break;
            }
        }
        // The same walk through the AWS SDK (signing, HTTP, unmarshalling into SearchResponse): what a Java caller sees.
        List<Long> sdk = new ArrayList<>();
        try (SageMakerClient sm = SageMakerClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build()) {
            for (int round = 0; round < Math.max(2, warmup) + Math.max(2, rounds / 2); round++) {
                String token = null;
                for (int p = 0; p < pages; p++) {
                    SearchRequest req = sdkSearch(token);
                    long t0 = System.nanoTime();
                    SearchResponse r = sm.search(req);
                    long t1 = System.nanoTime();
                    if (round >= Math.max(2, warmup)) sdk.add(t1 - t0);
                    token = r.nextToken();
                    if (token == null) break;
                }
            }
        }
        long[] a = raw.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] s = sdk.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("search-time pages=%d rounds=%d total_hits=%d avg_page_bytes=%d p50_ms=%.2f p99_ms=%.2f "
                        + "max_ms=%.2f sdk_p50_ms=%.2f sdk_p99_ms=%.2f%n", measuredPages, rounds, total,
                bytes / Math.max(1, measuredPages), SdkLoad.pct(a, 0.5), SdkLoad.pct(a, 0.99), a[a.length - 1] / 1e6,
                SdkLoad.pct(s, 0.5), SdkLoad.pct(s, 0.99));
    }

    private static SearchRequest sdkSearch(String token) throws Exception {
        // The SDK request built from the same JSON, so both clients ask exactly the same question.
        ObjectNode b = searchBody(token);
        return SearchRequest.builder().resource("TrainingJob")
                .searchExpression(JsonToSdk.expression(b.path("SearchExpression")))
                .sortBy("CreationTime").sortOrder("Descending").maxResults(100).nextToken(token).build();
    }

    static void verify(URI endpoint, String prefix, int n, String realPrefix, int realN, int every) throws Exception {
        Set<String> want = new HashSet<>();
        for (int i = 0; i < n; i++) {
            if (expected(Spec.of(i, false), i % every == 3 ? "Stopped" : "InProgress")) want.add(prefix + "-" + i);
        }
        for (int i = 0; i < realN; i++) {
            Spec s = Spec.of(i, true);
            if (expected(s, s.fails() ? "Failed" : "Completed")) want.add(realPrefix + "-" + i);
        }
        Set<String> got = new HashSet<>();
        List<String> order = new ArrayList<>();
        String token = null;
        long hits = -1;
        int pages = 0;
        String lastTime = null;
        boolean sorted = true;
        do {
            JsonNode r = call(endpoint, "Search", searchBody(token).toString());
            pages++;
            hits = r.path("TotalHits").path("Value").asLong();
            for (JsonNode rec : r.path("Results")) {
                JsonNode job = rec.path("TrainingJob");
                String name = job.path("TrainingJobName").asText();
                if (!got.add(name)) System.out.println("verify: duplicate " + name);
                order.add(name);
                String t = job.path("CreationTime").asText();
                if (lastTime != null && Double.parseDouble(t) > Double.parseDouble(lastTime)) sorted = false;
                lastTime = t;
            }
            token = r.path("NextToken").isTextual() ? r.path("NextToken").asText() : null;
        } while (token != null);
        Set<String> missing = new HashSet<>(want);
        missing.removeAll(got);
        Set<String> extra = new HashSet<>(got);
        extra.removeAll(want);
        boolean ok = missing.isEmpty() && extra.isEmpty() && hits == want.size() && sorted;
        System.out.printf("verify: %s expected=%d returned=%d total_hits=%d pages=%d missing=%d extra=%d "
                        + "creation_time_descending=%s%s%n", ok ? "OK" : "MISMATCH", want.size(), got.size(), hits,
                pages, missing.size(), extra.size(), sorted,
                missing.isEmpty() && extra.isEmpty() ? "" : " e.g. missing " + missing.stream().limit(3).toList()
                        + " extra " + extra.stream().limit(3).toList());
        if (!ok) System.exit(1);
    }

    /** Turns the JSON expression into the SDK's model objects. */
    static final class JsonToSdk {
        static software.amazon.awssdk.services.sagemaker.model.SearchExpression expression(JsonNode e) {
            var b = software.amazon.awssdk.services.sagemaker.model.SearchExpression.builder();
            if (e.has("Operator")) b.operator(e.get("Operator").asText());
            if (e.has("Filters")) b.filters(filters(e.get("Filters")));
            if (e.has("NestedFilters")) {
                List<software.amazon.awssdk.services.sagemaker.model.NestedFilters> ns = new ArrayList<>();
                for (JsonNode n : e.get("NestedFilters")) {
                    ns.add(software.amazon.awssdk.services.sagemaker.model.NestedFilters.builder()
                            .nestedPropertyName(n.get("NestedPropertyName").asText())
                            .filters(filters(n.get("Filters"))).build());
                }
                b.nestedFilters(ns);
            }
            if (e.has("SubExpressions")) {
                List<software.amazon.awssdk.services.sagemaker.model.SearchExpression> subs = new ArrayList<>();
                for (JsonNode s : e.get("SubExpressions")) subs.add(expression(s));
                b.subExpressions(subs);
            }
            return b.build();
        }

        private static List<software.amazon.awssdk.services.sagemaker.model.Filter> filters(JsonNode list) {
            List<software.amazon.awssdk.services.sagemaker.model.Filter> out = new ArrayList<>();
            for (JsonNode f : list) {
                out.add(software.amazon.awssdk.services.sagemaker.model.Filter.builder().name(f.get("Name").asText())
                        .operator(f.get("Operator").asText()).value(f.get("Value").asText()).build());
            }
            return out;
        }
    }

    static long[] sorted(List<Long> l) {
        long[] a = l.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a;
    }
}
