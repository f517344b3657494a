package dev.sagebrush.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.Transitions;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.SqliteResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.testsupport.MutableClock;
import dev.sagebrush.training.runner.TrainingRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.MetricData;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatusTransition;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * The controller's state machine on the reconciliation runtime, against a real store, with runners written against
 * the blocking {@link TrainingRunner} interface as any backend's is: they plug in unchanged behind the adapter.
 */
class TrainingControllerTest {
    @TempDir Path dir;
    SqliteResourceStore store;
    final TrainingJobDocuments docs = new TrainingJobDocuments(new JsonCodec());
    final Instant t0 = Instant.parse("2026-12-04T10:00:00Z");
    final MutableClock clock = new MutableClock(t0);
    final List<TrainingController> controllers = new ArrayList<>();

    @BeforeEach
    void open() {
        store = new SqliteResourceStore(dir.resolve("db"));
    }

    @AfterEach
    void close() {
        controllers.forEach(TrainingController::close);
        store.close();
    }

    TrainingController start(MutableClock c, String node, int workers, TrainingRunner runner) {
        TrainingController controller = new TrainingController(store, new JsonCodec(), c, runner, workers, node,
                Duration.ofSeconds(60), Duration.ofMillis(50)).start();
        controllers.add(controller);
        return controller;
    }

    ResourceKey insert(String name, Integer maxRuntime, Integer maxPending) {
        ResourceKey key = new ResourceKey("000000000000", "us-east-1", TrainingJobs.KIND, name);
        DescribeTrainingJobResponse job = DescribeTrainingJobResponse.builder()
                .trainingJobName(name).trainingJobArn("arn:aws:sagemaker:us-east-1:000000000000:training-job/" + name)
                .trainingJobStatus(TrainingJobStatus.IN_PROGRESS).secondaryStatus(SecondaryStatus.STARTING)
                .secondaryStatusTransitions(SecondaryStatusTransition.builder().status(SecondaryStatus.STARTING)
                        .startTime(t0).statusMessage("Starting the training job").build())
                .creationTime(t0).lastModifiedTime(t0)
                .stoppingCondition(s -> s.maxRuntimeInSeconds(maxRuntime).maxPendingTimeInSeconds(maxPending)).build();
        store.create(new StoredResource(key, job.trainingJobArn(), "InProgress", t0, t0, 0, docs.encode(job)), Map.of());
        return key;
    }

    DescribeTrainingJobResponse await(ResourceKey key, TrainingJobStatus status) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            DescribeTrainingJobResponse d = docs.decode(store.get(key).orElseThrow());
            if (d.trainingJobStatus() == status) return d;
            Thread.sleep(20);
        }
        throw new AssertionError(key.name() + " never reached " + status + ": " + docs.decode(store.get(key).orElseThrow()));
    }

    /** What StopTrainingJob writes; a compare-and-set loop, as the controller records progress meanwhile. */
    void stop(ResourceKey key) {
        assertThat(Transitions.apply(store, key, null, List.of("InProgress"), row -> row.withDocument("Stopping",
                clock.instant(), docs.encode(SecondaryTransitions.advance(docs.decode(row), SecondaryStatus.STOPPING,
                        "Stopping the training job", clock.instant(), false)
                        .trainingJobStatus(TrainingJobStatus.STOPPING).build())))).isPresent();
    }

    /** Blocks until cancelled, as a long training process does; reports the reason it was cancelled with. */
    static TrainingRunner blockingUntilCancelled(CountDownLatch running, AtomicReference<String> reason) {
        return (job, progress, cancellation) -> {
            progress.status(SecondaryStatus.DOWNLOADING, "Downloading input data");
            progress.status(SecondaryStatus.TRAINING, "Training in progress");
            running.countDown();
            waitForCancel(cancellation, 30_000);
            reason.set(cancellation.reason());
            return new TrainingRunner.Outcome(TrainingRunner.Outcome.Kind.CANCELLED, null, List.of());
        };
    }

    static void waitForCancel(Cancellation cancellation, long maxMillis) {
        long until = System.currentTimeMillis() + maxMillis;
        while (!cancellation.isCancelled() && System.currentTimeMillis() < until) pause(10);
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static List<String> statuses(DescribeTrainingJobResponse d) {
        return d.secondaryStatusTransitions().stream().map(SecondaryStatusTransition::statusAsString).toList();
    }

    @Test
    void whatTheRunnerReportsIsRecordedInOrderAndTheOutcomeEndsTheJob() throws Exception {
        MetricData loss = MetricData.builder().metricName("loss").value(0.25f).timestamp(t0).build();
        start(clock, "node-a", 1, (job, progress, cancellation) -> {
            progress.status(SecondaryStatus.DOWNLOADING, "Downloading input data");
            progress.status(SecondaryStatus.TRAINING, "Training in progress");
            progress.status(SecondaryStatus.UPLOADING, "Uploading generated training model");
            return new TrainingRunner.Outcome(TrainingRunner.Outcome.Kind.COMPLETED, null, List.of(loss));
        });
        ResourceKey key = insert("ok", 3600, null);
        DescribeTrainingJobResponse done = await(key, TrainingJobStatus.COMPLETED);
        assertThat(statuses(done)).containsExactly("Starting", "Downloading", "Training", "Uploading", "Completed");
        assertThat(done.trainingStartTime()).isNotNull();
        assertThat(done.trainingEndTime()).isNotNull();
        assertThat(done.finalMetricDataList()).containsExactly(loss);
        assertThat(store.get(key).orElseThrow().status()).isEqualTo("Completed");
    }

    @Test
    void aRunnerThatThrowsFailsTheJobAsSagebrushsError() throws Exception {
        start(clock, "node-a", 1, (job, progress, cancellation) -> {
            throw new java.io.IOException("disk full");
        });
        ResourceKey key = insert("broken", 3600, null);
        assertThat(await(key, TrainingJobStatus.FAILED).failureReason())
                .startsWith("InternalServerError: The training job failed in Sagebrush (IOException: disk full)");
    }

    @Test
    void stopCancelsTheRunAndTheJobEndsStopped() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        AtomicReference<String> reason = new AtomicReference<>();
        start(clock, "node-a", 1, blockingUntilCancelled(running, reason));
        ResourceKey key = insert("stopped", 3600, null);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        stop(key);
        DescribeTrainingJobResponse d = await(key, TrainingJobStatus.STOPPED);
        assertThat(reason.get()).isEqualTo("stop");
        assertThat(d.secondaryStatus()).isEqualTo(SecondaryStatus.STOPPED);
    }

    @Test
    void maxRuntimeStopsTheRunWithMaxRuntimeExceeded() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        AtomicReference<String> reason = new AtomicReference<>();
        start(clock, "node-a", 1, blockingUntilCancelled(running, reason));
        ResourceKey key = insert("slow", 60, null);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        // The Downloading status (which starts the MaxRuntime clock) is recorded by a step after the runner reports it.
        while (docs.decode(store.get(key).orElseThrow()).trainingStartTime() == null) Thread.sleep(10);
        clock.advance(Duration.ofSeconds(61));
        DescribeTrainingJobResponse d = await(key, TrainingJobStatus.STOPPED);
        assertThat(reason.get()).isEqualTo("timeout");
        assertThat(d.secondaryStatus()).isEqualTo(SecondaryStatus.MAX_RUNTIME_EXCEEDED);
    }

    @Test
    void aJobNoWorkerTookFailsAfterMaxPendingTime() throws Exception {
        start(clock, "api-only", 0, (job, progress, cancellation) -> {
            throw new AssertionError("an API-only node runs nothing");
        });
        ResourceKey key = insert("waiting", 3600, 7200);
        Thread.sleep(100);
        clock.advance(Duration.ofSeconds(7201));
        assertThat(await(key, TrainingJobStatus.FAILED).failureReason())
                .isEqualTo("CapacityError: The job waited longer than MaxPendingTimeInSeconds (7200 s) for a training worker.");
    }

    @Test
    void aStalledNodeLosesTheJobItsRunIsCancelledAndItsLateResultIsNotWritten() throws Exception {
        CountDownLatch aRunning = new CountDownLatch(1);
        AtomicReference<String> aReason = new AtomicReference<>();
        MutableClock stalled = new MutableClock(t0); // node a's time stands still: it never renews past t0 + 60 s
        start(stalled, "node-a", 1, (job, progress, cancellation) -> {
            aRunning.countDown();
            waitForCancel(cancellation, 30_000);
            aReason.set(cancellation.reason());
            return TrainingRunner.Outcome.failed("AlgorithmError: the late result of node a", List.of());
        });
        ResourceKey key = insert("contested", 86_400, null);
        assertThat(aRunning.await(10, TimeUnit.SECONDS)).isTrue();

        // Node b lives 2 minutes later: node a's claim has expired for it, so it takes the job over and runs it again.
        java.util.concurrent.atomic.AtomicBoolean ranOnB = new java.util.concurrent.atomic.AtomicBoolean();
        start(new MutableClock(t0.plus(Duration.ofMinutes(2))), "node-b", 1, (job, progress, cancellation) -> {
            ranOnB.set(true);
            long until = System.currentTimeMillis() + 20_000;
            while (aReason.get() == null && System.currentTimeMillis() < until) pause(10);
            return new TrainingRunner.Outcome(TrainingRunner.Outcome.Kind.COMPLETED, null, List.of());
        });
        DescribeTrainingJobResponse done = await(key, TrainingJobStatus.COMPLETED);
        assertThat(aReason.get()).as("why node a's run was cancelled").isEqualTo("claim-lost");
        assertThat(statuses(done)).contains("Starting", "Completed");
        assertThat(ranOnB.get()).isTrue();
        Thread.sleep(300); // node a's run has returned its late result by now
        DescribeTrainingJobResponse after = docs.decode(store.get(key).orElseThrow());
        assertThat(after.trainingJobStatus()).isEqualTo(TrainingJobStatus.COMPLETED);
        assertThat(after.failureReason()).isNull();
    }
}
