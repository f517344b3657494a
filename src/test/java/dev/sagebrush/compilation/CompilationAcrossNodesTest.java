package dev.sagebrush.compilation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.DatabaseUrl;
import dev.sagebrush.store.PostgresResourceStore;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.testsupport.MutableClock;
import dev.sagebrush.testsupport.PostgresCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * Compilation controllers of several nodes, each with its own connection pool, on one real PostgreSQL: each job runs
 * exactly once, and a node that stalls past its claim loses the job to another node, stops its own run and never
 * writes its late result.
 */
class CompilationAcrossNodesTest {
    @TempDir Path dir;
    final JsonCodec codec = new JsonCodec();
    final CompilationJobDocuments docs = new CompilationJobDocuments(codec);
    final List<AutoCloseable> toClose = new ArrayList<>();
    String url;

    @BeforeEach
    void database() {
        url = PostgresCluster.shared().newDatabase();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    ResourceStore node() {
        ResourceStore s = new PostgresResourceStore(DatabaseUrl.parse(url), 4);
        toClose.add(s);
        return s;
    }

    CompilationController controller(ResourceStore store, MutableClock clock, String node, CompilationWork work) {
        CompilationController c = new CompilationController(store, codec, clock, work, dir.resolve(node), 2, node,
                Duration.ofSeconds(60), Duration.ofMillis(50)).start();
        toClose.add(c);
        return c;
    }

    ResourceKey insert(ResourceStore store, String name, Instant now) {
        ResourceKey key = new ResourceKey("000000000000", "us-east-1", CompilationJobs.KIND, name);
        DescribeCompilationJobResponse job = DescribeCompilationJobResponse.builder()
                .compilationJobName(name).compilationJobArn("arn:aws:sagemaker:us-east-1:000000000000:compilation-job/" + name)
                .compilationJobStatus("STARTING").creationTime(now).lastModifiedTime(now)
                .stoppingCondition(s -> s.maxRuntimeInSeconds(86_400)).build();
        store.create(new StoredResource(key, job.compilationJobArn(), "STARTING", now, now, 0, docs.encode(job)), Map.of());
        return key;
    }

    DescribeCompilationJobResponse await(ResourceStore store, ResourceKey key, CompilationJobStatus status) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            DescribeCompilationJobResponse d = docs.decode(store.get(key).orElseThrow());
            if (d.compilationJobStatus() == status) return d;
            Thread.sleep(20);
        }
        throw new AssertionError(key.name() + " never reached " + status);
    }

    @Test
    void threeNodesRunEachJobExactlyOnce() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-04T10:00:00Z"));
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        CompilationWork work = (job, d, c) -> {
            runs.computeIfAbsent(job.compilationJobName(), k -> new AtomicInteger()).incrementAndGet();
            CompilationControllerTest.sleep(30);
            return new CompilationOutcome("s3://out/" + job.compilationJobName() + ".tar.gz", null, null, null);
        };
        List<ResourceStore> stores = List.of(node(), node(), node());
        for (int i = 0; i < 3; i++) controller(stores.get(i), clock, "node-" + i, work);
        List<ResourceKey> keys = new ArrayList<>();
        for (int i = 0; i < 24; i++) keys.add(insert(stores.get(i % 3), "job-" + i, clock.instant()));
        for (ResourceKey k : keys) await(stores.get(0), k, CompilationJobStatus.COMPLETED);
        assertThat(runs).hasSize(24);
        assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    }

    @Test
    void aStalledNodeLosesItsClaimStopsItsRunAndCannotWriteItsResult() throws Exception {
        Instant t0 = Instant.parse("2026-12-04T10:00:00Z");
        MutableClock stalledClock = new MutableClock(t0);
        CountDownLatch aRunning = new CountDownLatch(1);
        AtomicReference<String> aCancelled = new AtomicReference<>();
        ResourceStore storeA = node();
        controller(storeA, stalledClock, "node-a", (job, d, c) -> {
            aRunning.countDown();
            long until = System.currentTimeMillis() + 30_000;
            while (!c.isCancelled() && System.currentTimeMillis() < until) CompilationControllerTest.sleep(10);
            aCancelled.set(String.valueOf(c.reason()));
            // A stalled node's work may still finish: its result must not be written.
            return new CompilationOutcome("s3://out/late-from-a.tar.gz", null, null, null);
        });
        ResourceKey key = insert(storeA, "contested", t0);
        assertThat(aRunning.await(20, TimeUnit.SECONDS)).isTrue();

        // Node b lives 2 minutes after node a's last renewal: a's claim has expired for it, and b takes the job over.
        // b's run lasts until a has noticed, so a sees the job still INPROGRESS, under b's claim.
        ResourceStore storeB = node();
        MutableClock bClock = new MutableClock(t0.plus(Duration.ofMinutes(2)));
        controller(storeB, bClock, "node-b", (job, d, c) -> {
            long until = System.currentTimeMillis() + 20_000;
            while (aCancelled.get() == null && System.currentTimeMillis() < until) CompilationControllerTest.sleep(10);
            return new CompilationOutcome("s3://out/from-b.tar.gz", null, null, null);
        });
        DescribeCompilationJobResponse done = await(storeB, key, CompilationJobStatus.COMPLETED);
        assertThat(done.modelArtifacts().s3ModelArtifacts()).isEqualTo("s3://out/from-b.tar.gz");
        assertThat(aCancelled.get()).as("why node a's run was cancelled").isEqualTo("claim-lost");
        Thread.sleep(300); // node a's worker has returned its late result by now
        DescribeCompilationJobResponse after = docs.decode(storeA.get(key).orElseThrow());
        assertThat(after.compilationJobStatus()).isEqualTo(CompilationJobStatus.COMPLETED);
        assertThat(after.modelArtifacts().s3ModelArtifacts()).isEqualTo("s3://out/from-b.tar.gz");
    }
}
