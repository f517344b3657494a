package dev.sagebrush.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs short host commands (useradd, mount, git, podman network create, ...) as the server, with a clean environment
 * (a fixed PATH, nothing of the server's own) and a deadline.
 */
public final class Commands {
    private Commands() {}

    public record Result(int exitCode, String output, boolean timedOut) {
        public boolean ok() {
            return exitCode == 0 && !timedOut;
        }
    }

    public static final Map<String, String> BASE_ENV = Map.of(
            "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG", "C.UTF-8");

    public static Result run(List<String> command, Duration timeout) {
        return run(command, Map.of(), null, timeout);
    }

    /** Runs {@code command}; output (stdout and stderr) is captured, at most the last 64 KiB kept. */
    public static Result run(List<String> command, Map<String, String> extraEnv, Path cwd, Duration timeout) {
        Path out = null;
        try {
            out = Files.createTempFile("sagebrush-cmd", ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().clear();
            pb.environment().putAll(BASE_ENV);
            pb.environment().putAll(extraEnv);
            if (cwd != null) pb.directory(cwd.toFile());
            Process p = pb.start();
            // Interrupted (a server shutdown), the command is killed too: a git clone must not outlive the server.
            boolean done = ProcessTree.awaitOrKill(p, timeout);
            return new Result(done ? p.exitValue() : -1, tail(out, 64 * 1024), !done);
        } catch (IOException e) {
            return new Result(-1, e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted", false);
        } finally {
            if (out != null) out.toFile().delete();
        }
    }

    /** The last {@code max} bytes of a file, as text; empty when it cannot be read. */
    public static String tail(Path file, int max) {
        try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(file)) {
            long from = Math.max(0, ch.size() - max); // a job's log can be large: read only its end
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (ch.size() - from));
            ch.position(from);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // fill
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The last {@code lines} lines of a text, for FailureReasons (which AWS caps at 1024 characters). */
    public static String lastLines(String text, int lines) {
        String[] all = text.strip().split("\n");
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }

    public static boolean onPath(String program) {
        for (String dir : BASE_ENV.get("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }
}
