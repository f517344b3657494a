package dev.sagebrush.training.runner;

import dev.sagebrush.jobs.sandbox.SandboxSpec;
import dev.sagebrush.jobs.sandbox.SandboxedProcess;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training process, in its sandbox, and its output. stdout and stderr are merged at the OS level (one pipe, so
 * the log keeps the order the process wrote in, as a CloudWatch stream does) and appended to the job's log file byte
 * for byte; each line is also handed to a consumer (the metric extractor). Lines longer than {@link #MAX_LINE_BYTES}
 * are handed over in pieces, so a process printing without newlines cannot grow the server's memory.
 *
 * <p>Stopping follows {@code docker stop -t <grace>}: SIGTERM to every process of the sandbox, then SIGKILL to
 * whatever is still alive when the grace period ends ({@link SandboxedProcess#terminate}).
 */
final class ChildProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
    static final int MAX_LINE_BYTES = 64 * 1024;

    private final SandboxedProcess process;

    private ChildProcess(SandboxedProcess process) {
        this.process = process;
    }

    static ChildProcess start(Sandboxes sandboxes, SandboxSpec spec, Path logFile, Consumer<String> lines)
            throws IOException {
        OutputStream logOut = Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Files.setPosixFilePermissions(logFile, PosixFilePermissions.fromString("rw-------"));
        try {
            return new ChildProcess(sandboxes.start(spec, in -> pump(in, logOut, lines)));
        } catch (IOException | RuntimeException e) {
            logOut.close();
            throw e;
        }
    }

    private static void pump(InputStream in, OutputStream logOut, Consumer<String> lines) {
        byte[] buf = new byte[8192];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try (logOut) {
            int n;
            while ((n = in.read(buf)) > 0) {
                logOut.write(buf, 0, n);
                logOut.flush(); // readers of the log (tail -f) see output as it happens
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n' || line.size() >= MAX_LINE_BYTES) {
                        emit(line, lines);
                        if (buf[i] == '\n') continue;
                    }
                    line.write(buf[i]);
                }
            }
            if (line.size() > 0) emit(line, lines);
        } catch (IOException e) {
            log.debug("Training output pump ended: {}", e.getMessage());
        }
    }

    private static void emit(ByteArrayOutputStream line, Consumer<String> lines) {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (s.endsWith("\r")) s = s.substring(0, s.length() - 1);
        try {
            lines.accept(s);
        } catch (RuntimeException e) {
            log.warn("Output line consumer failed", e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** Waits up to {@code timeout}; true when the process has exited. */
    boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout);
    }

    /** The exit code, once the process has exited and all its output has been read. */
    int exitCode() throws InterruptedException {
        return process.exitCode();
    }

    /** True when the sandbox's memory limit was hit. */
    boolean memoryExceeded() {
        return process.memoryExceeded();
    }

    /** SIGTERM now, SIGKILL after {@code grace}; returns when every process of the sandbox is gone. */
    void terminate(Duration grace) throws InterruptedException {
        process.terminate(grace);
    }

    @Override
    public void close() {
        process.close();
    }
}
