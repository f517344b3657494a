package dev.sagebrush.training.runner;

import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.ThreadedBackend;
import dev.sagebrush.jobs.sandbox.Limits;
import dev.sagebrush.jobs.sandbox.LoopVolumes;
import dev.sagebrush.jobs.sandbox.SandboxUnavailableException;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import dev.sagebrush.storage.AccountStorage;
import dev.sagebrush.training.builtin.BuiltinAlgorithm;
import dev.sagebrush.training.builtin.BuiltinAlgorithms;
import dev.sagebrush.training.metrics.MetricExtractor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;

/**
 * Runs a training job on this host under the SageMaker container contract ({@link JobLayout}, {@link ContainerConfig}):
 * picks the backend from the TrainingImage, prepares each host's {@code /opt/ml} ({@link JobWorkspace}), starts the
 * hosts ({@link HostLauncher}), streams their output into the logs and the metric extraction, waits (stop and
 * MaxRuntime terminate them), and uploads algo-1's model. Exit code 0 on every host completes the job; a host that
 * exits otherwise fails it, with its {@code output/failure} (first 1024 characters) as the reason.
 *
 * <p>The backend: an image in the operator's command registry ({@link ImageRegistry}) runs that command in a
 * bubblewrap sandbox, as does an AWS built-in algorithm image the host's container store cannot serve; any other image
 * runs as a container per host when the host has a container engine ({@link ContainerBackend}).
 */
public final class LocalTrainingRunner implements TrainingRunner {
    /** At server shutdown the job is resumed later anyway: do not hold the shutdown for the full grace period. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(2);
    /** When one host fails, the job has failed: its peers get this long to exit before they are killed. */
    private static final Duration PEER_FAILURE_GRACE = Duration.ofSeconds(2);

    private final ImageRegistry images;
    /** A job reads its channels and code and writes its model as its own account: to its own buckets only. */
    private final AccountStorage storage;
    private final Path root;
    private final Duration stopGrace;
    private final Clock clock;
    private final Map<String, String> serverEnv;
    private final Sandboxes sandboxes;
    private final long memoryBytes;
    private final JobTelemetry telemetry;
    private final Supplier<Optional<ContainerBackend>> containers;
    private final LoopVolumes volumes;

    /**
     * @param sandboxes   where training processes run
     * @param memoryBytes memory limit of each training job's sandbox
     */
    public LocalTrainingRunner(ImageRegistry images, AccountStorage storage, Path root, Duration stopGrace, Clock clock,
                               Sandboxes sandboxes, long memoryBytes) {
        this(images, storage, root, stopGrace, clock, sandboxes, memoryBytes, JobTelemetry.NONE, Optional::empty,
                new LoopVolumes(false));
    }

    /**
     * @param telemetry  where each output line and parsed metric value goes as it is printed (CloudWatch)
     * @param containers the container backend, when this host has a container engine (asked when a job needs it)
     * @param volumes    how each host's /opt/ml gets a disk of VolumeSizeInGB ({@link LoopVolumes})
     */
    public LocalTrainingRunner(ImageRegistry images, AccountStorage storage, Path root, Duration stopGrace, Clock clock,
                               Sandboxes sandboxes, long memoryBytes, JobTelemetry telemetry,
                               Supplier<Optional<ContainerBackend>> containers, LoopVolumes volumes) {
        this.volumes = volumes;
        this.telemetry = telemetry;
        this.images = images;
        this.storage = storage;
        this.root = root;
        this.stopGrace = stopGrace;
        this.clock = clock;
        this.serverEnv = System.getenv();
        this.sandboxes = sandboxes;
        this.memoryBytes = memoryBytes;
        this.containers = containers;
    }

    /** Where a job's files (and its hosts' logs, {@code algo-N.log}) live. */
    public JobLayout layout(String account, String region, String jobName) {
        return JobLayout.of(root, account, region, jobName);
    }

    private JobLayout layoutOf(DescribeTrainingJobResponse job) {
        // arn:aws:sagemaker:<region>:<account>:training-job/<name>
        String[] parts = job.trainingJobArn().split(":", 6);
        return layout(parts[4], parts[3], job.trainingJobName());
    }

    /** The backend a job runs on: a sandboxed command, or a container image; or why it cannot run. */
    private sealed interface Plan {
        record Process(List<String> command, Optional<BuiltinAlgorithm> builtin) implements Plan {}

        record Container(String localImage) implements Plan {}

        record Refused(String reason) implements Plan {}
    }

    private Plan plan(DescribeTrainingJobResponse job) {
        String image = job.algorithmSpecification() == null ? null : job.algorithmSpecification().trainingImage();
        Optional<List<String>> command = images.resolve(image);
        if (command.isPresent()) return new Plan.Process(command.get(), Optional.empty());
        // A built-in algorithm job (AWS's XGBoost image without sagemaker_program) plays on Sagebrush's own algorithm
        // command, before any image mapping: the default map sends the same URIs to the xgboost framework image, which
        // runs script mode (with sagemaker_program) and not the algorithm. One path for the algorithm on every host.
        Optional<BuiltinAlgorithm> builtin = BuiltinAlgorithms.resolve(image, job.hyperParameters());
        if (builtin.isPresent()) return new Plan.Process(builtin.get().command(), builtin);
        Optional<ContainerBackend> engine = containers.get();
        if (engine.isPresent()) {
            ContainerBackend.Resolution r = engine.get().resolve(image);
            if (r instanceof ContainerBackend.Resolution.Found f) return new Plan.Container(f.localImage());
            return new Plan.Refused(((ContainerBackend.Resolution.Missing) r).reason());
        }
        return new Plan.Refused("ClientError: The training image '" + image + "' is not in Sagebrush's training "
                + "image registry" + (images.file() == null ? " (none is configured; start the server with "
                + "--training-images FILE)" : " (" + images.file() + ")") + ", and this host has no container engine "
                + "(podman or docker) to run it as a container. Add a line '<image-uri> <command...>' that maps it to "
                + "a local command, or install podman.");
    }

    @Override
    public Outcome run(DescribeTrainingJobResponse job, Progress progress, Cancellation cancellation) throws IOException {
        Plan plan = plan(job);
        if (plan instanceof Plan.Refused r) return Outcome.failed(r.reason(), List.of());
        int hostCount = job.resourceConfig() == null || job.resourceConfig().instanceCount() == null ? 1
                : job.resourceConfig().instanceCount();
        if (plan instanceof Plan.Process) {
            Optional<String> refusal = processRefusal(job, hostCount);
            if (refusal.isPresent()) return Outcome.failed(refusal.get(), List.of());
        }
        try {
            sandboxes.requireAvailable();
        } catch (SandboxUnavailableException e) {
            return Outcome.failed("InternalServerError: " + e.getMessage(), List.of());
        }
        HostLauncher launcher = plan instanceof Plan.Container c ? containers.get().orElseThrow().launcher(c.localImage())
                : new SandboxLauncher(sandboxes, ((Plan.Process) plan).command(), serverEnv);
        HostLauncher.Reservation reservation;
        try {
            reservation = HostReservations.await(job, launcher, hostCount, progress, cancellation, clock);
        } catch (TrainingFailure f) {
            return Outcome.failed(f.getMessage(), List.of());
        } catch (Cancellation.CancelledException e) {
            return new Outcome(Outcome.Kind.CANCELLED, null, List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Outcome.Kind.CANCELLED, null, List.of());
        }
        try (reservation) {
            JobWorkspace workspace = new JobWorkspace(job, storage.forResource(job.trainingJobArn()),
                    layoutOf(job), hostCount, volumes);
            try {
                return runInWorkspace(job, plan, workspace, launcher, reservation, progress, cancellation);
            } finally {
                workspace.cleanUp();
            }
        }
    }

    private Outcome runInWorkspace(DescribeTrainingJobResponse job, Plan plan, JobWorkspace workspace,
                                   HostLauncher launcher, HostLauncher.Reservation reservation, Progress progress,
                                   Cancellation cancellation) throws IOException {
        workspace.create();
        if (plan instanceof Plan.Process p && p.builtin().isPresent()) p.builtin().get().install(workspace.first().ml());
        Map<String, JobTelemetry.Sink> sinks = new LinkedHashMap<>();
        Map<String, MetricExtractor> metrics = new LinkedHashMap<>();
        for (JobLayout l : workspace.layouts()) {
            JobTelemetry.Sink sink = telemetry.open(job, l.host());
            sinks.put(l.host(), sink);
            metrics.put(l.host(), MetricExtractor.of(job.algorithmSpecification().metricDefinitions(), sink::metric));
        }
        // FinalMetricDataList is algo-1's, the host whose model the job keeps; every host's values go to CloudWatch.
        MetricExtractor jobMetrics = metrics.get(JobLayout.HOST);
        try {
            return runPrepared(job, workspace, launcher, reservation, metrics, sinks, progress, cancellation);
        } catch (TrainingFailure f) {
            return Outcome.failed(f.getMessage(), jobMetrics.finalMetrics());
        } catch (Cancellation.CancelledException e) {
            return new Outcome(Outcome.Kind.CANCELLED, null, jobMetrics.finalMetrics());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Outcome.Kind.CANCELLED, null, jobMetrics.finalMetrics());
        } finally {
            sinks.values().forEach(JobTelemetry.Sink::close);
        }
    }

    /** What the process backend cannot do, which a container engine would. */
    private static Optional<String> processRefusal(DescribeTrainingJobResponse job, int hostCount) {
        String image = job.algorithmSpecification().trainingImage();
        if (hostCount > 1) {
            return Optional.of("ClientError: InstanceCount " + hostCount + " needs a container per instance, but the "
                    + "training image '" + image + "' runs as a local command (the operator's image registry or a "
                    + "built-in algorithm), which runs one instance. Use InstanceCount 1, or a container image.");
        }
        if (job.algorithmSpecification().hasContainerEntrypoint()) {
            return Optional.of("ClientError: AlgorithmSpecification.ContainerEntrypoint cannot be used with the "
                    + "training image '" + image + "': it runs as a local command that the server's image registry "
                    + "chooses. ContainerArguments are supported.");
        }
        return Optional.empty();
    }

    private Outcome runPrepared(DescribeTrainingJobResponse job, JobWorkspace workspace, HostLauncher launcher,
                                HostLauncher.Reservation reservation, Map<String, MetricExtractor> metrics, Map<String, JobTelemetry.Sink> sinks,
                                Progress progress, Cancellation cancellation)
            throws IOException, TrainingFailure, InterruptedException {
        String type = job.resourceConfig() == null ? null : job.resourceConfig().instanceTypeAsString();
        InstanceResources resources = InstanceResources.of(type, memoryBytes);
        progress.status(SecondaryStatus.DOWNLOADING, "Downloading input data");
        List<HostLauncher.Host> hosts = workspace.prepare(resources.cpus(), cancellation);

        progress.status(SecondaryStatus.TRAINING, "Training image download completed. Training in progress."
                + (resources.scaled() ? " " + resources.note() : ""));
        // SageMaker runs `<image> train`; ContainerArguments replace `train`, and a ContainerEntrypoint takes its place.
        List<String> args = job.algorithmSpecification().containerArguments();
        List<String> arguments = !args.isEmpty() ? args
                : job.algorithmSpecification().hasContainerEntrypoint() ? List.of() : List.of("train");
        Map<String, Consumer<String>> lines = new LinkedHashMap<>();
        for (HostLauncher.Host h : hosts) {
            MetricExtractor m = metrics.get(h.name());
            JobTelemetry.Sink sink = sinks.get(h.name());
            lines.put(h.name(), line -> {
                Instant now = clock.instant();
                m.accept(line, now);
                sink.line(now, line);
            });
            appendLog(h.layout(), "Sagebrush: starting " + arguments + " on " + h.name() + " for training job "
                    + job.trainingJobName());
        }
        List<Integer> exits = new ArrayList<>();
        List<Boolean> outOfMemory = new ArrayList<>();
        try (HostLauncher.Launch launch = launcher.launch(new HostLauncher.Request(job, hosts, arguments, resources,
                lines, reservation))) {
            progress.processStarted(metrics.get(JobLayout.HOST));
            await(launch.hosts(), cancellation);
            for (HostProcess p : launch.hosts()) {
                exits.add(p.exitCode());
                // Asked only of a host that failed: for a container it costs an engine call (~0.1-0.3 s here).
                outOfMemory.add(exits.get(exits.size() - 1) != 0 && p.memoryExceeded());
            }
        }
        for (int i = 0; i < hosts.size(); i++) {
            appendLog(hosts.get(i).layout(), "Sagebrush: the training process exited with code " + exits.get(i));
        }

        if (cancellation.isCancelled()) {
            // As on SageMaker, a stopped job keeps what it saved during its grace period.
            if (!ThreadedBackend.SHUTDOWN.equals(cancellation.reason())) workspace.uploadQuietly();
            return new Outcome(Outcome.Kind.CANCELLED, null, metrics.get(JobLayout.HOST).finalMetrics());
        }
        for (int i = 0; i < hosts.size(); i++) {
            int exit = exits.get(i);
            if (exit == 0) continue;
            String where = hosts.size() > 1 ? " on " + hosts.get(i).name() : "";
            if (outOfMemory.get(i)) {
                return Outcome.failed("ClientError: OutOfMemoryError: The training process" + where + " exceeded the "
                        + "memory limit of " + Limits.bytes(resources.memoryBytes()) + " and was killed. Please use an "
                        + "instance type with more memory, or reduce the size of training data processed on an "
                        + "instance.", metrics.get(JobLayout.HOST).finalMetrics());
            }
            return Outcome.failed(workspace.failureReason(hosts.get(i).layout(), exit),
                    metrics.get(JobLayout.HOST).finalMetrics());
        }
        progress.status(SecondaryStatus.UPLOADING, "Uploading generated training model");
        workspace.upload();
        return new Outcome(Outcome.Kind.COMPLETED, null, metrics.get(JobLayout.HOST).finalMetrics());
    }

    /**
     * Waits until every host has exited. A cancel (stop, MaxRuntime, shutdown) terminates all of them; a host that
     * fails ends the job, so its peers are terminated too.
     */
    private void await(List<HostProcess> hosts, Cancellation cancellation) throws InterruptedException {
        while (true) {
            boolean allDone = true;
            boolean oneFailed = false;
            for (HostProcess p : hosts) {
                if (p.waitFor(Duration.ofMillis(hosts.size() == 1 ? 200 : 50))) {
                    oneFailed |= p.exitCode() != 0;
                } else {
                    allDone = false;
                }
            }
            if (allDone) return;
            if (cancellation.isCancelled() || oneFailed) {
                Duration grace = oneFailed && !cancellation.isCancelled() ? PEER_FAILURE_GRACE
                        : ThreadedBackend.SHUTDOWN.equals(cancellation.reason()) ? SHUTDOWN_GRACE : stopGrace;
                terminateAll(hosts, grace);
                return;
            }
        }
    }

    /** SIGTERM to every host at once, SIGKILL to each after the same grace period. */
    private static void terminateAll(List<HostProcess> hosts, Duration grace) throws InterruptedException {
        List<Thread> stoppers = new ArrayList<>();
        for (HostProcess p : hosts) {
            Thread t = new Thread(() -> {
                try {
                    p.terminate(grace);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "training-stop");
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) t.join();
    }

    private void appendLog(JobLayout layout, String line) throws IOException {
        Files.writeString(layout.log(), "[" + Instant.now(clock) + "] " + line + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
