package dev.sagebrush.training.runner;

import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.sandbox.Limits;
import dev.sagebrush.jobs.sandbox.SandboxSpec;
import dev.sagebrush.jobs.sandbox.SandboxUnavailableException;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import dev.sagebrush.jobs.sandbox.UidPool;
import dev.sagebrush.jobs.sandbox.UntrustedFiles;
import dev.sagebrush.storage.BucketNotFoundException;
import dev.sagebrush.storage.ObjectStorage;
import dev.sagebrush.storage.S3Uri;
import dev.sagebrush.storage.StorageException;
import dev.sagebrush.training.builtin.BuiltinAlgorithm;
import dev.sagebrush.training.builtin.BuiltinAlgorithms;
import dev.sagebrush.training.metrics.MetricExtractor;
import dev.sagebrush.training.scriptmode.SubmitDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;

/**
 * Runs a training job in a sandbox, honouring the SageMaker container contract: the job's own directory is shown at
 * {@code /opt/ml} (see {@link JobLayout}, {@link ContainerConfig}), the process runs as a uid of its own with nothing
 * else of the host but the read-only system directories and the registry command's own files, without network when
 * EnableNetworkIsolation is set, under the training memory limit. Steps: look the image up in the
 * {@link ImageRegistry}; write the config files; download the File-mode channels; run
 * {@code <command> (ContainerArguments | train)}; then pack {@code model/} to S3. Exit code 0 completes the job, any
 * other fails it with {@code output/failure} (first 1024 characters) as the reason.
 */
public final class LocalTrainingRunner implements TrainingRunner {
    private static final Logger log = LoggerFactory.getLogger(LocalTrainingRunner.class);
    static final int MAX_FAILURE_CHARS = 1024;
    /** At server shutdown the job is resumed later anyway: do not hold the shutdown for the full grace period. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(2);

    private final ImageRegistry images;
    private final ObjectStorage storage;
    private final Path root;
    private final Duration stopGrace;
    private final Clock clock;
    private final Map<String, String> serverEnv;
    private final Sandboxes sandboxes;
    private final long memoryBytes;
    private final JobTelemetry telemetry;

    /**
     * @param sandboxes   where training processes run
     * @param memoryBytes memory limit of each training job's sandbox
     */
    public LocalTrainingRunner(ImageRegistry images, ObjectStorage storage, Path root, Duration stopGrace, Clock clock,
                               Sandboxes sandboxes, long memoryBytes) {
        this(images, storage, root, stopGrace, clock, sandboxes, memoryBytes, JobTelemetry.NONE);
    }

    /** @param telemetry where each output line and parsed metric value goes as it is printed (CloudWatch) */
    public LocalTrainingRunner(ImageRegistry images, ObjectStorage storage, Path root, Duration stopGrace, Clock clock,
                               Sandboxes sandboxes, long memoryBytes, JobTelemetry telemetry) {
        this.telemetry = telemetry;
        this.images = images;
        this.storage = storage;
        this.root = root;
        this.stopGrace = stopGrace;
        this.clock = clock;
        this.serverEnv = System.getenv();
        this.sandboxes = sandboxes;
        this.memoryBytes = memoryBytes;
    }

    /** Where a job's files (and its log, {@code algo-1.log}) live. */
    public JobLayout layout(String account, String region, String jobName) {
        return JobLayout.of(root, account, region, jobName);
    }

    /** The job's log file, for account/region/name taken from its ARN. */
    public Path logFile(DescribeTrainingJobResponse job) {
        return layoutOf(job).log();
    }

    private JobLayout layoutOf(DescribeTrainingJobResponse job) {
        // arn:aws:sagemaker:<region>:<account>:training-job/<name>
        String[] parts = job.trainingJobArn().split(":", 6);
        return layout(parts[4], parts[3], job.trainingJobName());
    }

    @Override
    public Outcome run(DescribeTrainingJobResponse job, Progress progress, Cancellation cancellation) throws IOException {
        String image = job.algorithmSpecification() == null ? null : job.algorithmSpecification().trainingImage();
        Optional<List<String>> command = images.resolve(image);
        // The operator's registry wins; otherwise an AWS built-in algorithm image resolves to its own command.
        Optional<BuiltinAlgorithm> builtin = command.isPresent() ? Optional.empty()
                : BuiltinAlgorithms.resolve(image, job.hyperParameters());
        if (builtin.isPresent()) command = Optional.of(builtin.get().command());
        if (command.isEmpty()) {
            return Outcome.failed("ClientError: The training image '" + image + "' is not in Sagebrush's training "
                    + "image registry" + (images.file() == null ? " (none is configured; start the server with "
                    + "--training-images FILE)" : " (" + images.file() + ")") + ". Add a line '<image-uri> <command...>' "
                    + "that maps it to a local command.", List.of());
        }
        try {
            sandboxes.requireAvailable();
        } catch (SandboxUnavailableException e) {
            return Outcome.failed("InternalServerError: " + e.getMessage(), List.of());
        }
        JobLayout layout = layoutOf(job);
        Files.createDirectories(layout.jobDir());
        Files.setPosixFilePermissions(layout.jobDir(), PosixFilePermissions.fromString("rwx------"));
        layout.prepare();
        if (builtin.isPresent()) builtin.get().install(layout.ml());
        JobTelemetry.Sink sink = telemetry.open(job);
        MetricExtractor metrics = MetricExtractor.of(job.algorithmSpecification().metricDefinitions(), sink::metric);
        try {
            return runPrepared(job, layout, command.get(), builtin.isEmpty(), metrics, sink, progress, cancellation);
        } catch (TrainingFailure f) {
            return Outcome.failed(f.getMessage(), metrics.finalMetrics());
        } catch (Cancellation.CancelledException e) {
            return new Outcome(Outcome.Kind.CANCELLED, null, metrics.finalMetrics());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Outcome.Kind.CANCELLED, null, metrics.finalMetrics());
        } finally {
            sink.close();
            try {
                layout.cleanUp();
            } catch (IOException e) {
                log.warn("Could not remove the work files of training job {}", job.trainingJobArn(), e);
            }
        }
    }

    private Outcome runPrepared(DescribeTrainingJobResponse job, JobLayout layout, List<String> command,
                                boolean userCode, MetricExtractor metrics, JobTelemetry.Sink sink, Progress progress,
                                Cancellation cancellation)
            throws IOException, TrainingFailure, InterruptedException {
        ContainerConfig config = new ContainerConfig(job, layout, Runtime.getRuntime().availableProcessors());
        config.writeConfigFiles();

        progress.status(SecondaryStatus.DOWNLOADING, "Downloading input data");
        // Script mode: the code the SDK uploaded is placed at /opt/ml/code before the training starts, by the server
        // (no credentials or network needed inside). A built-in algorithm ignores it, as AWS's algorithm mode does.
        if (userCode) SubmitDirectory.prepare(storage, job.hyperParameters(), layout.code(), layout.tmp());
        ChannelDownloader downloader = new ChannelDownloader(storage, regionOf(job), job.roleArn());
        for (Channel c : job.inputDataConfig()) {
            downloader.download(c, layout.channel(c.channelName()), layout.tmp(), cancellation);
        }
        cancellation.check();

        progress.status(SecondaryStatus.TRAINING, "Training image download completed. Training in progress.");
        List<String> argv = new ArrayList<>(command);
        List<String> args = job.algorithmSpecification().containerArguments();
        argv.addAll(args.isEmpty() ? List.of("train") : args);
        appendLog(layout, "Sagebrush: starting " + argv + " for training job " + job.trainingJobName());
        boolean isolated = Boolean.TRUE.equals(job.enableNetworkIsolation());
        int exit;
        boolean outOfMemory;
        try (UidPool.Lease uid = sandboxes.uids().lease()) {
            SandboxSpec.Builder spec = SandboxSpec.builder("training", argv).uid(uid)
                    .readWrite(layout.ml(), ContainerConfig.ML_INSIDE).chdir(ContainerConfig.ML_INSIDE)
                    .env(config.environment(serverEnv)).network(!isolated).hostname(JobLayout.HOST)
                    .limits(Limits.TRAINING.withMemory(memoryLimit(job)));
            for (Path p : commandFiles(command)) spec.readOnly(p);
            ChildProcess child;
            try {
                child = ChildProcess.start(sandboxes, spec.build(), layout.log(),
                        line -> {
                            Instant now = clock.instant();
                            metrics.accept(line, now);
                            sink.line(now, line);
                        });
            } catch (IOException | IllegalArgumentException e) {
                throw new TrainingFailure("ClientError: Cannot start the command " + command + " that the image "
                        + "registry maps the training image to: " + e.getMessage());
            }
            try (child) {
                progress.processStarted(metrics);
                while (!child.waitFor(Duration.ofMillis(200))) {
                    if (cancellation.isCancelled()) {
                        child.terminate("shutdown".equals(cancellation.reason()) ? SHUTDOWN_GRACE : stopGrace);
                        break;
                    }
                }
                exit = child.exitCode();
                outOfMemory = child.memoryExceeded();
            }
        }
        appendLog(layout, "Sagebrush: the training process exited with code " + exit);

        if (cancellation.isCancelled()) {
            if (!"shutdown".equals(cancellation.reason())) {
                // As on SageMaker, a stopped job keeps what it saved during its grace period.
                uploadQuietly(job, layout);
            }
            return new Outcome(Outcome.Kind.CANCELLED, null, metrics.finalMetrics());
        }
        if (exit != 0 && outOfMemory) {
            return Outcome.failed("ClientError: OutOfMemoryError: The training process exceeded the memory limit of "
                    + Limits.bytes(memoryLimit(job)) + " and was killed. Please use an instance type with more memory, or "
                    + "reduce the size of training data processed on an instance.", metrics.finalMetrics());
        }
        if (exit != 0) {
            return Outcome.failed(failureReason(layout, exit), metrics.finalMetrics());
        }
        progress.status(SecondaryStatus.UPLOADING, "Uploading generated training model");
        upload(job, layout);
        return new Outcome(Outcome.Kind.COMPLETED, null, metrics.finalMetrics());
    }

    private void upload(DescribeTrainingJobResponse job, JobLayout layout) throws TrainingFailure, IOException {
        boolean compressed = !"NONE".equals(job.outputDataConfig().compressionTypeAsString());
        S3Uri model = Artifacts.modelLocation(job.outputDataConfig().s3OutputPath(), job.trainingJobName(), compressed);
        try {
            Artifacts.uploadModel(storage, layout.model(), model, layout.tmp(), compressed);
            Artifacts.uploadOutputData(storage, layout.outputData(),
                    S3Uri.parse(job.outputDataConfig().s3OutputPath()).resolve(job.trainingJobName() + "/output/"),
                    layout.tmp());
        } catch (BucketNotFoundException e) {
            throw new TrainingFailure("ClientError: Cannot upload the model to " + model + ": the bucket '"
                    + e.bucket() + "' does not exist.");
        } catch (IllegalArgumentException e) {
            throw new TrainingFailure("ClientError: Cannot upload the model to " + model + ": " + e.getMessage());
        } catch (StorageException e) {
            throw new IOException("Uploading the model to " + model + " failed: " + e.getMessage(), e);
        }
    }

    private void uploadQuietly(DescribeTrainingJobResponse job, JobLayout layout) {
        try {
            if (!Artifacts.regularFiles(layout.model()).isEmpty()) upload(job, layout);
        } catch (IOException | TrainingFailure | RuntimeException e) {
            log.warn("Could not upload the model of stopped training job {}: {}", job.trainingJobArn(), e.getMessage());
        }
    }

    /** The first 1024 characters of output/failure, or a reason that points at the log when there is none. */
    static String failureReason(JobLayout layout, int exit) throws IOException {
        // The sandbox owns output/: the file may be a link to a server file, which UntrustedFiles refuses.
        if (UntrustedFiles.isRegularFile(layout.ml(), layout.failure())) {
            byte[] head;
            try (InputStream in = UntrustedFiles.open(layout.ml(), layout.failure())) {
                head = in.readNBytes(MAX_FAILURE_CHARS * 4);
            }
            String text = new String(head, StandardCharsets.UTF_8).stripTrailing();
            if (!text.isEmpty()) {
                return text.length() > MAX_FAILURE_CHARS ? text.substring(0, MAX_FAILURE_CHARS) : text;
            }
        }
        return "AlgorithmError: The training process exited with code " + exit + " and wrote no output/failure file. "
                + "See the job's log (" + layout.log().getFileName() + " in " + layout.jobDir() + ").";
    }

    /** The instance type's memory, capped by the operator's limit for one training job. */
    long memoryLimit(DescribeTrainingJobResponse job) {
        String type = job.resourceConfig() == null ? null : job.resourceConfig().instanceTypeAsString();
        return Math.min(memoryBytes, InstanceMemory.bytes(type).orElse(memoryBytes));
    }

    /**
     * The registry command's own files (absolute paths outside the system directories, e.g. the algorithm's script),
     * shown read-only in the sandbox at the same path. Only the operator's registry names them, never the job.
     */
    static List<Path> commandFiles(List<String> command) {
        List<Path> out = new ArrayList<>();
        for (String arg : command) {
            if (!arg.startsWith("/")) continue;
            Path p = Path.of(arg).normalize();
            if (p.startsWith("/usr") || p.startsWith("/bin") || p.startsWith("/sbin") || p.startsWith("/lib")
                    || p.startsWith("/lib64") || p.getNameCount() < 2 || !Files.exists(p)) {
                continue;
            }
            out.add(p);
        }
        return out;
    }

    private static String regionOf(DescribeTrainingJobResponse job) {
        return job.trainingJobArn().split(":", 6)[3];
    }

    private void appendLog(JobLayout layout, String line) throws IOException {
        Files.writeString(layout.log(), "[" + Instant.now(clock) + "] " + line + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }
}
