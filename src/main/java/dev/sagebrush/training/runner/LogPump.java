package dev.sagebrush.training.runner;

import dev.sagebrush.jobs.sandbox.Output;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one training host's output goes, whichever backend runs it: appended to the host's log file byte for byte (in
 * the order written: stdout and stderr share one pipe), and each line handed to a consumer (metric extraction, the
 * CloudWatch stream). Lines longer than {@link #MAX_LINE_BYTES} are handed over in pieces, so a process printing
 * without newlines cannot grow the server's memory.
 */
public final class LogPump implements Output, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogPump.class);
    static final int MAX_LINE_BYTES = 64 * 1024;

    private final OutputStream logOut;
    private final Consumer<String> lines;

    private LogPump(OutputStream logOut, Consumer<String> lines) {
        this.logOut = logOut;
        this.lines = lines;
    }

    /** Opens (creates, 0600) the log file for appending. The pump closes it when the output ends. */
    public static LogPump open(Path logFile, Consumer<String> lines) throws IOException {
        OutputStream out = Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Files.setPosixFilePermissions(logFile, PosixFilePermissions.fromString("rw-------"));
        return new LogPump(out, lines);
    }

    @Override
    public void pump(InputStream in) {
        byte[] buf = new byte[8192];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try (logOut) {
            int n;
            while ((n = in.read(buf)) > 0) {
                logOut.write(buf, 0, n);
                logOut.flush(); // readers of the log (tail -f) see output as it happens
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n' || line.size() >= MAX_LINE_BYTES) {
                        emit(line);
                        if (buf[i] == '\n') continue;
                    }
                    line.write(buf[i]);
                }
            }
            if (line.size() > 0) emit(line);
        } catch (IOException e) {
            log.debug("Training output pump ended: {}", e.getMessage());
        }
    }

    private void emit(ByteArrayOutputStream line) {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (s.endsWith("\r")) s = s.substring(0, s.length() - 1);
        try {
            lines.accept(s);
        } catch (RuntimeException e) {
            log.warn("Output line consumer failed", e);
        }
    }

    /** Closes the log when the pump never ran (the process did not start). */
    @Override
    public void close() {
        try {
            logOut.close();
        } catch (IOException ignored) {
            // nothing was written
        }
    }
}
