package dev.sagebrush.training;

import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.ControllerLoop;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.Claim;
import dev.sagebrush.store.ClaimLostException;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.training.metrics.MetricExtractor;
import dev.sagebrush.training.runner.TrainingRunner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 * MaxPendingTimeInSeconds. Level-triggered like every controller here: each pass reads the active jobs from the store.
 * A job is claimed before it runs, so two nodes never run it twice; the claim is renewed on every pass, every write
 * of the run carries it, and a lost claim (this node stalled and another took the job over) cancels the run here. After a restart, a job that was cut
 * off mid-run is started again from the beginning (its secondary status history shows the restart): the alternative,
 * failing it, would turn every server upgrade into failed jobs, and a job that must not repeat work can checkpoint.
 */
public final class TrainingController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainingController.class);
    private static final List<String> ACTIVE = List.of("InProgress", "Stopping");
    private static final Duration PENDING_CHECK_INTERVAL = Duration.ofSeconds(60);
    private Instant nextPendingCheck = Instant.MIN;

    private final ResourceStore store;
    private final TrainingJobDocuments documents;
    private final Clock clock;
    private final TrainingRunner runner;
    private final int workers;
    private final String nodeId;
    /** How long a claim lasts unrenewed: after this node dies, another resumes its work this long after. */
    private final Duration lease;
    private final ExecutorService executor;
    private final Map<ResourceKey, Cancellation> running = new ConcurrentHashMap<>();
    /** The claim under which each running job's work writes, renewed on every pass. */
    private final Map<ResourceKey, Claim> claims = new ConcurrentHashMap<>();
    private static final String CLAIM_LOST = "claim-lost";
    /** The metric extractor of each running process, and how many values it had when they were last written. */
    private final Map<ResourceKey, LiveMetrics> live = new ConcurrentHashMap<>();

    private static final class LiveMetrics {
        final MetricExtractor extractor;
        long published;

        LiveMetrics(MetricExtractor extractor) {
            this.extractor = extractor;
        }
    }
    private final ControllerLoop loop;

    public TrainingController(ResourceStore store, JsonCodec codec, Clock clock,
                              TrainingRunner runner, int workers, String nodeId, Duration lease, Duration resync) {
        this.store = store;
        this.documents = new TrainingJobDocuments(codec);
        this.clock = clock;
        this.runner = runner;
        this.workers = workers;
        this.nodeId = nodeId;
        this.lease = lease;
        this.executor = Executors.newFixedThreadPool(Math.max(1, workers), r -> {
            Thread t = new Thread(r, "training-worker");
            t.setDaemon(true);
            return t;
        });
        this.loop = new ControllerLoop("training-controller", resync, this::reconcileAll);
    }

    public TrainingController start() {
        loop.start();
        return this;
    }

    public void wake() {
        loop.wake();
    }

    void reconcileAll() {
        // A pass reads only what this node can act on: stopping jobs, the jobs it runs, and as many claimable waiting
        // jobs as it has free workers. Requests wake a pass on every create, so it must not cost O(all jobs).
        Instant now = clock.instant();
        Map<ResourceKey, StoredResource> rows = new java.util.LinkedHashMap<>();
        store.findByStatus(TrainingJobs.KIND, List.of("Stopping")).forEach(r -> rows.put(r.key(), r));
        for (ResourceKey key : running.keySet()) {
            store.get(key).ifPresent(r -> rows.putIfAbsent(r.key(), r));
        }
        store.findClaimable(TrainingJobs.KIND, List.of("InProgress"), nodeId, now, workers)
                .forEach(r -> rows.putIfAbsent(r.key(), r));
        if (!now.isBefore(nextPendingCheck)) {
            // MaxPendingTimeInSeconds is at least 7200 s, so a scan of every job once a minute is exact enough.
            nextPendingCheck = now.plus(PENDING_CHECK_INTERVAL);
            store.findByStatus(TrainingJobs.KIND, ACTIVE).forEach(r -> rows.putIfAbsent(r.key(), r));
        }
        for (StoredResource row : rows.values()) {
            try {
                reconcile(row);
            } catch (RuntimeException e) {
                log.error("Reconciling training job {} failed", row.arn(), e);
            }
        }
    }

    private void reconcile(StoredResource row) {
        Instant now = clock.instant();
        DescribeTrainingJobResponse job = documents.decode(row);
        Cancellation mine = running.get(row.key());
        if ("Stopping".equals(row.status())) {
            if (mine != null) {
                mine.cancel("stop"); // the worker records Stopped once the process is gone
            } else {
                store.claim(row.key(), nodeId, now, lease).ifPresent(claim -> {
                    finish(row.key(), TrainingJobStatus.STOPPED, SecondaryStatus.STOPPED, "Training job stopped", null,
                            null, claim);
                    store.release(claim);
                });
            }
            return;
        }
        if (mine != null) {
            if (!renew(row.key(), now)) {
                mine.cancel(CLAIM_LOST);
                return;
            }
            publishMetrics(row.key());
            Instant started = job.trainingStartTime();
            if (started != null && now.isAfter(started.plusSeconds(maxRuntime(job)))) {
                mine.cancel("timeout");
            }
            return;
        }
        Integer maxPending = job.stoppingCondition() == null ? null : job.stoppingCondition().maxPendingTimeInSeconds();
        boolean expired = job.trainingStartTime() == null && maxPending != null
                && now.isAfter(job.creationTime().plusSeconds(maxPending));
        if (!expired && running.size() >= workers) return;
        Optional<Claim> claim = store.claim(row.key(), nodeId, now, lease);
        if (claim.isEmpty()) return;
        if (expired) {
            finish(row.key(), TrainingJobStatus.FAILED, SecondaryStatus.FAILED, "Training job failed",
                    "CapacityError: The job waited longer than MaxPendingTimeInSeconds (" + maxPending
                            + " s) for a training worker.", null, claim.get());
            store.release(claim.get());
            return;
        }
        boolean resumed = job.trainingStartTime() != null || job.secondaryStatus() != SecondaryStatus.STARTING;
        Optional<StoredResource> claimed = transition(row.key(), j -> SecondaryTransitions.advance(j,
                SecondaryStatus.STARTING, resumed ? "Restarting the training job after an interruption of the "
                        + "Sagebrush server" : "Preparing the instances for training", now, false)
                .trainingStartTime(null).build(), claim.get(), "InProgress");
        claimed.ifPresentOrElse(c -> {
            if (resumed) log.info("Restarting training job {} after an interruption", row.arn());
            launch(c.key(), documents.decode(c), claim.get());
        }, () -> store.release(claim.get()));
    }

    static long maxRuntime(DescribeTrainingJobResponse job) {
        Integer v = job.stoppingCondition() == null ? null : job.stoppingCondition().maxRuntimeInSeconds();
        return v == null ? TrainingJobs.DEFAULT_MAX_RUNTIME_SECONDS : v;
    }

    /** Renews the claim of a job this node runs; false when it was lost. */
    private boolean renew(ResourceKey key, Instant now) {
        Claim held = claims.get(key);
        if (held == null) return true; // the run is ending and has given its claim back
        Optional<Claim> renewed = store.renew(held, now, lease);
        renewed.ifPresent(c -> claims.replace(key, held, c));
        if (renewed.isEmpty()) log.warn("Lost the claim on training job {}: another node took it over; "
                + "stopping the work here", key.name());
        return renewed.isPresent();
    }

    private void launch(ResourceKey key, DescribeTrainingJobResponse job, Claim claim) {
        log.info("Training job {} runs on node {} (claim epoch {})", job.trainingJobArn(), nodeId, claim.epoch());
        Cancellation cancellation = new Cancellation();
        claims.put(key, claim);
        running.put(key, cancellation);
        executor.execute(() -> {
            try {
                TrainingRunner.Outcome outcome = runner.run(job, new TrainingRunner.Progress() {
                    @Override
                    public void status(SecondaryStatus status, String message) {
                        progress(key, status, message);
                    }

                    @Override
                    public void processStarted(MetricExtractor metrics) {
                        live.put(key, new LiveMetrics(metrics));
                    }
                }, cancellation);
                complete(key, cancellation, outcome);
            } catch (ClaimLostException e) {
                log.warn("Training job {} was taken over by another node; its result here is discarded", key.name());
            } catch (Exception | Error e) {
                log.error("Training job {} failed unexpectedly", job.trainingJobArn(), e);
                complete(key, cancellation, TrainingRunner.Outcome.failed("InternalServerError: The training job "
                        + "failed in Sagebrush (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                        + "). See the Sagebrush server log for details.", List.of()));
            } finally {
                live.remove(key);
                running.remove(key);
                Claim held = claims.remove(key);
                if (held != null) store.release(held);
                loop.wake(); // a worker is free: start the next waiting job now
            }
        });
    }

    /**
     * Writes FinalMetricDataList while the job runs (each controller pass, when a value was recorded since the last
     * write), so Describe and Search show the metrics so far, as SageMaker does, not only once the job has ended.
     */
    private void publishMetrics(ResourceKey key) {
        LiveMetrics m = live.get(key);
        if (m == null) return;
        long changes = m.extractor.changes();
        if (changes == m.published) return;
        List<MetricData> values = m.extractor.finalMetrics();
        try {
            transition(key, j -> j.toBuilder().finalMetricDataList(values).build(), claims.get(key), "InProgress");
            m.published = changes;
        } catch (ClaimLostException e) {
            Cancellation mine = running.get(key);
            if (mine != null) mine.cancel(CLAIM_LOST);
        }
    }

    /** Records a secondary status the runner reached, unless the job is being stopped (Stopping stays visible). */
    private void progress(ResourceKey key, SecondaryStatus status, String message) {
        Instant now = clock.instant();
        try {
            progressUnderClaim(key, status, now, message);
        } catch (ClaimLostException e) {
            Cancellation mine = running.get(key);
            if (mine != null) mine.cancel(CLAIM_LOST); // another node runs the job now: stop the run here
        }
    }

    private void progressUnderClaim(ResourceKey key, SecondaryStatus status, Instant now, String message) {
        transition(key, j -> {
            DescribeTrainingJobResponse.Builder b = SecondaryTransitions.advance(j, status, message, now, false);
            if (status == SecondaryStatus.DOWNLOADING && j.trainingStartTime() == null) {
                b.trainingStartTime(now); // MaxRuntimeInSeconds and billing count from here
            }
            return b.build();
        }, claims.get(key), "InProgress");
    }

    private void complete(ResourceKey key, Cancellation cancellation, TrainingRunner.Outcome outcome) {
        if ("shutdown".equals(cancellation.reason()) || CLAIM_LOST.equals(cancellation.reason())) {
            return; // left InProgress on purpose: the next start (or the node that took the job over) runs it again
        }
        Claim claim = claims.get(key);
        List<MetricData> metrics = outcome.metrics();
        StoredResource row = store.get(key).orElse(null);
        if (row == null) return;
        if ("timeout".equals(cancellation.reason())) {
            finish(key, TrainingJobStatus.STOPPED, SecondaryStatus.MAX_RUNTIME_EXCEEDED,
                    "Training job runtime exceeded MaxRuntimeInSeconds provided", null, metrics, claim);
        } else if ("Stopping".equals(row.status()) || outcome.kind() == TrainingRunner.Outcome.Kind.CANCELLED) {
            finish(key, TrainingJobStatus.STOPPED, SecondaryStatus.STOPPED, "Training job stopped", null, metrics, claim);
        } else if (outcome.kind() == TrainingRunner.Outcome.Kind.COMPLETED) {
            finish(key, TrainingJobStatus.COMPLETED, SecondaryStatus.COMPLETED, "Training job completed", null, metrics, claim);
        } else {
            finish(key, TrainingJobStatus.FAILED, SecondaryStatus.FAILED, "Training job failed",
                    outcome.failureReason(), metrics, claim);
        }
    }

    private void finish(ResourceKey key, TrainingJobStatus status, SecondaryStatus secondary, String message,
                        String failureReason, List<MetricData> metrics, Claim claim) {
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
        }, claim, "InProgress", "Stopping");
    }

    /**
     * Compare-and-set loop: applies {@code change} if the job is still in one of {@code from}, under {@code claim}
     * (a {@link ClaimLostException} once another node has claimed the job).
     */
    private Optional<StoredResource> transition(ResourceKey key, UnaryOperator<DescribeTrainingJobResponse> change,
                                                Claim claim, String... from) {
        while (true) {
            Optional<StoredResource> current = store.get(key);
            if (current.isEmpty() || !List.of(from).contains(current.get().status())) {
                return Optional.empty();
            }
            StoredResource row = current.get();
            DescribeTrainingJobResponse next = change.apply(documents.decode(row));
            Optional<StoredResource> written = store.update(row.withDocument(next.trainingJobStatusAsString(),
                    next.lastModifiedTime(), documents.encode(next)), claim);
            if (written.isPresent()) {
                return written;
            }
        }
    }

    @Override
    public void close() {
        loop.close();
        running.values().forEach(c -> c.cancel("shutdown"));
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
