package dev.sagebrush.training.runner;

import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.Commands;
import dev.sagebrush.jobs.sandbox.LoopVolumes;
import dev.sagebrush.jobs.sandbox.UntrustedFiles;
import dev.sagebrush.storage.AccessDeniedException;
import dev.sagebrush.storage.BucketNotFoundException;
import dev.sagebrush.storage.ObjectStorage;
import dev.sagebrush.storage.S3Uri;
import dev.sagebrush.storage.StorageException;
import dev.sagebrush.training.scriptmode.SubmitDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;

/**
 * The part of a training run that is the same for every backend: each host's {@code /opt/ml} tree made ready before
 * the workload starts (config files, the File-mode channels, sharded per host), and after it ends the failure reason
 * and the upload of {@code algo-1}'s model and output data to S3. Backends differ only in how they start the hosts
 * ({@link HostLauncher}).
 */
final class JobWorkspace {
    private static final Logger log = LoggerFactory.getLogger(JobWorkspace.class);
    static final int MAX_FAILURE_CHARS = 1024;
    /** The categories SageMaker's training FailureReasons start with. */
    private static final List<String> FAILURE_CATEGORIES = List.of("AlgorithmError: ", "ClientError: ");

    private final DescribeTrainingJobResponse job;
    private final ObjectStorage storage;
    private final List<JobLayout> layouts;
    private final LoopVolumes volumes;

    /**
     * @param first   the layout of {@code algo-1}; the job has {@code hostCount} hosts
     * @param volumes how each host's {@code ml/} gets a disk of VolumeSizeInGB
     */
    JobWorkspace(DescribeTrainingJobResponse job, ObjectStorage storage, JobLayout first, int hostCount,
                 LoopVolumes volumes) {
        this.job = job;
        this.storage = storage;
        this.layouts = JobLayout.hosts(hostCount).stream().map(first::forHost).toList();
        this.volumes = volumes;
    }

    List<JobLayout> layouts() {
        return layouts;
    }

    JobLayout first() {
        return layouts.get(0);
    }

    /**
     * Makes the job directory (0700) and each host's empty /opt/ml tree, on a volume of its own of VolumeSizeInGB when
     * the host can make one ({@link LoopVolumes}): /opt/ml is the only disk a workload writes (a container's root is
     * read-only and its /tmp memory), so a job that writes more than its volume holds gets ENOSPC, as on SageMaker.
     */
    void create() throws IOException {
        Files.createDirectories(first().jobDir());
        Files.setPosixFilePermissions(first().jobDir(), PosixFilePermissions.fromString("rwx------"));
        for (JobLayout l : layouts) {
            volumes.detach(l.ml()); // a previous attempt's, when the server died mid-run
            l.cleanUp();
            if (volumeSizeInGB() > 0) {
                volumes.attach(l.volumeImage(), l.ml(), volumeSizeInGB());
                Files.deleteIfExists(l.ml().resolve("lost+found")); // ext4's; not part of SageMaker's /opt/ml
            }
            l.makeDirectories();
        }
    }

    /** The job's VolumeSizeInGB, or 0 when it has none (the tree is then a directory of the data directory's disk). */
    int volumeSizeInGB() {
        Integer size = job.resourceConfig() == null ? null : job.resourceConfig().volumeSizeInGB();
        return size == null || size < 1 ? 0 : size;
    }

    /** True when a host's /opt/ml is a volume of exactly VolumeSizeInGB. */
    boolean sizeEnforced() {
        return volumes.enforcesSize() && volumeSizeInGB() > 0;
    }

    /**
     * Writes each host's config files and downloads the channels (ShardedByS3Key split across the hosts). The caller
     * has reported Downloading. Returns the hosts, ready for a {@link HostLauncher}.
     */
    List<HostLauncher.Host> prepare(int cpus, Cancellation cancellation) throws IOException, TrainingFailure {
        List<String> hostNames = layouts.stream().map(JobLayout::host).toList();
        List<HostLauncher.Host> hosts = new ArrayList<>();
        for (JobLayout l : layouts) {
            ContainerConfig config = new ContainerConfig(job, l, hostNames, cpus);
            config.writeConfigFiles();
            hosts.add(new HostLauncher.Host(l, config));
        }
        ChannelDownloader downloader = new ChannelDownloader(storage, regionOf(job), job.roleArn());
        for (int i = 0; i < layouts.size(); i++) {
            JobLayout l = layouts.get(i);
            downloader.downloadAll(job.inputDataConfig(), l, i, layouts.size(), cancellation);
        }
        // Script mode: the code the SDK uploaded (sagemaker_submit_directory) is unpacked into each host's
        // /opt/ml/code by the server, so containers need no credentials and isolated jobs get it too. A built-in
        // algorithm's script already there wins: the algorithm ignores the directory, as AWS's algorithm mode does.
        for (JobLayout l : layouts) {
            cancellation.check();
            if (!Files.exists(l.code())) SubmitDirectory.prepare(storage, job.hyperParameters(), l.code(), l.tmp());
        }
        cancellation.check();
        return hosts;
    }

    /**
     * Why a host that exited with {@code exit} failed: the first 1024 characters of its output/failure, as an
     * AlgorithmError ({@link #algorithmError}); without one, its ML storage volume running out of space when it did
     * (the volume is full, or the log's end says ENOSPC); else a reason that points at its log.
     */
    String failureReason(JobLayout layout, int exit) throws IOException {
        String own = failureFile(layout);
        if (own != null) return algorithmError(own);
        if (sizeEnforced() && volumeFull(layout)) {
            return "ClientError: Insufficient disk space: the ML storage volume of " + layout.host() + " (VolumeSizeInGB "
                    + volumeSizeInGB() + ") ran out of space, and the training process exited with code " + exit
                    + ". /opt/ml holds the input data, the model, output and checkpoints: use a larger "
                    + "ResourceConfig.VolumeSizeInGB, or write less there.";
        }
        return "AlgorithmError: The training process exited with code " + exit + " and wrote no output/failure file. "
                + "See the job's log (" + layout.log().getFileName() + " in " + layout.jobDir() + ").";
    }

    /**
     * SageMaker reports what a training process wrote to output/failure under the category AlgorithmError: a
     * script-mode script that raised ends {@code AlgorithmError: ExecuteUserScriptError:\nExitCode 1\n...}. Text that
     * already starts with a category is kept as it is: Sagebrush's built-in algorithms write {@code ClientError: ...}
     * when the request is at fault, as the FailureReasons of AWS's built-in algorithms read. The controller cuts the
     * result to FailureReason's 1024 characters.
     */
    static String algorithmError(String failureText) {
        for (String category : FAILURE_CATEGORIES) {
            if (failureText.startsWith(category)) return failureText;
        }
        return "AlgorithmError: " + failureText;
    }

    /** Less than 1 MiB left on the host's volume, or ENOSPC in the last 8 KiB of its log. */
    private static boolean volumeFull(JobLayout layout) throws IOException {
        if (Files.getFileStore(layout.ml()).getUsableSpace() < (1L << 20)) return true;
        return Files.exists(layout.log())
                && Commands.tail(layout.log(), 8192).contains("No space left on device");
    }

    /** The first 1024 characters of the host's output/failure, or null when it wrote none. */
    static String failureFile(JobLayout layout) throws IOException {
        // The workload owns output/: the file may be a link to a server file, which UntrustedFiles refuses.
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
        return null;
    }

    /** Uploads algo-1's model (and output data): as on SageMaker, the job's model is its first host's. */
    void upload() throws TrainingFailure, IOException {
        JobLayout layout = first();
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
        } catch (AccessDeniedException e) {
            throw new TrainingFailure("ClientError: Cannot upload the model to " + model + " (AccessDenied: Access "
                    + "Denied). The bucket '" + e.uri().bucket() + "' is not this account's.");
        } catch (IllegalArgumentException e) {
            throw new TrainingFailure("ClientError: Cannot upload the model to " + model + ": " + e.getMessage());
        } catch (StorageException e) {
            throw new IOException("Uploading the model to " + model + " failed: " + e.getMessage(), e);
        }
    }

    /** After a stop: uploads whatever model the job saved in its grace period, as SageMaker does. */
    void uploadQuietly() {
        try {
            if (!Artifacts.regularFiles(first().model()).isEmpty()) upload();
        } catch (IOException | TrainingFailure | RuntimeException e) {
            log.warn("Could not upload the model of stopped training job {}: {}", job.trainingJobArn(), e.getMessage());
        }
    }

    /** Removes every host's /opt/ml tree (and its volume) and scratch space; the logs stay. */
    void cleanUp() {
        for (JobLayout l : layouts) {
            try {
                volumes.detach(l.ml());
                l.cleanUp();
            } catch (IOException e) {
                log.warn("Could not remove the work files of training job {} ({})", job.trainingJobArn(), l.host(), e);
            }
        }
    }

    static String regionOf(DescribeTrainingJobResponse job) {
        return job.trainingJobArn().split(":", 6)[3];
    }
}
