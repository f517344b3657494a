package dev.sagebrush.compilation;

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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.DerivedInformation;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ModelArtifacts;
import software.amazon.awssdk.services.sagemaker.model.ModelDigests;

/**
 * Moves each compilation job STARTING → INPROGRESS → COMPLETED | FAILED, or STOPPING → STOPPED, one idempotent step at
 * a time on the reconciliation runtime ({@link Reconciliation}). It claims a job before running it (so two nodes never
 * run one job), submits the work to a {@link ThreadedBackend} (the compiler pipeline blocks; the steps never do), and
 * renews the claim each time it looks at the running work; every write carries the claim, and a lost claim (this node
 * stalled past it and another node took the job over) cancels the run without writing anything. It enforces
 * MaxPendingTimeInSeconds and MaxRuntimeInSeconds, and after a restart picks up jobs that were cut off mid-run and runs
 * them again from the start: compilation is a pure function of its input, so a re-run is safe.
 */
public final class CompilationController implements Controller {
    private static final Logger log = LoggerFactory.getLogger(CompilationController.class);
    private static final Duration PENDING_CHECK_INTERVAL = Duration.ofSeconds(60);
    static final int DEFAULT_MAX_RUNTIME_SECONDS = 86_400;
    private static final List<String> ANY_ACTIVE = List.of("STARTING", "INPROGRESS", "STOPPING");

    private final ResourceStore store;
    private final CompilationJobDocuments documents;
    private final Clock clock;
    private final Path workRoot;
    private final String nodeId;
    /** How often running work is looked at (claim renewed, MaxRuntime checked), and the resync interval. */
    private final Duration poll;
    private final HeldClaims claims;
    private final ThreadedBackend<DescribeCompilationJobResponse, Void, CompilationOutcome> backend;
    private final ClaimedRuns<DescribeCompilationJobResponse, Void, CompilationOutcome> runs;
    private final Reconciliation reconciliation;
    /** The first full look comes one interval after the start, not during it (MaxPending is at least 7200 s). */
    private Instant nextPendingCheck;

    public CompilationController(ResourceStore store, JsonCodec codec, Clock clock, CompilationWork work,
                                 Path workRoot, int concurrency, String nodeId, Duration lease, Duration resync) {
        this.store = store;
        this.documents = new CompilationJobDocuments(codec);
        this.clock = clock;
        this.workRoot = workRoot;
        this.nodeId = nodeId;
        this.poll = resync;
        this.nextPendingCheck = clock.instant().plus(PENDING_CHECK_INTERVAL);
        this.claims = new HeldClaims(store, nodeId, clock, lease);
        this.reconciliation = new Reconciliation(CompilationJobs.KIND, this::reconcile, this::resyncKeys,
                Reconciliation.Settings.of(resync));
        // Zero slots is an API-only node: it accepts, stops and deletes jobs, and leaves running them to others.
        // Cancelling interrupts the worker: a child process it waits on (gcc, qemu) is killed at once.
        this.backend = new ThreadedBackend<>(new ThreadedBackend.Options("compilation", Math.max(0, concurrency), true,
                Duration.ofSeconds(10)), (key, job, report, cancellation) -> runInWorkDir(key, job, work, cancellation),
                reconciliation::enqueue);
        this.runs = new ClaimedRuns<>("compilation job", "INPROGRESS", "STOPPING", claims, backend, reconciliation);
    }

    public CompilationController start() {
        removeInterruptedWork();
        reconciliation.start();
        return this;
    }

    @Override
    public Reconciliation reconciliation() {
        return reconciliation;
    }

    /**
     * Work directories left by jobs that were running when this node stopped (a crash, kill -9, a power loss): an
     * interrupted job is resumed from the start in a new directory, so whatever is there (an unpacked archive, up to
     * the archive limits) is garbage. Nothing of this node runs before start, so every entry can go.
     */
    private void removeInterruptedWork() {
        if (!Files.isDirectory(workRoot)) return;
        try (var entries = Files.list(workRoot)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                log.info("Removing the work directory {} of an interrupted compilation", p.getFileName());
                deleteQuietly(p);
            }
        } catch (IOException e) {
            log.warn("Could not list the compilation work directory {}", workRoot, e);
        }
    }

    /**
     * What this node looks at on each resync: running and stopping jobs, and as many waiting jobs as it has free slots
     * (requests wake a resync on every create, so it must not cost O(all waiting jobs)); once a minute, the waiting
     * jobs past MaxPendingTimeInSeconds (at least 7200 s, so a minute is exact enough).
     */
    private Collection<ResourceKey> resyncKeys() {
        Set<ResourceKey> keys = new LinkedHashSet<>();
        store.findByStatus(CompilationJobs.KIND, List.of("INPROGRESS", "STOPPING")).forEach(r -> keys.add(r.key()));
        Instant now = clock.instant();
        int free = backend.free();
        if (free > 0) {
            store.findClaimable(CompilationJobs.KIND, List.of("STARTING"), nodeId, now, free).forEach(r -> keys.add(r.key()));
        }
        if (!now.isBefore(nextPendingCheck)) {
            nextPendingCheck = now.plus(PENDING_CHECK_INTERVAL);
            // Only the jobs whose wait is over, not a step for every waiting job (a read and a decode each).
            for (StoredResource r : store.findByStatus(CompilationJobs.KIND, List.of("STARTING"))) {
                DescribeCompilationJobResponse job = documents.decode(r);
                Integer maxPending = job.stoppingCondition() == null ? null
                        : job.stoppingCondition().maxPendingTimeInSeconds();
                if (maxPending != null && now.isAfter(job.creationTime().plusSeconds(maxPending))) keys.add(r.key());
            }
        }
        return keys;
    }

    private Result reconcile(ResourceKey key) {
        Optional<StoredResource> found = store.get(key);
        Optional<Execution<CompilationOutcome>> run = backend.observe(key);
        if (run.isPresent()) return reconcileRun(key, found, run.get());
        if (found.isEmpty()) return Result.done();
        StoredResource row = found.get();
        Instant now = clock.instant();
        return switch (row.status()) {
            case "STOPPING" -> {
                if (claims.acquire(key).isPresent()) { // held by another node: it stops it, or its lease runs out
                    finish(key, CompilationJobStatus.STOPPED, null, null);
                    claims.release(key);
                }
                yield Result.done();
            }
            case "INPROGRESS" -> resume(key);
            case "STARTING" -> startWaiting(key, documents.decode(row), now);
            default -> Result.done();
        };
    }

    /** An INPROGRESS job that runs nowhere here: cut off mid-run (a crash, a restart, a node that stopped renewing). */
    private Result resume(ResourceKey key) {
        if (!backend.reserve(key)) return Result.done(); // no free slot: a resync brings it back
        if (!runs.claimReserved(key)) return Result.done(); // another node runs it
        // The row was read before the claim: the node that held it may have finished it since.
        Optional<StoredResource> current = store.get(key);
        if (current.isEmpty() || !"INPROGRESS".equals(current.get().status())) {
            runs.abandon(key);
            return Result.done();
        }
        log.info("Resuming compilation job {} after an interruption", current.get().arn());
        logRuns(current.get());
        backend.submit(key, documents.decode(current.get()));
        return Result.after(poll);
    }

    private Result startWaiting(ResourceKey key, DescribeCompilationJobResponse job, Instant now) {
        Integer maxPending = job.stoppingCondition() == null ? null : job.stoppingCondition().maxPendingTimeInSeconds();
        Instant pendingDeadline = maxPending == null ? null : job.creationTime().plusSeconds(maxPending);
        if (pendingDeadline != null && now.isAfter(pendingDeadline)) {
            if (claims.acquire(key).isPresent()) {
                finish(key, CompilationJobStatus.FAILED, "ClientError: The job waited longer than "
                        + "MaxPendingTimeInSeconds (" + maxPending + " s) for compilation capacity.", null);
                claims.release(key);
            }
            return Result.done();
        }
        if (!backend.reserve(key)) {
            return pendingDeadline == null ? Result.done() : Result.after(Duration.between(now, pendingDeadline));
        }
        if (!runs.claimReserved(key)) return Result.done(); // another node runs it
        Optional<StoredResource> started = transition(key, j -> j.toBuilder()
                .compilationJobStatus(CompilationJobStatus.INPROGRESS)
                .compilationStartTime(now).lastModifiedTime(now).build(), "STARTING");
        if (started.isEmpty()) {
            runs.abandon(key);
            return Result.done();
        }
        logRuns(started.get());
        backend.submit(key, documents.decode(started.get()));
        return Result.after(poll);
    }

    private void logRuns(StoredResource job) {
        log.info("Compilation job {} runs on node {} (claim epoch {})", job.arn(), nodeId, claims.current(job.key()).epoch());
    }

    /** A job whose work this node holds: keep it alive, stop it, or record how it ended. */
    private Result reconcileRun(ResourceKey key, Optional<StoredResource> found, Execution<CompilationOutcome> run) {
        if (run.state() == Execution.State.RESERVED) return runs.retryReserved(key);
        if (run.ended()) {
            if (runs.recordsEnd(key, run)) {
                try {
                    record(key, run);
                } catch (ClaimLostException e) {
                    log.warn("Compilation job {} was taken over by another node; its result here is discarded", key.name());
                }
            } // else left INPROGRESS on purpose: the next start (or the node that took the job over) runs it
            return runs.ended(key);
        }
        if (!runs.keepAlive(key, found.map(StoredResource::status).orElse(null))) return Result.done();
        DescribeCompilationJobResponse job = documents.decode(found.get());
        return runs.untilDeadline(key, job.compilationStartTime().plusSeconds(maxRuntime(job)), clock.instant(), poll);
    }

    private CompilationOutcome runInWorkDir(ResourceKey key, DescribeCompilationJobResponse job, CompilationWork work,
                                            dev.sagebrush.jobs.Cancellation cancellation) throws IOException {
        Path dir = Files.createDirectories(workRoot).resolve(key.name() + "-" + Long.toHexString(System.nanoTime()));
        try {
            Files.createDirectories(dir);
            return work.run(job, dir, cancellation);
        } finally {
            Thread.interrupted(); // a cancel's interrupt must not stop the clean-up
            deleteQuietly(dir);
        }
    }

    private static long maxRuntime(DescribeCompilationJobResponse job) {
        Integer v = job.stoppingCondition() == null ? null : job.stoppingCondition().maxRuntimeInSeconds();
        return v == null ? DEFAULT_MAX_RUNTIME_SECONDS : v;
    }

    /** Records how a run ended, unless the job was stopped meanwhile, in which case it ends STOPPED. */
    private void record(ResourceKey key, Execution<CompilationOutcome> run) {
        StoredResource row = store.get(key).orElse(null);
        if (row == null) return;
        CompilationOutcome outcome = run.state() == Execution.State.SUCCEEDED ? run.outcome() : null;
        String failure = run.state() == Execution.State.FAILED ? failureReason(key, run) : null;
        if ("timeout".equals(run.cancelReason())) {
            failure = "ClientError: The compilation exceeded MaxRuntimeInSeconds (" + maxRuntime(documents.decode(row))
                    + " s) and was stopped.";
            outcome = null;
        }
        if ("STOPPING".equals(row.status())) {
            finish(key, CompilationJobStatus.STOPPED, null, null);
        } else if (outcome != null) {
            finish(key, CompilationJobStatus.COMPLETED, null, outcome);
        } else {
            finish(key, CompilationJobStatus.FAILED, failure == null ? "ClientError: The compilation was cancelled."
                    : failure, null);
        }
    }

    /** The FailureReason of a run that threw; null when a cancel made it fail (the cancel is what is reported). */
    private static String failureReason(ResourceKey key, Execution<CompilationOutcome> run) {
        if (run.cancelled()) return null;
        if (run.failure() instanceof CompilationFailure f) return f.getMessage();
        log.error("Compilation job {} failed unexpectedly", key.name(), run.failure());
        return "InternalServerError: The compilation failed unexpectedly (" + run.failure().getClass().getSimpleName()
                + "). See the Sagebrush server log for details.";
    }

    private void finish(ResourceKey key, CompilationJobStatus status, String failureReason, CompilationOutcome outcome) {
        Instant now = clock.instant();
        transition(key, j -> {
            DescribeCompilationJobResponse.Builder b = j.toBuilder().compilationJobStatus(status)
                    .compilationEndTime(now).lastModifiedTime(now);
            if (failureReason != null) {
                b.failureReason(failureReason.length() > 1024 ? failureReason.substring(0, 1024) : failureReason);
            }
            if (outcome != null) {
                b.modelArtifacts(ModelArtifacts.builder().s3ModelArtifacts(outcome.s3ModelArtifacts()).build());
                if (outcome.artifactDigest() != null) {
                    b.modelDigests(ModelDigests.builder().artifactDigest(outcome.artifactDigest()).build());
                }
                if (outcome.derivedDataInputConfig() != null) {
                    b.derivedInformation(DerivedInformation.builder().derivedDataInputConfig(outcome.derivedDataInputConfig()).build());
                }
                if (outcome.inferenceImage() != null) {
                    b.inferenceImage(outcome.inferenceImage());
                }
            }
            return b.build();
        }, ANY_ACTIVE.toArray(String[]::new));
    }

    /** Applies {@code change} if the job is still in one of {@code from}, under this node's claim on it. */
    private Optional<StoredResource> transition(ResourceKey key, UnaryOperator<DescribeCompilationJobResponse> change,
                                                String... from) {
        return Transitions.underClaim(store, claims, key, List.of(from), row -> {
            DescribeCompilationJobResponse next = change.apply(documents.decode(row));
            return row.withDocument(next.compilationJobStatusAsString(), next.lastModifiedTime(), documents.encode(next));
        });
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not remove work directory {}", dir, e);
        }
    }

    /** Stops taking steps, cancels the work this node runs (its jobs stay INPROGRESS and resume) and gives back its claims. */
    @Override
    public void close() {
        reconciliation.close();
        backend.close();
        claims.releaseAll();
    }
}
