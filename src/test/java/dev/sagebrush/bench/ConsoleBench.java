package dev.sagebrush.bench;

import dev.sagebrush.Sagebrush;
import dev.sagebrush.config.Config;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.ResourceStores;
import dev.sagebrush.training.TrainingJobs;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's page load and the /metrics scrape with N training jobs in the store (bench/console/run.sh).
 * The jobs are created through the training feature's own create (see {@link #fill}); the server then starts on that
 * store, loads its Search index from it, and serves the console.
 *
 * <p>Page load: Debian's chromium (headless, through chromium-driver) signs in once, then loads
 * {@code /console/#/training} ROUNDS times from about:blank; each load reports first-contentful-paint from the
 * browser's performance API and the moment the first page of the list (20 jobs, from ListTrainingJobs through the
 * console API) is in the DOM ({@code performance.mark('sagebrush:list-rendered')}). The first load has an empty
 * cache; the others revalidate the assets (ETag, 304). Scrape: SCRAPES sequential GET /metrics after a warm-up.
 */
public final class ConsoleBench {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(System.getenv().getOrDefault("N", "100000"));
        int rounds = Integer.parseInt(System.getenv().getOrDefault("ROUNDS", "30"));
        int scrapes = Integer.parseInt(System.getenv().getOrDefault("SCRAPES", "2000"));
        Path dir = Files.createTempDirectory("sagebrush-console-bench");
        Config config = Config.defaults(dir).withPort(0).withCompileWorkers(0)
                .withTraining(Config.defaults(dir).training().withWorkers(0))
                .withNotebooks(Config.defaults(dir).notebooks().withRunInstances(false));
        long t0 = System.nanoTime();
        fill(dir, n);
        System.out.printf("filled: %,d training jobs in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        try (Sagebrush server = Sagebrush.start(config)) {
            URI endpoint = URI.create(server.endpoint());
            pageLoad(endpoint, rounds);
            scrape(endpoint, scrapes);
        }
    }

    /**
     * N CreateTrainingJob calls straight into the feature code (the API's own validation-free path after decoding),
     * 16 threads, on the store the server then opens: the same documents and rows as through HTTP, in a fraction of
     * the time on a busy machine. Varied names, hyperparameters, instance types and creation times.
     */
    static void fill(Path dir, int n) throws Exception {
        try (ResourceStore store = ResourceStores.open(java.util.Optional.empty(), dir)) {
            TrainingJobs jobs = new TrainingJobs(store, new JsonCodec(), () -> {});
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                done.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        final int k = i;
                        RequestContext ctx = new RequestContext("000000000000", "us-east-1", "test", "fill-" + k,
                                java.time.Instant.now());
                        jobs.create(ctx, CreateTrainingJobRequest.builder()
                                .trainingJobName(String.format("job-%06d", k))
                                .roleArn("arn:aws:iam::000000000000:role/SageMakerRole")
                                .algorithmSpecification(a -> a.trainingImage("123456789012.dkr.ecr.us-east-1.amazonaws.com/bench:1")
                                        .trainingInputMode("File"))
                                .hyperParameters(Map.of("eta", "0." + (k % 9 + 1), "max_depth", Integer.toString(3 + k % 7)))
                                .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s
                                        .s3DataType("S3Prefix").s3Uri("s3://data/" + (2024 + k % 3) + "/train/")
                                        .s3DataDistributionType("FullyReplicated"))))
                                .outputDataConfig(o -> o.s3OutputPath("s3://out/models"))
                                .resourceConfig(r -> r.instanceType(k % 2 == 0 ? "ml.m5.large" : "ml.c5.xlarge")
                                        .instanceCount(1).volumeSizeInGB(10))
                                .stoppingCondition(s -> s.maxRuntimeInSeconds(3600)).build());
                    }
                    return null;
                }));
            }
            for (var f : done) f.get();
            pool.shutdown();
        }
    }

    static void pageLoad(URI endpoint, int rounds) throws Exception {
        Path profile = Files.createTempDirectory("sagebrush-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/lib/chromium/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900");
        ChromeDriver driver = new ChromeDriver(new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
        try {
            String base = endpoint.toString().replaceAll("/$", "");
            List<Double> fcp = new ArrayList<>();
            List<Double> listed = new ArrayList<>();
            for (int i = 0; i <= rounds; i++) {
                driver.get("about:blank");
                driver.get(base + "/console/#/training");
                if (i == 0) {
                    // Sign in once (the session cookie then stays); this first load is not measured.
                    new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> d.findElement(By.id("sign-in")).isDisplayed());
                    driver.findElement(By.id("access-key-id")).sendKeys("test");
                    driver.findElement(By.id("secret-access-key")).sendKeys("test\n");
                    new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> d.findElement(By.id("nav")).isDisplayed());
                    continue;
                }
                new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> ((JavascriptExecutor) d).executeScript(
                        "return performance.getEntriesByName('sagebrush:list-rendered').length") instanceof Long l && l > 0);
                @SuppressWarnings("unchecked")
                Map<String, Object> t = (Map<String, Object>) ((JavascriptExecutor) driver).executeScript(
                        "return {fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime,"
                        + " listed: performance.getEntriesByName('sagebrush:list-rendered')[0].startTime,"
                        + " rows: document.querySelectorAll('table.list tbody tr').length}");
                fcp.add(((Number) t.get("fcp")).doubleValue());
                listed.add(((Number) t.get("listed")).doubleValue());
                if (i == 1 || i == rounds) System.out.println("timings: " + ((JavascriptExecutor) driver).executeScript(
                        "const n = performance.getEntriesByType('navigation')[0];"
                        + "return 'ttfb ' + Math.round(n.responseStart) + ' domInteractive ' + Math.round(n.domInteractive)"
                        + " + ' dcl ' + Math.round(n.domContentLoadedEventEnd) + ' | ' + performance.getEntriesByType('resource')"
                        + ".map(r => r.name.replace(/^.*\\//, '') + ' ' + Math.round(r.startTime) + '-' + Math.round(r.responseEnd)).join(', ')"));
                if (i == 1) System.out.printf("first measured load: FCP %.0f ms, list rendered %.0f ms, %s rows%n",
                        fcp.get(0), listed.get(0), t.get("rows"));
            }
            System.out.printf("page load over %d loads: FCP median %.0f ms (p90 %.0f, max %.0f); list rendered median %.0f ms (p90 %.0f)%n",
                    rounds, pct(fcp, 50), pct(fcp, 90), pct(fcp, 100), pct(listed, 50), pct(listed, 90));
        } finally {
            driver.quit();
        }
    }

    static void scrape(URI endpoint, int scrapes) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(endpoint.resolve("/metrics")).build();
        int bytes = 0;
        for (int i = 0; i < 200; i++) bytes = http.send(req, HttpResponse.BodyHandlers.ofString()).body().length();
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < scrapes; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            ms.add((System.nanoTime() - t) / 1e6);
            if (r.statusCode() != 200) throw new IllegalStateException("scrape answered " + r.statusCode());
        }
        System.out.printf("/metrics scrape (%,d bytes) over %d scrapes: median %.2f ms, p99 %.2f ms, max %.2f ms%n",
                bytes, scrapes, pct(ms, 50), pct(ms, 99), pct(ms, 100));
    }

    static double pct(List<Double> values, int p) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        return v.get(Math.min(v.size() - 1, (int) Math.ceil(p / 100.0 * v.size()) - 1 < 0 ? 0 : (int) Math.ceil(p / 100.0 * v.size()) - 1));
    }
}
