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
 * @param domain           the wildcard domain of the instances' own origins ({@code <name>.<account>.<region>.<domain>})
 */
public record NotebookSettings(boolean runInstances, Duration lifecycleTimeout, Duration readyTimeout,
                               Duration stopGrace, Optional<Path> gitConfig, boolean loopVolumes, String domain) {

    public NotebookSettings(boolean runInstances, Duration lifecycleTimeout, Duration readyTimeout, Duration stopGrace,
                            Optional<Path> gitConfig, boolean loopVolumes) {
        this(runInstances, lifecycleTimeout, readyTimeout, stopGrace, gitConfig, loopVolumes,
                dev.sagebrush.notebook.proxy.NotebookOrigins.DEFAULT_DOMAIN);
    }

    public static NotebookSettings defaults() {
        return new NotebookSettings(true, Duration.ofMinutes(5), Duration.ofSeconds(60), Duration.ofSeconds(10),
                Optional.empty(), true);
    }

    public NotebookSettings withDomain(String v) {
        return new NotebookSettings(runInstances, lifecycleTimeout, readyTimeout, stopGrace, gitConfig, loopVolumes,
                v == null || v.isBlank() ? dev.sagebrush.notebook.proxy.NotebookOrigins.DEFAULT_DOMAIN : v);
    }

    public NotebookSettings withRunInstances(boolean v) {
        return new NotebookSettings(v, lifecycleTimeout, readyTimeout, stopGrace, gitConfig, loopVolumes, domain);
    }

    public NotebookSettings withLifecycleTimeout(Duration v) {
        return new NotebookSettings(runInstances, v, readyTimeout, stopGrace, gitConfig, loopVolumes, domain);
    }

    public NotebookSettings withGitConfig(Path v) {
        return new NotebookSettings(runInstances, lifecycleTimeout, readyTimeout, stopGrace, Optional.ofNullable(v), loopVolumes, domain);
    }

    public NotebookSettings withLoopVolumes(boolean v) {
        return new NotebookSettings(runInstances, lifecycleTimeout, readyTimeout, stopGrace, gitConfig, v, domain);
    }
}
