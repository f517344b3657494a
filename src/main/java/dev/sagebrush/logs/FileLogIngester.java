package dev.sagebrush.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies log files that another component writes (a notebook instance's {@code jupyter.log} and lifecycle script
 * logs) into log streams, line by line, as they grow: the producer needs no hook. Each file's ingested length is kept
 * beside the log store's files ({@code <data>/logs/ingest/}), written after its lines are appended, so a restart
 * resumes where it left off (a crash between the two may repeat the lines of the last second). A file that shrank was
 * started afresh, and is read again from its beginning. A partial last line waits for its newline.
 */
public final class FileLogIngester implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FileLogIngester.class);
    static final int MAX_READ_PER_PASS = 4 << 20;

    /** One file and the stream its lines go to. */
    public record Source(String account, String region, String group, String stream, Path file) {}

    private final LogStore store;
    private final Supplier<List<Source>> sources;
    private final Path offsets;
    private final Clock clock;
    private final Map<Source, Long> ingested = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    public FileLogIngester(LogStore store, Supplier<List<Source>> sources, Path offsetsDir, Clock clock,
                           Duration interval) throws IOException {
        this.store = store;
        this.sources = sources;
        this.offsets = Files.createDirectories(offsetsDir);
        this.clock = clock;
        this.thread = new Thread(() -> loop(interval), "log-file-ingester");
        thread.setDaemon(true);
    }

    public FileLogIngester start() {
        thread.start();
        return this;
    }

    private void loop(Duration interval) {
        while (!closed) {
            try {
                Thread.sleep(interval.toMillis());
                passOnce();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("Log file ingestion failed: {}", e.getMessage());
            }
        }
    }

    /** Appends what each source file gained since the last pass. */
    synchronized void passOnce() {
        Set<Source> seen = new HashSet<>();
        for (Source s : sources.get()) {
            seen.add(s);
            try {
                ingest(s);
            } catch (IOException e) {
                log.debug("Cannot ingest {}: {}", s.file(), e.getMessage());
            }
        }
        ingested.keySet().retainAll(seen);
    }

    private void ingest(Source s) throws IOException {
        // Never follow a link or open a FIFO: the file's directory is the runtime's, but a file it names must not
        // become a way to publish another file into a log stream.
        if (!Files.isRegularFile(s.file(), LinkOption.NOFOLLOW_LINKS)) return;
        Path offsetFile = offsets.resolve(LogFiles.fileName(s.account() + "\0" + s.region() + "\0" + s.group() + "\0"
                + s.stream()));
        long from = ingested.computeIfAbsent(s, k -> readOffset(offsetFile));
        byte[] chunk;
        try (SeekableByteChannel f = Files.newByteChannel(s.file(), StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)) {
            long size = f.size();
            if (size < from) from = 0; // the file was started afresh
            if (size == from) return;
            chunk = new byte[(int) Math.min(size - from, MAX_READ_PER_PASS)];
            f.position(from);
            ByteBuffer buf = ByteBuffer.wrap(chunk);
            while (buf.hasRemaining() && f.read(buf) > 0) {
                // read what the file has
            }
            if (buf.hasRemaining()) chunk = java.util.Arrays.copyOf(chunk, buf.position());
        }
        int end = chunk.length;
        while (end > 0 && chunk[end - 1] != '\n') end--;
        if (end == 0 && chunk.length < MAX_READ_PER_PASS) return; // only a partial line so far
        if (end == 0) end = chunk.length; // one enormous line: store it in pieces
        try (LogSink sink = store.sink(s.account(), s.region(), s.group(), s.stream())) {
            long now = clock.millis();
            int start = 0;
            for (int i = 0; i < end; i++) {
                if (chunk[i] == '\n' || i == end - 1) {
                    int stop = chunk[i] == '\n' ? i : i + 1;
                    if (stop > start && chunk[stop - 1] == '\r') stop--;
                    sink.append(now, new String(chunk, start, Math.max(0, stop - start), StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
        }
        long next = from + end;
        ingested.put(s, next);
        Files.writeString(offsetFile, Long.toString(next));
    }

    private static long readOffset(Path file) {
        try {
            return Files.isRegularFile(file) ? Long.parseLong(Files.readString(file).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
