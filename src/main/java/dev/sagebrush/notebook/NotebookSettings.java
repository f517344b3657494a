package dev.sagebrush.notebook;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How this server runs notebook instances.
 *
 * @param runInstances     false makes an API-only node: instances are accepted and stay Pending (tests of the API)
 * @param lifecycleTimeout limit per lifecycle script; AWS's is 5 minutes
 * @param readyTimeout     how long Jupyter may take to answer once spawned
 * @param stopGrace        how long Jupyter gets to shut its kernels down after SIGTERM
 * @param gitConfig        a git config file used when cloning code repositories (mirrors, insteadOf rules)
 * @param loopVolumes      enforce VolumeSizeInGB with a loop-mounted image when the host allows it
 */
public record NotebookSettings(boolean runInstances, Duration lifecycleTimeout, Duration readyTimeout,
                               Duration stopGrace, Optional<Path> gitConfig, boolean loopVolumes) {

    public static NotebookSettings defaults() {
        return new NotebookSettings(true, Duration.ofMinutes(5), Duration.ofSeconds(60), Duration.ofSeconds(10),
                Optional.empty(), true);
    }

    public NotebookSettings withRunInstances(boolean v) {
        return new NotebookSettings(v, lifecycleTimeout, readyTimeout, stopGrace, gitConfig, loopVolumes);
    }

    public NotebookSettings withLifecycleTimeout(Duration v) {
        return new NotebookSettings(runInstances, v, readyTimeout, stopGrace, gitConfig, loopVolumes);
    }

    public NotebookSettings withGitConfig(Path v) {
        return new NotebookSettings(runInstances, lifecycleTimeout, readyTimeout, stopGrace, Optional.ofNullable(v), loopVolumes);
    }

    public NotebookSettings withLoopVolumes(boolean v) {
        return new NotebookSettings(runInstances, lifecycleTimeout, readyTimeout, stopGrace, gitConfig, v);
    }
}
