package dev.sagebrush.logs;

/**
 * Where a producer (a training process's output pump, a notebook's log file) writes the lines of one log stream.
 * {@link #append} is cheap (a copy into a buffer): lines reach the stream's file within the store's flush interval
 * (readers see them then) and the disk at the next batched fsync. Close it when the producer ends: the rest is
 * written and synced.
 */
public interface LogSink extends AutoCloseable {
    /** Appends one line (without its newline) that happened at {@code timestampMillis}. */
    void append(long timestampMillis, String line);

    @Override
    void close();

    /** A sink that stores nothing, for producers that run without a log store (unit tests). */
    LogSink NONE = new LogSink() {
        @Override
        public void append(long timestampMillis, String line) {}

        @Override
        public void close() {}
    };
}
