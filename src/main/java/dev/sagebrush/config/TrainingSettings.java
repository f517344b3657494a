package dev.sagebrush.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How this node runs training jobs.
 *
 * @param imagesFile      the image registry: lines {@code <image-uri-or-prefix*> <command...>} (see docs/training.md);
 *                        images it maps run as sandboxed local commands
 * @param workers         training jobs run at once on this node; 0 makes an API-only node
 * @param stopGrace       time between SIGTERM and SIGKILL when a job is stopped or runs out of time; SageMaker gives 120 s
 * @param imageMapFile    the container image mapping: lines {@code <image-uri-pattern> <local-image>}, consulted before
 *                        the built-in framework mapping
 * @param containerEngine {@code auto} (podman, else docker), {@code podman}, {@code docker} or {@code none}
 * @param maxInstances    the account-level limit on instances across all of an account's running training jobs (in a
 *                        region): CreateTrainingJob beyond it fails with ResourceLimitExceeded, as on SageMaker
 * @param memoryBytes     memory cap per training instance; empty: {@code SAGEBRUSH_TRAINING_MEMORY_MB} (8 GiB)
 * @param containerUids   host uids of the containers' user namespaces, {@code <first>-<last>}; empty:
 *                        {@code SAGEBRUSH_CONTAINER_UIDS} or the default
 */
public record TrainingSettings(Optional<Path> imagesFile, int workers, Duration stopGrace, Optional<Path> imageMapFile,
                               String containerEngine, int maxInstances, Optional<Long> memoryBytes,
                               Optional<String> containerUids) {
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(120);
    /** As many instances as the default container uid ranges can run at once. */
    /** No quota: jobs past the hosts' capacity wait in Starting. */
    public static final int DEFAULT_MAX_INSTANCES = 0;

    public static TrainingSettings defaults() {
        return new TrainingSettings(Optional.empty(), Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
                DEFAULT_STOP_GRACE, Optional.empty(), "auto", DEFAULT_MAX_INSTANCES, Optional.empty(),
                Optional.empty());
    }

    public TrainingSettings withImagesFile(Path f) {
        return new TrainingSettings(Optional.ofNullable(f), workers, stopGrace, imageMapFile, containerEngine, maxInstances,
                memoryBytes, containerUids);
    }

    public TrainingSettings withWorkers(int n) {
        return new TrainingSettings(imagesFile, n, stopGrace, imageMapFile, containerEngine, maxInstances, memoryBytes,
                containerUids);
    }

    public TrainingSettings withStopGrace(Duration d) {
        return new TrainingSettings(imagesFile, workers, d, imageMapFile, containerEngine, maxInstances, memoryBytes,
                containerUids);
    }

    public TrainingSettings withImageMapFile(Path f) {
        return new TrainingSettings(imagesFile, workers, stopGrace, Optional.ofNullable(f), containerEngine, maxInstances,
                memoryBytes, containerUids);
    }

    public TrainingSettings withContainerEngine(String engine) {
        return new TrainingSettings(imagesFile, workers, stopGrace, imageMapFile, engine, maxInstances, memoryBytes,
                containerUids);
    }

    public TrainingSettings withMaxInstances(int n) {
        if (n < 0) throw new IllegalArgumentException("the training instance limit must be 0 (no quota) or more, got " + n);
        return new TrainingSettings(imagesFile, workers, stopGrace, imageMapFile, containerEngine, n, memoryBytes,
                containerUids);
    }

    public TrainingSettings withMemoryBytes(long bytes) {
        return new TrainingSettings(imagesFile, workers, stopGrace, imageMapFile, containerEngine, maxInstances,
                Optional.of(bytes), containerUids);
    }

    public TrainingSettings withContainerUids(String range) {
        return new TrainingSettings(imagesFile, workers, stopGrace, imageMapFile, containerEngine, maxInstances,
                memoryBytes, Optional.ofNullable(range).filter(r -> !r.isBlank()));
    }
}
