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
 */
public record TrainingSettings(Optional<Path> imagesFile, int workers, Duration stopGrace, Optional<Path> imageMapFile,
                               String containerEngine) {
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(120);

    public static TrainingSettings defaults() {
        return new TrainingSettings(Optional.empty(), Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
                DEFAULT_STOP_GRACE, Optional.empty(), "auto");
    }

    public TrainingSettings withImagesFile(Path f) {
        return new TrainingSettings(Optional.ofNullable(f), workers, stopGrace, imageMapFile, containerEngine);
    }

    public TrainingSettings withWorkers(int n) {
        return new TrainingSettings(imagesFile, n, stopGrace, imageMapFile, containerEngine);
    }

    public TrainingSettings withStopGrace(Duration d) {
        return new TrainingSettings(imagesFile, workers, d, imageMapFile, containerEngine);
    }

    public TrainingSettings withImageMapFile(Path f) {
        return new TrainingSettings(imagesFile, workers, stopGrace, Optional.ofNullable(f), containerEngine);
    }

    public TrainingSettings withContainerEngine(String engine) {
        return new TrainingSettings(imagesFile, workers, stopGrace, imageMapFile, engine);
    }
}
