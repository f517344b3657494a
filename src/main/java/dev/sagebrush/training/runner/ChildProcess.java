package dev.sagebrush.training.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training process and its output. stdout and stderr are merged at the OS level (one pipe, so the log keeps the
 * order the process wrote in, as a CloudWatch stream does) and appended to the job's log file byte for byte; each line
 * is also handed to a consumer (the metric extractor). Lines longer than {@link #MAX_LINE_BYTES} are handed over in
 * pieces, so a process printing without newlines cannot grow the server's memory.
 *
 * <p>Stopping follows {@code docker stop -t <grace>}: SIGTERM to the process and every descendant, then SIGKILL to
 * whatever is still alive when the grace period ends. Descendants are collected before each signal because a child
 * whose parent died is re-parented and no longer found through the parent.
 */
final class ChildProcess {
    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
    static final int MAX_LINE_BYTES = 64 * 1024;

    private final Process process;
    private final Thread pump;

    private ChildProcess(Process process, Thread pump) {
        this.process = process;
        this.pump = pump;
    }

    static ChildProcess start(List<String> command, Map<String, String> env, Path workDir, Path logFile,
                              Consumer<String> lines) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env);
        OutputStream logOut = Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            logOut.close();
            throw e;
        }
        Thread pump = new Thread(() -> pump(p.getInputStream(), logOut, lines), "training-output-" + p.pid());
        pump.setDaemon(true);
        pump.start();
        return new ChildProcess(p, pump);
    }

    private static void pump(InputStream in, OutputStream logOut, Consumer<String> lines) {
        byte[] buf = new byte[8192];
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        try (in; logOut) {
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

    private static void emit(java.io.ByteArrayOutputStream line, Consumer<String> lines) {
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
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The exit code, once the process has exited and all its output has been read. */
    int exitCode() throws InterruptedException {
        int code = process.waitFor();
        pump.join(5000);
        return code;
    }

    /** SIGTERM now, SIGKILL after {@code grace}; returns when the process is gone. */
    void terminate(Duration grace) throws InterruptedException {
        Set<ProcessHandle> tree = tree();
        tree.forEach(ProcessHandle::destroy);
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            log.info("Training process {} did not exit within {} s of SIGTERM; sending SIGKILL", pid(), grace.toSeconds());
        }
        tree.addAll(tree());
        for (ProcessHandle h : tree) {
            if (h.isAlive()) h.destroyForcibly();
        }
        process.waitFor();
    }

    private Set<ProcessHandle> tree() {
        Set<ProcessHandle> all = new LinkedHashSet<>();
        List<ProcessHandle> descendants = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.addAll(descendants);
        return all;
    }
}
