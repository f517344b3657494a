package dev.sagebrush.training.runner;

import dev.sagebrush.jobs.sandbox.SandboxSpec;
import dev.sagebrush.jobs.sandbox.SandboxedProcess;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One training process, in its sandbox, and its output. stdout and stderr are merged at the OS level (one pipe, so
 * the log keeps the order the process wrote in, as a CloudWatch stream does) and go through a {@link LogPump}.
 *
 * <p>Stopping follows {@code docker stop -t <grace>}: SIGTERM to every process of the sandbox, then SIGKILL to
 * whatever is still alive when the grace period ends ({@link SandboxedProcess#terminate}).
 */
final class ChildProcess implements HostProcess {
    private final SandboxedProcess process;

    private ChildProcess(SandboxedProcess process) {
        this.process = process;
    }

    static ChildProcess start(Sandboxes sandboxes, SandboxSpec spec, Path logFile, Consumer<String> lines)
            throws IOException {
        LogPump pump = LogPump.open(logFile, lines);
        try {
            return new ChildProcess(sandboxes.start(spec, pump));
        } catch (IOException | RuntimeException e) {
            pump.close();
            throw e;
        }
    }

    long pid() {
        return process.pid();
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout);
    }

    @Override
    public int exitCode() throws InterruptedException {
        return process.exitCode();
    }

    @Override
    public boolean memoryExceeded() {
        return process.memoryExceeded();
    }

    @Override
    public void terminate(Duration grace) throws InterruptedException {
        process.terminate(grace);
    }

    @Override
    public void close() {
        process.close();
    }
}
