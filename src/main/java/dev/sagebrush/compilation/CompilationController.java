package dev.sagebrush.compilation;

import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.ControllerLoop;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.Claim;
import dev.sagebrush.store.ClaimLostException;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.store.ResourceKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.DerivedInformation;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ModelArtifacts;
import software.amazon.awssdk.services.sagemaker.model.ModelDigests;

/**
 * Moves each compilation job STARTING → INPROGRESS → COMPLETED | FAILED, or STOPPING → STOPPED, one idempotent step
 * per pass. It claims a job before running it (so two nodes never run one job) and renews the claim while it runs;
 * every write of the run carries the claim, and a lost claim (this node stalled past it and another node took the job
 * over) cancels the run without writing anything. It enforces
 * MaxPendingTimeInSeconds and MaxRuntimeInSeconds, and after a restart picks up jobs that were cut off mid-run and
 * runs them again from the start: compilation is a pure function of its input, so a re-run is safe.
 */
public final class CompilationController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CompilationController.class);
    private static final Duration PENDING_CHECK_INTERVAL = Duration.ofSeconds(60);
    static final int DEFAULT_MAX_RUNTIME_SECONDS = 86_400;
    private static final String CLAIM_LOST = "claim-lost";

    private final ResourceStore store;
    private final CompilationJobDocuments documents;
    private final Clock clock;
    private final CompilationWork work;
    private final Path workRoot;
    private final int concurrency;
    private final String nodeId;
    /** How long a claim lasts unrenewed: after this node dies, another resumes its work this long after. */
    private final Duration lease;
    private final ExecutorService executor;
    private final Map<ResourceKey, Cancellation> running = new ConcurrentHashMap<>();
    /** The claim under which each running job's work writes, renewed on every pass. */
    private final Map<ResourceKey, Claim> claims = new ConcurrentHashMap<>();
    private final ControllerLoop loop;
    private Instant nextPendingCheck = Instant.MIN;

    public CompilationController(ResourceStore store, JsonCodec codec, Clock clock, CompilationWork work,
                                 Path workRoot, int concurrency, String nodeId, Duration lease, Duration resync) {
        this.store = store;
        this.documents = new CompilationJobDocuments(codec);
        this.clock = clock;
        this.work = work;
        this.workRoot = workRoot;
        this.concurrency = concurrency;
        this.nodeId = nodeId;
        this.lease = lease;
        // Zero workers is an API-only node: it accepts, stops and deletes jobs, and leaves running them to others.
        this.executor = Executors.newFixedThreadPool(Math.max(1, concurrency), r -> {
            Thread t = new Thread(r, "compilation-worker");
            t.setDaemon(true);
            return t;
        });
        this.loop = new ControllerLoop("compilation-controller", resync, this::reconcileAll);
    }

    public CompilationController start() {
        removeInterruptedWork();
        loop.start();
        return this;
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

    public void wake() {
        loop.wake();
    }

    void reconcileAll() {
        // Each pass looks only at what this node can act on: running and stopping jobs, and as many waiting jobs as
        // it has free workers. Requests wake a pass on every create, so a pass must not cost O(all waiting jobs).
        // One row per job: the same waiting job found by two of the reads below must be reconciled once, or the second
        // (stale) reconcile would claim a job this pass has just started and so fence off its own run.
        Map<ResourceKey, StoredResource> active = new LinkedHashMap<>();
        store.findByStatus(CompilationJobs.KIND, List.of("INPROGRESS", "STOPPING")).forEach(r -> active.put(r.key(), r));
        Instant now = clock.instant();
        store.findClaimable(CompilationJobs.KIND, List.of("STARTING"), nodeId, now, concurrency - running.size())
                .forEach(r -> active.putIfAbsent(r.key(), r));
        if (!now.isBefore(nextPendingCheck)) {
            // MaxPendingTimeInSeconds is at least 7200 s, so a scan of every waiting job once a minute is exact enough.
            nextPendingCheck = now.plus(PENDING_CHECK_INTERVAL);
            store.findByStatus(CompilationJobs.KIND, List.of("STARTING")).forEach(r -> active.putIfAbsent(r.key(), r));
        }
        for (StoredResource row : active.values()) {
            try {
                reconcile(row);
            } catch (RuntimeException e) {
                log.error("Reconciling compilation job {} failed", row.arn(), e);
            }
        }
    }

    private void reconcile(StoredResource row) {
        Instant now = clock.instant();
        DescribeCompilationJobResponse job = documents.decode(row);
        Cancellation mine = running.get(row.key());
        switch (row.status()) {
            case "STOPPING" -> {
                if (mine != null) {
                    mine.cancel("stop"); // the worker finishes the transition when its processes are gone
                } else {
                    store.claim(row.key(), nodeId, now, lease).ifPresent(claim -> {
                        finish(row.key(), CompilationJobStatus.STOPPED, null, null, claim);
                        store.release(claim);
                    });
                }
            }
            case "INPROGRESS" -> {
                if (mine != null) {
                    if (!renew(row.key(), now)) {
                        mine.cancel(CLAIM_LOST);
                    } else if (now.isAfter(job.compilationStartTime().plusSeconds(maxRuntime(job)))) {
                        mine.cancel("timeout");
                    }
                } else if (running.size() < concurrency) {
                    // Cut off mid-run (a crash, a restart, or a node that stopped renewing): run again from the start.
                    store.claim(row.key(), nodeId, now, lease).ifPresent(claim -> {
                        // The row was read before the claim: the node that held it may have finished it since.
                        Optional<StoredResource> current = store.get(row.key());
                        if (current.isEmpty() || !"INPROGRESS".equals(current.get().status())) {
                            store.release(claim);
                            return;
                        }
                        log.info("Resuming compilation job {} after an interruption", row.arn());
                        launch(row.key(), documents.decode(current.get()), claim);
                    });
                }
            }
            case "STARTING" -> {
                // Already running here (this row was read before this node started it): claiming it again would
                // raise the claim's epoch under the running work and make its result look like another node's.
                if (mine != null) return;
                Integer maxPending = job.stoppingCondition() == null ? null : job.stoppingCondition().maxPendingTimeInSeconds();
                boolean expired = maxPending != null && now.isAfter(job.creationTime().plusSeconds(maxPending));
                if (!expired && running.size() >= concurrency) return;
                Optional<Claim> claim = store.claim(row.key(), nodeId, now, lease);
                if (claim.isEmpty()) return;
                if (expired) {
                    finish(row.key(), CompilationJobStatus.FAILED, "ClientError: The job waited longer than "
                            + "MaxPendingTimeInSeconds (" + maxPending + " s) for compilation capacity.", null, claim.get());
                    store.release(claim.get());
                    return;
                }
                Optional<StoredResource> started = transition(row.key(), j -> j.toBuilder()
                        .compilationJobStatus(CompilationJobStatus.INPROGRESS)
                        .compilationStartTime(now).lastModifiedTime(now).build(), claim.get(), "STARTING");
                started.ifPresentOrElse(s -> launch(s.key(), documents.decode(s), claim.get()),
                        () -> store.release(claim.get()));
            }
            default -> { }
        }
    }

    private static long maxRuntime(DescribeCompilationJobResponse job) {
        Integer v = job.stoppingCondition() == null ? null : job.stoppingCondition().maxRuntimeInSeconds();
        return v == null ? DEFAULT_MAX_RUNTIME_SECONDS : v;
    }

    /** Renews the claim of a job this node runs; false when it was lost. */
    private boolean renew(ResourceKey key, Instant now) {
        Claim held = claims.get(key);
        if (held == null) return true; // the run is ending and has given its claim back
        Optional<Claim> renewed = store.renew(held, now, lease);
        renewed.ifPresent(c -> claims.replace(key, held, c));
        if (renewed.isEmpty()) log.warn("Lost the claim on compilation job {}: another node took it over; "
                + "stopping the work here", key.name());
        return renewed.isPresent();
    }

    private void launch(ResourceKey key, DescribeCompilationJobResponse job, Claim claim) {
        log.info("Compilation job {} runs on node {} (claim epoch {})", job.compilationJobArn(), nodeId, claim.epoch());
        Cancellation cancellation = new Cancellation();
        claims.put(key, claim);
        running.put(key, cancellation);
        executor.execute(() -> {
            Path dir = null;
            // Cancelling interrupts this worker: a child process it waits on (gcc, qemu) is killed at once.
            Thread worker = Thread.currentThread();
            try (AutoCloseable interrupt = cancellation.onCancel(worker::interrupt)) {
                dir = Files.createDirectories(workRoot).resolve(key.name() + "-" + Long.toHexString(System.nanoTime()));
                Files.createDirectories(dir);
                CompilationOutcome outcome = work.run(job, dir, cancellation);
                Thread.interrupted();
                complete(key, cancellation, outcome, null);
            } catch (CompilationFailure e) {
                Thread.interrupted();
                complete(key, cancellation, null, cancellation.isCancelled() ? null : e.getMessage());
            } catch (Exception | Error e) {
                Thread.interrupted();
                if (cancellation.isCancelled()) {
                    complete(key, cancellation, null, null); // the cancel made the work fail: report the cancel
                } else {
                    log.error("Compilation job {} failed unexpectedly", job.compilationJobArn(), e);
                    complete(key, cancellation, null, "InternalServerError: The compilation failed unexpectedly ("
                            + e.getClass().getSimpleName() + "). See the Sagebrush server log for details.");
                }
            } finally {
                Thread.interrupted();
                deleteQuietly(dir);
                running.remove(key);
                Claim held = claims.remove(key);
                if (held != null) store.release(held);
                loop.wake(); // a worker is free: start the next waiting job now
            }
        });
    }

    /** Records how a run ended, unless the job was stopped meanwhile, in which case it ends STOPPED. */
    private void complete(ResourceKey key, Cancellation cancellation, CompilationOutcome outcome, String failure) {
        if ("shutdown".equals(cancellation.reason()) || CLAIM_LOST.equals(cancellation.reason())) {
            return; // left INPROGRESS on purpose: the next start (or the node that took the job over) runs it
        }
        try {
            record(key, cancellation, outcome, failure, claims.get(key));
        } catch (ClaimLostException e) {
            log.warn("Compilation job {} was taken over by another node; its result here is discarded", key.name());
        }
    }

    private void record(ResourceKey key, Cancellation cancellation, CompilationOutcome outcome, String failure, Claim claim) {
        if ("timeout".equals(cancellation.reason())) {
            StoredResource row = store.get(key).orElse(null);
            long limit = row == null ? DEFAULT_MAX_RUNTIME_SECONDS : maxRuntime(documents.decode(row));
            failure = "ClientError: The compilation exceeded MaxRuntimeInSeconds (" + limit + " s) and was stopped.";
            outcome = null;
        }
        StoredResource row = store.get(key).orElse(null);
        if (row == null) return;
        if ("STOPPING".equals(row.status())) {
            finish(key, CompilationJobStatus.STOPPED, null, null, claim);
        } else if (outcome != null) {
            finish(key, CompilationJobStatus.COMPLETED, null, outcome, claim);
        } else {
            finish(key, CompilationJobStatus.FAILED, failure == null ? "ClientError: The compilation was cancelled." : failure, null, claim);
        }
    }

    private void finish(ResourceKey key, CompilationJobStatus status, String failureReason, CompilationOutcome outcome,
                        Claim claim) {
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
        }, claim, "STARTING", "INPROGRESS", "STOPPING");
    }

    /**
     * Compare-and-set loop: applies {@code change} if the job is still in one of {@code from}, under {@code claim}
     * (a {@link ClaimLostException} once another node has claimed the job).
     */
    private Optional<StoredResource> transition(ResourceKey key, UnaryOperator<DescribeCompilationJobResponse> change,
                                                Claim claim, String... from) {
        while (true) {
            Optional<StoredResource> current = store.get(key);
            if (current.isEmpty() || !List.of(from).contains(current.get().status())) {
                return Optional.empty();
            }
            StoredResource row = current.get();
            DescribeCompilationJobResponse next = change.apply(documents.decode(row));
            Optional<StoredResource> written = store.update(row.withDocument(next.compilationJobStatusAsString(),
                    next.lastModifiedTime(), documents.encode(next)), claim);
            if (written.isPresent()) return written;
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not remove work directory {}", dir, e);
        }
    }

    @Override
    public void close() {
        loop.close();
        running.values().forEach(c -> c.cancel("shutdown"));
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
