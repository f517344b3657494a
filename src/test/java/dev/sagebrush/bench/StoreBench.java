package dev.sagebrush.bench;

import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.search.Searches;
import dev.sagebrush.store.DatabaseUrl;
import dev.sagebrush.store.PostgresResourceStore;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.SqliteResourceStore;
import dev.sagebrush.training.TrainingJobs;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobRequest;

/**
 * The store under the training job API, without HTTP: CreateTrainingJob and DescribeTrainingJob throughput from many
 * threads, then the Search index's start-up (load every job and its tags) and the heap it holds, on SQLite or on
 * PostgreSQL. Jobs are SearchApiBench's generated requests, so documents are as large as the Search bench's.
 *
 * <pre>
 *   java -cp ... dev.sagebrush.bench.StoreBench sqlite DIR N THREADS
 *   java -cp ... dev.sagebrush.bench.StoreBench postgresql://user@host:port/db N THREADS
 * </pre>
 * Run it through bench/store/run.sh, which starts a PostgreSQL of its own.
 */
public final class StoreBench {
    public static void main(String[] args) throws Exception {
        String where = args[0];
        int n = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        Supplier<ResourceStore> open = where.startsWith("postgres")
                ? () -> new PostgresResourceStore(DatabaseUrl.parse(where), 16)
                : () -> new SqliteResourceStore(Path.of(where).resolve("sagebrush.db"));
        if (!where.startsWith("postgres")) Files.createDirectories(Path.of(where));
        JsonCodec codec = new JsonCodec();
        List<CreateTrainingJobRequest> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String body = SearchApiBench.createBody("bulk-" + i, SearchApiBench.Spec.of(i, false), false);
            requests.add(codec.decode(body.getBytes(StandardCharsets.UTF_8), CreateTrainingJobRequest.builder()));
        }
        String engine = where.startsWith("postgres") ? "postgresql" : "sqlite";
        boolean fill = !Boolean.getBoolean("startupOnly");
        // describeOnly: Describe on a store filled by an earlier run; noStartup: Create and Describe only.
        boolean describeOnly = Boolean.getBoolean("describeOnly");
        if (fill) try (ResourceStore store = open.get()) {
            TrainingJobs jobs = new TrainingJobs(store, codec, () -> { });
            if (!describeOnly) {
                double createRate = run(n, threads, i -> jobs.create(ctx(), requests.get(i)));
                System.out.printf("%s: CreateTrainingJob (API + store, no HTTP): %.0f/s with %d threads, %d jobs%n",
                        engine, createRate, threads, n);
            }
            int describes = Math.min(n, 20_000);
            run(describes, threads, i -> jobs.describe(ctx(), DescribeTrainingJobRequest.builder()
                    .trainingJobName("bulk-" + (i * 7919 % n)).build())); // warm-up
            double describeRate = run(describes * 2, threads, i -> jobs.describe(ctx(),
                    DescribeTrainingJobRequest.builder().trainingJobName("bulk-" + (i * 7919 % n)).build()));
            System.out.printf("%s: DescribeTrainingJob (API + store, no HTTP): %.0f/s with %d threads%n",
                    engine, describeRate, threads);
        }
        if (describeOnly || Boolean.getBoolean("noStartup")) return;
        if (!Boolean.getBoolean("noBaseline")) baseline(open, codec, engine, n);
        for (int round = 1; round <= 3; round++) {
            startup(open, codec, engine, n, "from the store", round, null);
        }
        if (!Boolean.getBoolean("noSnapshot")) {
            // The server writes its index snapshot when it stops and reads it back when it starts.
            Path snapshot = Files.createTempDirectory("storebench-snapshot").resolve("training-jobs.snapshot");
            try (ResourceStore store = open.get()) {
                Searches searches = new Searches(store, codec, new byte[32], snapshot); // no file yet: from the store
                long start = System.nanoTime();
                searches.close(); // writes it
                System.out.printf("%s: Search index snapshot written: %d ms, %d MB%n",
                        engine, (System.nanoTime() - start) / 1_000_000, Files.size(snapshot) >> 20);
            }
            for (int round = 1; round <= 3; round++) {
                startup(open, codec, engine, n, "from the snapshot", round, snapshot);
            }
            Files.deleteIfExists(snapshot);
        }
    }

    /** One Search index start-up: wall and process CPU time, and the heap the index holds after a full GC. */
    static void startup(Supplier<ResourceStore> open, JsonCodec codec, String engine, int n, String how, int round,
                        Path snapshot) throws Exception {
        System.gc();
        long before = usedHeap();
        try (ResourceStore store = open.get()) {
            long cpu = processCpu();
            long start = System.nanoTime();
            Searches searches = new Searches(store, codec, new byte[32], snapshot);
            long ms = (System.nanoTime() - start) / 1_000_000;
            long cpuMs = (processCpu() - cpu) / 1_000_000;
            System.gc();
            long heldMb = (usedHeap() - before) / (1024 * 1024);
            System.out.printf("%s: Search index start-up %s, round %d: %d ms (%d ms CPU of the process) for %d jobs; "
                    + "heap held by the index after a full GC: %d MB (feed at %d)%n", engine, how, round, ms, cpuMs, n,
                    heldMb, searches.loadedAt());
        }
    }

    /**
     * The start-up as it was before the change feed: one tags query per job, and each record made by decoding the
     * document into the SDK's TrainingJob and encoding it again. Kept to measure the difference on the same machine.
     */
    static void baseline(Supplier<ResourceStore> open, JsonCodec codec, String engine, int n) throws Exception {
        var documents = new dev.sagebrush.training.TrainingJobDocuments(codec);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var mx = ManagementFactory.getThreadMXBean();
        try (ResourceStore store = open.get()) {
            long cpu = processCpu();
            long start = System.nanoTime();
            var index = new dev.sagebrush.search.TrainingJobIndex(new byte[32]);
            for (var row : store.findAll(TrainingJobs.KIND)) {
                index.put((com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
                        documents.searchDocument(row, store.tags(row.arn()))));
            }
            System.out.printf("%s: start-up the old way (a tags query per job, SDK decode/encode per record): %d ms "
                    + "(%d ms CPU of the process) for %d jobs%n", engine, (System.nanoTime() - start) / 1_000_000,
                    (processCpu() - cpu) / 1_000_000, index.size());
        }
    }

    static RequestContext ctx() {
        return new RequestContext("000000000000", "us-east-1", "test", "bench", Instant.now());
    }

    interface Task {
        void run(int i) throws Exception;
    }

    static double run(int count, int threads, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < count; ) task.run(i);
                return null;
            }));
        }
        for (Future<?> f : done) f.get();
        pool.shutdown();
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** CPU time of the whole process (every thread, GC included): what start-up costs on a shared, busy machine. */
    static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static long usedHeap() {
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed();
    }
}
