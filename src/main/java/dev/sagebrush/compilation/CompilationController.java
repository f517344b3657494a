package dev.sagebrush.compilation;

import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.ControllerLoop;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.store.ResourceKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * per pass. It claims a job with a lease before running it (so two nodes never run one job), enforces
 * MaxPendingTimeInSeconds and MaxRuntimeInSeconds, and after a restart picks up jobs that were cut off mid-run and
 * runs them again from the start: compilation is a pure function of its input, so a re-run is safe.
 */
public final class CompilationController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CompilationController.class);
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Duration PENDING_CHECK_INTERVAL = Duration.ofSeconds(60);
    static final int DEFAULT_MAX_RUNTIME_SECONDS = 86_400;

    private final ResourceStore store;
    private final CompilationJobDocuments documents;
    private final Clock clock;
    private final CompilationWork work;
    private final Path workRoot;
    private final int concurrency;
    private final String nodeId;
    private final ExecutorService executor;
    private final Map<ResourceKey, Cancellation> running = new ConcurrentHashMap<>();
    private final ControllerLoop loop;
    private Instant nextPendingCheck = Instant.MIN;

    public CompilationController(ResourceStore store, JsonCodec codec, Clock clock, CompilationWork work,
                                 Path workRoot, int concurrency, String nodeId, Duration resync) {
        this.store = store;
        this.documents = new CompilationJobDocuments(codec);
        this.clock = clock;
        this.work = work;
        this.workRoot = workRoot;
        this.concurrency = concurrency;
        this.nodeId = nodeId;
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
        List<StoredResource> active = new ArrayList<>(store.findByStatus(CompilationJobs.KIND, List.of("INPROGRESS", "STOPPING")));
        Instant now = clock.instant();
        active.addAll(store.findClaimable(CompilationJobs.KIND, List.of("STARTING"), nodeId, now, concurrency - running.size()));
        if (!now.isBefore(nextPendingCheck)) {
            // MaxPendingTimeInSeconds is at least 7200 s, so a scan of every waiting job once a minute is exact enough.
            nextPendingCheck = now.plus(PENDING_CHECK_INTERVAL);
            active.addAll(store.findByStatus(CompilationJobs.KIND, List.of("STARTING")));
        }
        for (StoredResource row : active) {
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
                } else if (store.tryLease(row.key(), nodeId, now, now.plus(LEASE))) {
                    finish(row.key(), CompilationJobStatus.STOPPED, null, null);
                    store.releaseLease(row.key(), nodeId);
                }
            }
            case "INPROGRESS" -> {
                if (mine != null) {
                    store.tryLease(row.key(), nodeId, now, now.plus(LEASE)); // renew
                    if (now.isAfter(job.compilationStartTime().plusSeconds(maxRuntime(job)))) {
                        mine.cancel("timeout");
                    }
                } else if (running.size() < concurrency && store.tryLease(row.key(), nodeId, now, now.plus(LEASE))) {
                    // Cut off mid-run (a crash or restart): run again from the start.
                    log.info("Resuming compilation job {} after an interruption", row.arn());
                    launch(row.key(), job);
                }
            }
            case "STARTING" -> {
                Integer maxPending = job.stoppingCondition() == null ? null : job.stoppingCondition().maxPendingTimeInSeconds();
                if (maxPending != null && now.isAfter(job.creationTime().plusSeconds(maxPending))) {
                    finish(row.key(), CompilationJobStatus.FAILED, "ClientError: The job waited longer than "
                            + "MaxPendingTimeInSeconds (" + maxPending + " s) for compilation capacity.", null);
                } else if (running.size() < concurrency && store.tryLease(row.key(), nodeId, now, now.plus(LEASE))) {
                    Optional<StoredResource> started = transition(row.key(), j -> j.toBuilder()
                            .compilationJobStatus(CompilationJobStatus.INPROGRESS)
                            .compilationStartTime(now).lastModifiedTime(now).build(), "STARTING");
                    started.ifPresent(s -> launch(s.key(), documents.decode(s)));
                }
            }
            default -> { }
        }
    }

    private static long maxRuntime(DescribeCompilationJobResponse job) {
        Integer v = job.stoppingCondition() == null ? null : job.stoppingCondition().maxRuntimeInSeconds();
        return v == null ? DEFAULT_MAX_RUNTIME_SECONDS : v;
    }

    private void launch(ResourceKey key, DescribeCompilationJobResponse job) {
        Cancellation cancellation = new Cancellation();
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
                store.releaseLease(key, nodeId);
                loop.wake(); // a worker is free: start the next waiting job now
            }
        });
    }

    /** Records how a run ended, unless the job was stopped meanwhile, in which case it ends STOPPED. */
    private void complete(ResourceKey key, Cancellation cancellation, CompilationOutcome outcome, String failure) {
        if ("shutdown".equals(cancellation.reason())) {
            return; // left INPROGRESS on purpose: the next start resumes it
        }
        if ("timeout".equals(cancellation.reason())) {
            StoredResource row = store.get(key).orElse(null);
            long limit = row == null ? DEFAULT_MAX_RUNTIME_SECONDS : maxRuntime(documents.decode(row));
            failure = "ClientError: The compilation exceeded MaxRuntimeInSeconds (" + limit + " s) and was stopped.";
            outcome = null;
        }
        StoredResource row = store.get(key).orElse(null);
        if (row == null) return;
        if ("STOPPING".equals(row.status())) {
            finish(key, CompilationJobStatus.STOPPED, null, null);
        } else if (outcome != null) {
            finish(key, CompilationJobStatus.COMPLETED, null, outcome);
        } else {
            finish(key, CompilationJobStatus.FAILED, failure == null ? "ClientError: The compilation was cancelled." : failure, null);
        }
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
        }, "STARTING", "INPROGRESS", "STOPPING");
    }

    /** Compare-and-set loop: applies {@code change} if the job is still in one of {@code from}. */
    private Optional<StoredResource> transition(ResourceKey key, UnaryOperator<DescribeCompilationJobResponse> change, String... from) {
        while (true) {
            Optional<StoredResource> current = store.get(key);
            if (current.isEmpty() || !List.of(from).contains(current.get().status())) {
                return Optional.empty();
            }
            StoredResource row = current.get();
            DescribeCompilationJobResponse next = change.apply(documents.decode(row));
            Optional<StoredResource> written = store.update(row.withDocument(next.compilationJobStatusAsString(),
                    next.lastModifiedTime(), documents.encode(next)));
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
