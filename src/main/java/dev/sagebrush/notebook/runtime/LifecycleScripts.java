package dev.sagebrush.notebook.runtime;

import dev.sagebrush.jobs.ProcessTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Runs a lifecycle script as AWS does: as root (whatever RootAccess says: root inside the instance's user namespace,
 * never host root, see {@link Sandbox}), from {@code /}, with AWS's documented PATH,
 * under a hard time limit (5 minutes), before Jupyter starts so that configuration changes need no restart. Output is
 * appended to {@code logs/LifecycleConfigOnCreate.log} or {@code ...OnStart.log} (AWS's CloudWatch stream names).
 *
 * <p>{@code timeout} kills the script's process group when the limit passes. Background jobs a successful script
 * started ({@code nohup ... &}) keep running, as AWS users expect; they sit in the instance's cgroup and die with it at
 * Stop (killed by uid, see {@link InstanceProcesses}).
 */
final class LifecycleScripts {
    private LifecycleScripts() {}

    enum Hook {
        ON_CREATE("OnCreate"), ON_START("OnStart");
        final String label;
        Hook(String label) { this.label = label; }
    }

    /** How a script is started: where its file is as the script sees it, and the command that runs it there. */
    interface Launcher {
        /** Makes the script readable where it will run; returns its path as the script's shell will see it. */
        String place(Path scriptFile) throws IOException;

        /** The full command: sandbox (or not), then {@code command}. */
        List<String> command(Path scriptFile, List<String> command);

        /** Volume, home and user as the script sees them. */
        JupyterCommand.Paths paths();

        String user();
    }

    static void run(Hook hook, String script, InstanceSpec spec, InstanceLayout l, Launcher launcher, Duration limit)
            throws RuntimeFailure, IOException {
        Path file = l.meta().resolve("lifecycle-" + hook.label + ".sh");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        String inside = launcher.place(file);
        Path log = l.logs().resolve("LifecycleConfig" + hook.label + ".log");
        Files.writeString(log, "=== " + Instant.now() + " " + hook.label + " of " + spec.name() + " ===\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        // timeout(1) is outside the sandbox: the script cannot stop it from enforcing the limit.
        List<String> cmd = new ArrayList<>(List.of("timeout", "--kill-after=5s",
                String.format(java.util.Locale.ROOT, "%.3fs", limit.toMillis() / 1000.0)));
        cmd.addAll(launcher.command(file, List.of("/bin/bash", inside)));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of("/").toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().clear();
        pb.environment().putAll(spec.callback());
        pb.environment().putAll(Map.of(
                "PATH", "/usr/local/sbin:/usr/local/bin:/usr/bin:/usr/sbin:/sbin:/bin",
                "LANG", "C.UTF-8", "HOME", launcher.paths().home(), "SHELL", "/bin/bash",
                "SM_NOTEBOOK_INSTANCE_NAME", spec.name(),
                "SM_NOTEBOOK_INSTANCE_ARN", spec.arn(),
                "SM_VOLUME", launcher.paths().volume(),
                "SM_USER", launcher.user(),
                "SM_HOME", launcher.paths().home()));
        int rc;
        Process p = null;
        try {
            p = pb.start();
            // timeout(1) enforces the limit; this wait is only a backstop should timeout itself hang.
            rc = ProcessTree.awaitOrKill(p, limit.plusSeconds(30)) ? p.exitValue() : 124;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // awaitOrKill has killed the script's tree
            throw new RuntimeFailure("Interrupted while running the lifecycle script " + hook.label);
        }
        Files.writeString(log, "=== exit code " + rc + " ===\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        if (rc != 0) {
            // AWS's FailureReason, word for word (quoted from real ones). AWS gives the same text when a script exits
            // non-zero (seen for "bad interpreter" and "command not found" failures), so Sagebrush does too; the
            // exit code is in the log. The limit is spelled out as configured (5 minutes unless shortened).
            LoggerFactory.getLogger(LifecycleScripts.class).warn("Lifecycle script {} of notebook instance {} {}; see {}",
                    hook.label, spec.name(), rc == 124 || rc == 137 ? "ran past " + words(limit) : "exited with code " + rc, log);
            throw new RuntimeFailure("Notebook Instance Lifecycle Config '" + spec.lifecycle().configArn()
                    + "' for Notebook Instance '" + spec.arn() + "' took longer than " + words(limit) + ". Please check "
                    + "your CloudWatch logs for more details if your Notebook Instance has Internet access.");
        }
    }

    static String words(Duration d) {
        long s = d.toSeconds();
        if (s > 0 && s % 60 == 0) return (s / 60) + (s == 60 ? " minute" : " minutes");
        if (d.toMillis() % 1000 != 0) return d.toMillis() + " milliseconds";
        return s + (s == 1 ? " second" : " seconds");
    }
}
