package dev.sagebrush.compilation.toolchain;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How one compiler step (gcc, a target binary natively or under qemu-user, the ONNX Runtime child) is run. Jobs run
 * every step in a sandbox ({@link SandboxedSteps}); {@link #HOST} runs it as a plain child process of the caller, for
 * tests and benchmarks of trusted fixtures only.
 */
@FunctionalInterface
public interface StepRunner {
    /** Runs {@code command} in {@code workDir}; a timeout kills the whole step. Interrupts kill it too. */
    ProcessRunner.Result run(List<String> command, Path workDir, Duration timeout) throws IOException;

    /** Unsandboxed: the step runs as the calling process's user with its whole file system. Trusted input only. */
    StepRunner HOST = ProcessRunner::run;
}
