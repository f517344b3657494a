package dev.sagebrush.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How this node runs training jobs.
 *
 * @param imagesFile the image registry: lines {@code <image-uri-or-prefix*> <command...>} (see docs/training.md);
 *                   empty means no image is mapped, so every training job fails with a reason that says so
 * @param workers    training jobs run at once on this node; 0 makes an API-only node
 * @param stopGrace  time between SIGTERM and SIGKILL when a job is stopped or runs out of time; SageMaker gives 120 s
 */
public record TrainingSettings(Optional<Path> imagesFile, int workers, Duration stopGrace) {
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(120);

    public static TrainingSettings defaults() {
        return new TrainingSettings(Optional.empty(), Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
                DEFAULT_STOP_GRACE);
    }

    public TrainingSettings withImagesFile(Path f) {
        return new TrainingSettings(Optional.ofNullable(f), workers, stopGrace);
    }

    public TrainingSettings withWorkers(int n) {
        return new TrainingSettings(imagesFile, n, stopGrace);
    }

    public TrainingSettings withStopGrace(Duration d) {
        return new TrainingSettings(imagesFile, workers, d);
    }
}
