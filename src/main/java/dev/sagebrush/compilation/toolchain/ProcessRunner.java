package dev.sagebrush.compilation.toolchain;

import dev.sagebrush.jobs.ProcessTree;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs a child process with a timeout and captures its combined stdout/stderr, capped in size.
 *
 * <p>Why a child process: gcc and qemu are heavy or run untrusted input; a crash or a runaway must never take the
 * server JVM with it. Why the cap: a pathological compile can print megabytes of diagnostics; we keep the head
 * (where the first error is) and count the rest. On timeout the whole process tree is killed, descendants first,
 * because gcc forks cc1/as/collect2 and killing only the driver would leave them running.
 */
public final class ProcessRunner {
    /** Default cap on captured output. */
    public static final int DEFAULT_OUTPUT_CAP = 64 * 1024;

    /** Outcome of one run. {@code exitCode} is -1 when the process was killed on timeout. */
    public record Result(List<String> command, int exitCode, boolean timedOut, String output, long outputBytesDropped,
                         Duration elapsed) {
        public boolean ok() { return !timedOut && exitCode == 0; }

        /** The command as one shell-like line, for logs and manifests. */
        public String commandLine() { return String.join(" ", command); }
    }

    private ProcessRunner() { }

    public static Result run(List<String> command, Path workDir, Duration timeout) throws IOException {
        return run(command, workDir, timeout, DEFAULT_OUTPUT_CAP);
    }

    public static Result run(List<String> command, Path workDir, Duration timeout, int outputCap) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        // A deterministic locale keeps gcc diagnostics parseable and free of translated quotes.
        pb.environment().put("LC_ALL", "C");
        long start = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        CappedReader reader = new CappedReader(p.getInputStream(), outputCap);
        Thread t = new Thread(reader, "proc-output-" + p.pid());
        t.setDaemon(true);
        t.start();
        boolean finished;
        try {
            finished = ProcessTree.awaitOrKill(p, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the tree is killed
            throw new IOException("interrupted while running " + command.get(0), e);
        }
        try {
            // The pipe closes once every process holding it has exited; bound the wait anyway.
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        return new Result(List.copyOf(command), finished ? p.exitValue() : -1, !finished, reader.text(),
                reader.dropped(), elapsed);
    }

    private static final class CappedReader implements Runnable {
        private final InputStream in;
        private final int cap;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private long dropped;

        CappedReader(InputStream in, int cap) {
            this.in = in;
            this.cap = cap;
        }

        @Override
        public void run() {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    synchronized (this) {
                        int keep = Math.max(0, Math.min(n, cap - buf.size()));
                        buf.write(chunk, 0, keep);
                        dropped += n - keep;
                    }
                }
            } catch (IOException ignored) {
                // The process was killed and the pipe broke: what we have is what we report.
            }
        }

        synchronized String text() {
            String s = buf.toString(StandardCharsets.UTF_8);
            return dropped > 0 ? s + "\n[... " + dropped + " more bytes of output dropped]" : s;
        }

        synchronized long dropped() { return dropped; }
    }
}
