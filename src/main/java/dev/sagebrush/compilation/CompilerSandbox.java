package dev.sagebrush.compilation;

import dev.sagebrush.compilation.toolchain.SandboxedSteps;
import dev.sagebrush.jobs.sandbox.SandboxUnavailableException;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Opens a compilation job's sandboxed steps, turning "this host cannot sandbox" into the job's failure reason. */
public final class CompilerSandbox {
    private CompilerSandbox() {}

    public static SandboxedSteps open(Sandboxes sandboxes, Path workDir) {
        try {
            return SandboxedSteps.open(sandboxes, workDir);
        } catch (SandboxUnavailableException e) {
            throw new CompilationFailure("InternalServerError: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
