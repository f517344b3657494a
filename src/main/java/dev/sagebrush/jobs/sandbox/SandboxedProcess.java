package dev.sagebrush.jobs.sandbox;

import dev.sagebrush.jobs.ProcessTree;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor of one sandbox: waits with a deadline, stops politely (SIGTERM to every process of the sandbox, then
 * SIGKILL after a grace period, as {@code docker stop -t}), or kills at once. Killing reaches the whole sandbox: the
 * cgroup's members, bwrap and its descendants; and because the workload is in its own pid namespace whose init is
 * bwrap, nothing survives bwrap's init. Always close it (try-with-resources): closing kills what is left and removes
 * the cgroup.
 */
public final class SandboxedProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SandboxedProcess.class);

    /**
     * What a sandboxed run did.
     *
     * @param exitCode       the workload's exit code (128 + signal when killed); -1 when killed on timeout
     * @param memoryExceeded the memory limit was hit and the kernel killed a process of the sandbox
     */
    public record Result(List<String> command, int exitCode, boolean timedOut, boolean memoryExceeded, String output,
                         Duration elapsed) {
        public boolean ok() { return !timedOut && exitCode == 0; }

        /** The workload's own command as one line (the launch wrapper left out), for logs and manifests. */
        public String commandLine() { return String.join(" ", command); }
    }

    private final Process process;
    private final SandboxSpec spec;
    private final List<String> argv;
    private final Cgroup cgroup;
    private final Output output;
    private final Thread pump;
    private final long startNanos;
    private volatile boolean killed;

    private SandboxedProcess(Process process, SandboxSpec spec, List<String> argv, Cgroup cgroup, Output output,
                             long startNanos) {
        this.process = process;
        this.spec = spec;
        this.argv = argv;
        this.cgroup = cgroup;
        this.output = output;
        this.startNanos = startNanos;
        this.pump = new Thread(() -> {
            try (var in = process.getInputStream()) {
                output.pump(in);
            } catch (IOException e) {
                log.debug("Sandbox {} output ended: {}", spec.name(), e.getMessage());
            }
        }, "sandbox-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    static SandboxedProcess start(ProcessBuilder pb, SandboxSpec spec, List<String> argv, Cgroup cgroup, Output output)
            throws IOException {
        long t0 = System.nanoTime();
        Process p = pb.start();
        return new SandboxedProcess(p, spec, argv, cgroup, output, t0);
    }

    public long pid() { return process.pid(); }

    public SandboxSpec spec() { return spec; }

    /** The whole launch command line (cgroup entry, prlimit, bwrap, setpriv, env, the workload). */
    public List<String> launchCommand() { return argv; }

    public boolean isAlive() { return process.isAlive(); }

    /** Waits up to {@code timeout}; true when the sandbox has exited. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Waits until the workload exits or {@code timeout} passes (then kills the whole sandbox). Interrupting the
     * waiting thread kills it too, and rethrows.
     */
    public Result await(Duration timeout) throws InterruptedException {
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            kill();
            throw e;
        }
        if (!finished) kill();
        return result(!finished);
    }

    /** The exit code, once the process has exited and its output has been read. */
    public int exitCode() throws InterruptedException {
        int code = process.waitFor();
        pump.join(5_000);
        return code;
    }

    private Result result(boolean timedOut) throws InterruptedException {
        int code = timedOut ? -1 : exitCode();
        if (timedOut) pump.join(5_000);
        String text = output instanceof Output.Capped c ? c.text() : "";
        boolean oom = cgroup != null && cgroup.oomKilled();
        return new Result(spec.command(), code, timedOut, oom, text, Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /** True when the memory limit was hit (the kernel killed a process of the sandbox). */
    public boolean memoryExceeded() {
        return cgroup != null && cgroup.oomKilled();
    }

    /** SIGTERM to every process of the sandbox now, SIGKILL to all after {@code grace}; returns when all are gone. */
    public void terminate(Duration grace) throws InterruptedException {
        // Not bwrap itself: as the namespace's init it would take the workload down with SIGKILL, skipping its grace.
        ProcessTree.stop(process.toHandle(), grace, h -> h.pid() != process.pid());
        killed = true;
        if (cgroup != null) cgroup.killAll();
        if (Thread.interrupted()) throw new InterruptedException("interrupted while stopping sandbox " + spec.name());
    }

    /** SIGKILL to every process of the sandbox; returns once bwrap has exited. */
    public void kill() {
        killed = true;
        Set<ProcessHandle> all = ProcessTree.members(process.toHandle());
        if (cgroup != null) cgroup.killAll();
        ProcessTree.killAll(all, process.toHandle());
    }

    public boolean wasKilled() { return killed; }

    @Override
    public void close() {
        if (process.isAlive()) kill();
        if (cgroup != null) cgroup.killAll();
    }
}
