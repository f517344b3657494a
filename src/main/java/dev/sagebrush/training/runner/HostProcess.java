package dev.sagebrush.training.runner;

import java.time.Duration;

/**
 * One training host's running workload, whichever backend started it (a sandboxed process, a container). Its output
 * goes through a {@link LogPump}. Closing it kills what is left of it and frees what it held.
 */
public interface HostProcess extends AutoCloseable {
    /** Waits up to {@code timeout}; true when the workload has exited. */
    boolean waitFor(Duration timeout) throws InterruptedException;

    /** The exit code, once the workload has exited and all its output has been read. */
    int exitCode() throws InterruptedException;

    /** True when the workload hit its memory limit and the kernel killed a process of it. */
    boolean memoryExceeded();

    /** SIGTERM now, SIGKILL after {@code grace} (as {@code docker stop -t}); returns when the workload is gone. */
    void terminate(Duration grace) throws InterruptedException;

    @Override
    void close();
}
