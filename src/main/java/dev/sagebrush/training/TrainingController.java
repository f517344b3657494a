package dev.sagebrush.training;

import dev.sagebrush.jobs.ClaimedRuns;
import dev.sagebrush.jobs.Controller;
import dev.sagebrush.jobs.Execution;
import dev.sagebrush.jobs.HeldClaims;
import dev.sagebrush.jobs.Reconciler.Result;
import dev.sagebrush.jobs.Reconciliation;
import dev.sagebrush.jobs.ThreadedBackend;
import dev.sagebrush.jobs.Transitions;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.ClaimLostException;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.training.metrics.MetricExtractor;
import dev.sagebrush.training.runner.TrainingRunner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.MetricData;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * Moves each training job InProgress (Starting → Downloading → Training → Uploading) → Completed | Failed, or
 * Stopping → Stopped, and enforces MaxRuntimeInSeconds (→ Stopped with MaxRuntimeExceeded) and
 * MaxPendingTimeInSeconds, one idempotent step at a time on the reconciliation runtime ({@link Reconciliation}).
 * The {@link TrainingRunner} blocks for the job's life, so it runs behind a {@link ThreadedBackend}: a step submits the
 * job, and later steps record what the runner reported (secondary statuses, metrics) and how it ended.
 * A job is claimed before it runs, so two nodes never run it twice; the claim is renewed each time the running job is
 * looked at, every write carries it, and a lost claim (this node stalled and another took the job over) cancels the
 * run here. After a restart, a job that was cut off mid-run is started again from the beginning (its secondary status
 * history shows the restart): the alternative, failing it, would turn every server upgrade into failed jobs, and a job
 * that must not repeat work can checkpoint.
 */
public final class TrainingController implements Controller {
    private static final Logger log = LoggerFactory.getLogger(TrainingController.class);
    private static final List<String> ACTIVE = List.of("InProgress", "Stopping");
    private static final Duration PENDING_CHECK_INTERVAL = Duration.ofSeconds(60);

    /** What a run reports while it works, recorded by the next step. */
    sealed interface Report {}

    record StatusReached(SecondaryStatus status, String message, Instant at) implements Report {}

    record ProcessStarted(MetricExtractor metrics) implements Report {}

    /** The metric extractor of each running process, and how many values it had when they were last written. */
    private static final class LiveMetrics {
        final MetricExtractor extractor;
        long published;

        LiveMetrics(MetricExtractor extractor) {
            this.extractor = extractor;
        }
    }

    private final ResourceStore store;
    private final TrainingJobDocuments documents;
    private final Clock clock;
    private final String nodeId;
    private final Duration poll;
    private final HeldClaims claims;
    private final ThreadedBackend<DescribeTrainingJobResponse, Report, TrainingRunner.Outcome> backend;
    private final ClaimedRuns<DescribeTrainingJobResponse, Report, TrainingRunner.Outcome> runs;
    private final Map<ResourceKey, LiveMetrics> live = new ConcurrentHashMap<>();
    private final Reconciliation reconciliation;
    /** The first full look comes one interval after the start, not during it (MaxPending is at least 7200 s). */
    private Instant nextPendingCheck;

    public TrainingController(ResourceStore store, JsonCodec codec, Clock clock,
                              TrainingRunner runner, int workers, String nodeId, Duration lease, Duration resync) {
        this.store = store;
        this.documents = new TrainingJobDocuments(codec);
        this.clock = clock;
        this.nodeId = nodeId;
        this.poll = resync;
        this.nextPendingCheck = clock.instant().plus(PENDING_CHECK_INTERVAL);
        this.claims = new HeldClaims(store, nodeId, clock, lease);
        this.reconciliation = new Reconciliation(TrainingJobs.KIND, this::reconcile, this::resyncKeys,
                Reconciliation.Settings.of(resync));
        // The runner ends its own processes on cancel (with the stop grace), so the thread is not interrupted.
        this.backend = new ThreadedBackend<>(new ThreadedBackend.Options("training", Math.max(0, workers), false,
                Duration.ofSeconds(10)), (key, job, report, cancellation) -> runner.run(job, new TrainingRunner.Progress() {
                    @Override
                    public void status(SecondaryStatus status, String message) {
                        report.accept(new StatusReached(status, message, clock.instant()));
                    }

                    @Override
                    public void processStarted(MetricExtractor metrics) {
                        report.accept(new ProcessStarted(metrics));
                    }
                }, cancellation), reconciliation::enqueue);
        this.runs = new ClaimedRuns<>("training job", "InProgress", "Stopping", claims, backend, reconciliation);
    }

    public TrainingController start() {
        reconciliation.start();
        return this;
    }

    @Override
    public Reconciliation reconciliation() {
        return reconciliation;
    }

    /**
     * What this node looks at on each resync: stopping jobs and as many claimable jobs as it has free slots (a resync
     * runs on every create, so it must not cost O(all jobs)); once a minute, the waiting jobs past their
     * MaxPendingTimeInSeconds (at least 7200 s, so a minute is exact enough). Jobs running here come back by
     * themselves (requeue-after).
     */
    private Collection<ResourceKey> resyncKeys() {
        Instant now = clock.instant();
        Set<ResourceKey> keys = new LinkedHashSet<>();
        store.findByStatus(TrainingJobs.KIND, List.of("Stopping")).forEach(r -> keys.add(r.key()));
        int free = backend.free();
        if (free > 0) {
            store.findClaimable(TrainingJobs.KIND, List.of("InProgress"), nodeId, now, free).forEach(r -> keys.add(r.key()));
        }
        if (!now.isBefore(nextPendingCheck)) {
            nextPendingCheck = now.plus(PENDING_CHECK_INTERVAL);
            // Only the jobs whose wait is over: queueing every active job made each of them a store read and a
            // decode again, a minute's burst of O(all jobs) steps on every node.
            for (StoredResource r : store.findByStatus(TrainingJobs.KIND, List.of("InProgress"))) {
                if (waitedTooLong(documents.decode(r), now)) keys.add(r.key());
            }
        }
        return keys;
    }

    private static boolean waitedTooLong(DescribeTrainingJobResponse job, Instant now) {
        Integer maxPending = job.stoppingCondition() == null ? null : job.stoppingCondition().maxPendingTimeInSeconds();
        return job.trainingStartTime() == null && maxPending != null
                && now.isAfter(job.creationTime().plusSeconds(maxPending));
    }

    private Result reconcile(ResourceKey key) {
        Optional<Execution<TrainingRunner.Outcome>> run = backend.observe(key);
        if (run.isPresent()) return reconcileRun(key, run.get());
        Optional<StoredResource> found = store.get(key);
        if (found.isEmpty()) return Result.done();
        StoredResource row = found.get();
        if ("Stopping".equals(row.status())) {
            if (claims.acquire(key).isPresent()) { // held by another node: it stops it, or its lease runs out
                finish(key, TrainingJobStatus.STOPPED, SecondaryStatus.STOPPED, "Training job stopped", null, null);
                claims.release(key);
            }
            return Result.done();
        }
        return "InProgress".equals(row.status()) ? startOrResume(key, documents.decode(row)) : Result.done();
    }

    private Result startOrResume(ResourceKey key, DescribeTrainingJobResponse job) {
        Instant now = clock.instant();
        Integer maxPending = job.stoppingCondition() == null ? null : job.stoppingCondition().maxPendingTimeInSeconds();
        Instant pendingDeadline = job.trainingStartTime() != null || maxPending == null ? null
                : job.creationTime().plusSeconds(maxPending);
        if (pendingDeadline != null && now.isAfter(pendingDeadline)) {
            if (claims.acquire(key).isPresent()) {
                finish(key, TrainingJobStatus.FAILED, SecondaryStatus.FAILED, "Training job failed",
                        "CapacityError: The job waited longer than MaxPendingTimeInSeconds (" + maxPending
                                + " s) for a training worker.", null);
                claims.release(key);
            }
            return Result.done();
        }
        if (!backend.reserve(key)) {
            return pendingDeadline == null ? Result.done() : Result.after(Duration.between(now, pendingDeadline));
        }
        if (!runs.claimReserved(key)) return Result.done(); // another node runs it
        boolean resumed = job.trainingStartTime() != null || job.secondaryStatus() != SecondaryStatus.STARTING;
        Optional<StoredResource> claimed = transition(key, j -> SecondaryTransitions.advance(j,
                SecondaryStatus.STARTING, resumed ? "Restarting the training job after an interruption of the "
                        + "Sagebrush server" : "Preparing the instances for training", now, false)
                .trainingStartTime(null).build(), "InProgress");
        if (claimed.isEmpty()) {
            runs.abandon(key);
            return Result.done();
        }
        if (resumed) log.info("Restarting training job {} after an interruption", claimed.get().arn());
        log.info("Training job {} runs on node {} (claim epoch {})", claimed.get().arn(), nodeId,
                claims.current(key).epoch());
        backend.submit(key, documents.decode(claimed.get()));
        return Result.after(poll);
    }

    /** A job whose run this node holds: record what it reported, keep it alive, stop it, or record how it ended. */
    private Result reconcileRun(ResourceKey key, Execution<TrainingRunner.Outcome> run) {
        if (run.state() == Execution.State.RESERVED) return runs.retryReserved(key);
        try {
            recordReports(key, backend.takeEvents(key));
        } catch (ClaimLostException e) {
            claims.drop(key);
        }
        if (run.ended()) {
            try {
                if (runs.recordsEnd(key, run)) complete(key, run);
                // else left InProgress on purpose: the next start (or the node that took the job over) runs it again
            } catch (ClaimLostException e) {
                log.warn("Training job {} was taken over by another node; its result here is discarded", key.name());
            }
            live.remove(key);
            return runs.ended(key);
        }
        Optional<StoredResource> row = store.get(key);
        if (!runs.keepAlive(key, row.map(StoredResource::status).orElse(null))) return Result.done();
        publishMetrics(key);
        DescribeTrainingJobResponse job = documents.decode(row.get());
        if (job.trainingStartTime() == null) return Result.after(poll);
        return runs.untilDeadline(key, job.trainingStartTime().plusSeconds(maxRuntime(job)), clock.instant(), poll);
    }

    static long maxRuntime(DescribeTrainingJobResponse job) {
        Integer v = job.stoppingCondition() == null ? null : job.stoppingCondition().maxRuntimeInSeconds();
        return v == null ? TrainingJobs.DEFAULT_MAX_RUNTIME_SECONDS : v;
    }

    /**
     * Records the secondary statuses the runner reached, in order, unless the job is being stopped (Stopping stays
     * visible); remembers the metrics of a process that started.
     */
    private void recordReports(ResourceKey key, List<Report> reports) {
        List<StatusReached> statuses = new java.util.ArrayList<>();
        for (Report r : reports) {
            if (r instanceof ProcessStarted p) live.put(key, new LiveMetrics(p.metrics()));
            if (r instanceof StatusReached s) statuses.add(s);
        }
        if (statuses.isEmpty() || !claims.holds(key)) return;
        transition(key, j -> {
            DescribeTrainingJobResponse current = j;
            for (StatusReached s : statuses) {
                DescribeTrainingJobResponse.Builder b = SecondaryTransitions.advance(current, s.status(), s.message(),
                        s.at(), false);
                if (s.status() == SecondaryStatus.DOWNLOADING && current.trainingStartTime() == null) {
                    b.trainingStartTime(s.at()); // MaxRuntimeInSeconds and billing count from here
                }
                current = b.build();
            }
            return current;
        }, "InProgress");
    }

    /**
     * Writes FinalMetricDataList while the job runs (when a value was recorded since the last write), so Describe
     * and Search show the metrics so far, as SageMaker does, not only once the job has ended.
     */
    private void publishMetrics(ResourceKey key) {
        LiveMetrics m = live.get(key);
        if (m == null) return;
        long changes = m.extractor.changes();
        if (changes == m.published) return;
        List<MetricData> values = m.extractor.finalMetrics();
        transition(key, j -> j.toBuilder().finalMetricDataList(values).build(), "InProgress");
        m.published = changes;
    }

    private void complete(ResourceKey key, Execution<TrainingRunner.Outcome> run) {
        TrainingRunner.Outcome outcome = run.state() == Execution.State.SUCCEEDED ? run.outcome() : unexpected(key, run);
        List<MetricData> metrics = outcome.metrics();
        StoredResource row = store.get(key).orElse(null);
        if (row == null) return;
        if ("timeout".equals(run.cancelReason())) {
            finish(key, TrainingJobStatus.STOPPED, SecondaryStatus.MAX_RUNTIME_EXCEEDED,
                    "Training job runtime exceeded MaxRuntimeInSeconds provided", null, metrics);
        } else if ("Stopping".equals(row.status()) || outcome.kind() == TrainingRunner.Outcome.Kind.CANCELLED) {
            finish(key, TrainingJobStatus.STOPPED, SecondaryStatus.STOPPED, "Training job stopped", null, metrics);
        } else if (outcome.kind() == TrainingRunner.Outcome.Kind.COMPLETED) {
            finish(key, TrainingJobStatus.COMPLETED, SecondaryStatus.COMPLETED, "Training job completed", null, metrics);
        } else {
            finish(key, TrainingJobStatus.FAILED, SecondaryStatus.FAILED, "Training job failed",
                    outcome.failureReason(), metrics);
        }
    }

    /** A runner that threw: a failure of Sagebrush's, not the job's. */
    private static TrainingRunner.Outcome unexpected(ResourceKey key, Execution<TrainingRunner.Outcome> run) {
        Throwable e = run.failure();
        log.error("Training job {} failed unexpectedly", key.name(), e);
        return TrainingRunner.Outcome.failed("InternalServerError: The training job failed in Sagebrush ("
                + e.getClass().getSimpleName() + ": " + e.getMessage() + "). See the Sagebrush server log for details.",
                List.of());
    }

    private void finish(ResourceKey key, TrainingJobStatus status, SecondaryStatus secondary, String message,
                        String failureReason, List<MetricData> metrics) {
        Instant now = clock.instant();
        transition(key, j -> {
            DescribeTrainingJobResponse.Builder b = SecondaryTransitions.advance(j, secondary, message, now, true)
                    .trainingJobStatus(status).trainingEndTime(now);
            if (j.trainingStartTime() != null) {
                int seconds = (int) Math.max(1, (Duration.between(j.trainingStartTime(), now).toMillis() + 999) / 1000);
                b.trainingTimeInSeconds(seconds).billableTimeInSeconds(seconds);
            }
            if (failureReason != null) {
                b.failureReason(failureReason.length() > 1024 ? failureReason.substring(0, 1024) : failureReason);
            }
            if (metrics != null && !metrics.isEmpty()) {
                b.finalMetricDataList(metrics);
            }
            return b.build();
        }, "InProgress", "Stopping");
    }

    /** Applies {@code change} if the job is still in one of {@code from}, under this node's claim on it. */
    private Optional<StoredResource> transition(ResourceKey key, UnaryOperator<DescribeTrainingJobResponse> change,
                                                String... from) {
        return Transitions.underClaim(store, claims, key, List.of(from), row -> {
            DescribeTrainingJobResponse next = change.apply(documents.decode(row));
            return row.withDocument(next.trainingJobStatusAsString(), next.lastModifiedTime(), documents.encode(next));
        });
    }

    /** Stops taking steps, cancels the runs of this node (their jobs stay InProgress and resume) and gives back its claims. */
    @Override
    public void close() {
        reconciliation.close();
        backend.close();
        claims.releaseAll();
    }
}
