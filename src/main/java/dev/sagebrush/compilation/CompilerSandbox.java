package dev.sagebrush.compilation;

import dev.sagebrush.compilation.toolchain.SandboxedSteps;
import dev.sagebrush.jobs.sandbox.SandboxUnavailableException;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a compilation job's sandboxed steps, turning "this host cannot sandbox" into the job's failure reason, and
 * gives the server directories of its own for what it writes after a step has run.
 *
 * <p>Why: once a step has run, the sandbox's uid owns the job's work directory and may have left a symbolic link at any
 * name in it ({@code artifact.tar.gz -> /etc/...}). The server (root) therefore never writes into the work directory
 * after the first step; it writes into a fresh directory beside it, in the work root that no sandbox sees.
 */
public final class CompilerSandbox {
    private CompilerSandbox() {}

    /** A new, empty directory only the server can reach, beside {@code workDir}; remove it with {@link #delete}. */
    public static Path serverDir(Path workDir, String purpose) throws IOException {
        Path parent = workDir.toAbsolutePath().normalize().getParent();
        return Files.createTempDirectory(parent, "." + workDir.getFileName() + "-" + purpose + "-");
    }

    /** Makes a server directory readable to a sandbox it is bound into read-only (dirs 0755, files 0644). */
    public static void shareReadOnly(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isSymbolicLink(p)) continue;
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
                        Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    /** Removes a directory tree without following links (best effort: the start-up sweep catches the rest). */
    public static void delete(Path dir) {
        if (dir == null || !Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // removed when the server starts again
        }
    }

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
