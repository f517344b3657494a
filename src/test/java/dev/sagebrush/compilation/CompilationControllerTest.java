package dev.sagebrush.compilation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.SqliteResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.testsupport.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
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

/** The controller's state machine against a real store, with the work itself replaced by a controllable task. */
class CompilationControllerTest {
    @TempDir Path dir;
    SqliteResourceStore store;
    final JsonCodec codec = new JsonCodec();
    final CompilationJobDocuments docs = new CompilationJobDocuments(codec);
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
    CompilationController controller;

    @BeforeEach
    void open() {
        store = new SqliteResourceStore(dir.resolve("db"));
    }

    @AfterEach
    void close() {
        if (controller != null) controller.close();
        store.close();
    }

    void start(CompilationWork work, int workers) {
        controller = new CompilationController(store, codec, clock, work, dir.resolve("work"), workers, "node-a",
                Duration.ofSeconds(60), Duration.ofMillis(50)).start();
    }

    ResourceKey insert(String name, String status, Integer maxRuntime, Integer maxPending, Instant startTime) {
        ResourceKey key = new ResourceKey("000000000000", "us-east-1", CompilationJobs.KIND, name);
        DescribeCompilationJobResponse job = DescribeCompilationJobResponse.builder()
                .compilationJobName(name).compilationJobArn("arn:aws:sagemaker:us-east-1:000000000000:compilation-job/" + name)
                .compilationJobStatus(status).creationTime(clock.instant()).lastModifiedTime(clock.instant())
                .compilationStartTime(startTime)
                .stoppingCondition(s -> s.maxRuntimeInSeconds(maxRuntime).maxPendingTimeInSeconds(maxPending))
                .build();
        store.create(new StoredResource(key, job.compilationJobArn(), status, clock.instant(), clock.instant(), 0,
                docs.encode(job)), Map.of());
        return key;
    }

    DescribeCompilationJobResponse awaitStatus(ResourceKey key, CompilationJobStatus status) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            DescribeCompilationJobResponse d = docs.decode(store.get(key).orElseThrow());
            if (d.compilationJobStatus() == status) return d;
            Thread.sleep(20);
        }
        throw new AssertionError("job never reached " + status + ": " + docs.decode(store.get(key).orElseThrow()));
    }

    @Test
    void removesInterruptedWorkDirectoriesWhenItStarts() throws Exception {
        java.nio.file.Path left = java.nio.file.Files.createDirectories(dir.resolve("work").resolve("job-1a2b")
                .resolve("model"));
        java.nio.file.Files.write(left.resolve("bomb.bin"), new byte[1 << 20]);
        start((job, work, c) -> { throw new AssertionError("no job"); }, 1);
        assertThat(dir.resolve("work").resolve("job-1a2b")).doesNotExist();
        assertThat(dir.resolve("work")).isDirectory();
    }

    @Test
    void runsAStartingJobToCompletedAndRecordsTheArtifact() throws Exception {
        start((job, work, c) -> new CompilationOutcome("s3://out/model-ml_c5.tar.gz", "blake2b:ab", "{\"x\":[1]}", null), 1);
        ResourceKey key = insert("ok", "STARTING", 60, null, null);
        controller.wake();
        DescribeCompilationJobResponse d = awaitStatus(key, CompilationJobStatus.COMPLETED);
        assertThat(d.compilationStartTime()).isNotNull();
        assertThat(d.compilationEndTime()).isNotNull();
        assertThat(d.modelArtifacts().s3ModelArtifacts()).isEqualTo("s3://out/model-ml_c5.tar.gz");
        assertThat(d.modelDigests().artifactDigest()).isEqualTo("blake2b:ab");
        assertThat(d.derivedInformation().derivedDataInputConfig()).isEqualTo("{\"x\":[1]}");
        assertThat(d.failureReason()).isEmpty();
    }

    @Test
    void aFailureBecomesTheFailureReason() throws Exception {
        start((job, work, c) -> { throw new CompilationFailure("ClientError: nope"); }, 1);
        ResourceKey key = insert("bad", "STARTING", 60, null, null);
        assertThat(awaitStatus(key, CompilationJobStatus.FAILED).failureReason()).isEqualTo("ClientError: nope");
    }

    @Test
    void stopCancelsRunningWorkAndEndsStopped() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<String> cancelledWith = new AtomicReference<>();
        start((job, work, c) -> {
            started.countDown();
            while (!c.isCancelled()) sleep(10);
            cancelledWith.set(c.reason());
            c.check();
            return null;
        }, 1);
        ResourceKey key = insert("stop", "STARTING", 60, null, null);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        StoredResource row = store.get(key).orElseThrow();
        store.update(row.withDocument("STOPPING", clock.instant(), docs.encode(docs.decode(row).toBuilder()
                .compilationJobStatus(CompilationJobStatus.STOPPING).build())));
        controller.wake();
        assertThat(awaitStatus(key, CompilationJobStatus.STOPPED).compilationEndTime()).isNotNull();
        assertThat(cancelledWith.get()).isEqualTo("stop");
    }

    @Test
    void maxRuntimeCancelsTheWorkAndFailsTheJob() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        start((job, work, c) -> {
            started.countDown();
            while (!c.isCancelled()) sleep(10);
            c.check();
            return null;
        }, 1);
        ResourceKey key = insert("slow", "STARTING", 5, null, null);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofSeconds(6));
        assertThat(awaitStatus(key, CompilationJobStatus.FAILED).failureReason())
                .isEqualTo("ClientError: The compilation exceeded MaxRuntimeInSeconds (5 s) and was stopped.");
    }

    @Test
    void maxPendingTimeFailsAJobNoWorkerTook() throws Exception {
        start((job, work, c) -> null, 0);
        ResourceKey key = insert("waiting", "STARTING", 60, 7200, null);
        clock.advance(Duration.ofSeconds(7201));
        assertThat(awaitStatus(key, CompilationJobStatus.FAILED).failureReason()).contains("MaxPendingTimeInSeconds (7200 s)");
    }

    @Test
    void aJobCutOffMidRunIsRunAgainAfterARestart() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        start((job, work, c) -> {
            runs.incrementAndGet();
            return new CompilationOutcome("s3://out/a.tar.gz", null, null, null);
        }, 1);
        // What a kill -9 leaves behind: INPROGRESS, with nobody holding a lease on it.
        ResourceKey key = insert("resumed", "INPROGRESS", 60, null, clock.instant());
        controller.wake();
        awaitStatus(key, CompilationJobStatus.COMPLETED);
        assertThat(runs.get()).isEqualTo(1);
    }

    @Test
    void aStoppingJobWithNoRunningWorkIsStoppedAtOnce() throws Exception {
        start((job, work, c) -> null, 0);
        ResourceKey key = insert("orphan-stop", "STOPPING", 60, null, clock.instant());
        controller.wake();
        awaitStatus(key, CompilationJobStatus.STOPPED);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
