package dev.sagebrush.jobs.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Where a sandboxed process's output (stdout and stderr merged in one pipe, in the order written) goes. The supervisor
 * runs {@link #pump(InputStream)} on a thread of its own until the pipe closes, i.e. until every process of the
 * sandbox has exited.
 */
public interface Output {
    void pump(InputStream in) throws IOException;

    /** Keeps the first {@code cap} bytes (where the first error is) and counts the rest. */
    static Capped capped(int cap) {
        return new Capped(cap);
    }

    /** Reads and drops everything (the pipe must still be drained, or the process blocks on a full pipe). */
    static Output discard() {
        return in -> in.transferTo(java.io.OutputStream.nullOutputStream());
    }

    /** The head of the output, in memory. */
    final class Capped implements Output {
        private final int cap;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private long dropped;

        Capped(int cap) {
            this.cap = cap;
        }

        @Override
        public void pump(InputStream in) throws IOException {
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                synchronized (this) {
                    int keep = Math.max(0, Math.min(n, cap - buf.size()));
                    buf.write(chunk, 0, keep);
                    dropped += n - keep;
                }
            }
        }

        public synchronized String text() {
            String s = buf.toString(StandardCharsets.UTF_8);
            return dropped > 0 ? s + "\n[... " + dropped + " more bytes of output dropped]" : s;
        }

        public synchronized long dropped() {
            return dropped;
        }
    }
}
