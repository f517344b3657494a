package dev.sagebrush.metrics;

import dev.sagebrush.storage.AccountDirectories;
import dev.sagebrush.storage.PeriodicSync;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CloudWatch metric datapoints per account and region: in memory for queries, and in one append-only file per
 * producer (a training job's run) under {@code <data>/metrics/<account>/<region>/}, read back at start. Records are
 * {@code [short key length][key UTF-8][long epoch millis][double value]} where the key names the metric and its
 * dimensions; a torn last record from a crash is ignored. Files are synced by the flusher every
 * {@link #FLUSH_INTERVAL}, like the log store.
 *
 * <p>Nodes of a cluster may share the root directory (docs/cluster.md). Every file has one writer, the node running
 * the producer (a file is named after one run of a job), so nodes never write one file together; each node reads the
 * files it does not write itself up to their last complete record, and on reads at most every
 * {@link #DISCOVERY_INTERVAL} reads what they gained since.
 */
public final class MetricStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricStore.class);
    public static final Duration FLUSH_INTERVAL = Duration.ofMillis(500);
    /** A producer stops recording past this many points per file (a hostile job printing metric lines forever). */
    static final long MAX_POINTS_PER_WRITER = 5_000_000;
    /** How stale a node's view of the datapoints another node writes may be: with the flush, under 1 s. */
    static final Duration DISCOVERY_INTERVAL = Duration.ofMillis(250);

    private final Path root;
    private final ConcurrentHashMap<String, Scope> scopes = new ConcurrentHashMap<>();
    private final List<Writer> writers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final PeriodicSync flusher;

    /** A metric and its datapoints. */
    record Entry(MetricKey key, MetricSeries series) {}

    public MetricStore(Path root) throws IOException {
        this.root = Files.createDirectories(root);
        this.flusher = new PeriodicSync("metric-store-flusher", FLUSH_INTERVAL, () -> writers.forEach(Writer::sync));
    }

    /** Records datapoints of one producer into {@code fileName} (a name unique to the producer's run). */
    public Writer writer(String account, String region, String fileName) throws IOException {
        Scope scope = scope(account, region);
        Files.createDirectories(scope.dir);
        String name = fileName + ".points";
        scope.startWriting(name);
        try {
            Writer w = new Writer(scope, name, FileChannel.open(scope.dir.resolve(name), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND));
            writers.add(w);
            return w;
        } catch (IOException | RuntimeException e) {
            scope.stopWriting(name, 0);
            throw e;
        }
    }

    /** Appends datapoints to memory and (buffered) to the producer's file. */
    public final class Writer implements AutoCloseable {
        private final Scope scope;
        private final String fileName;
        private final ConcurrentSkipListMap<String, Entry> metrics;
        private final FileChannel file;
        private ByteBuffer pending = ByteBuffer.allocate(8192);
        private long points;

        private Writer(Scope scope, String fileName, FileChannel file) {
            this.scope = scope;
            this.fileName = fileName;
            this.metrics = scope.metrics;
            this.file = file;
        }

        public synchronized void put(MetricKey key, long timeMillis, double value) {
            if (points++ >= MAX_POINTS_PER_WRITER) return;
            String k = encode(key);
            byte[] kb = k.getBytes(StandardCharsets.UTF_8);
            if (kb.length > Short.MAX_VALUE) return;
            entry(metrics, key, k).series().add(timeMillis, value);
            if (pending.remaining() < 2 + kb.length + 16) {
                flushBuffer();
                if (pending.capacity() < 2 + kb.length + 16) pending = ByteBuffer.allocate(2 + kb.length + 16);
            }
            pending.putShort((short) kb.length).put(kb).putLong(timeMillis).putDouble(value);
        }

        private void flushBuffer() {
            try {
                pending.flip();
                while (pending.hasRemaining()) file.write(pending);
                pending.clear();
            } catch (IOException e) {
                pending.clear();
                log.warn("Writing metric datapoints failed: {}", e.getMessage());
            }
        }

        synchronized void sync() {
            flushBuffer();
            try {
                if (file.isOpen()) file.force(false);
            } catch (IOException e) {
                log.warn("Syncing metric datapoints failed: {}", e.getMessage());
            }
        }

        @Override
        public void close() {
            sync();
            writers.remove(this);
            long size = 0;
            try {
                size = file.size();
                file.close();
            } catch (IOException ignored) {
                // nothing left to lose: it was synced
            }
            scope.stopWriting(fileName, size); // its points are in memory already: never read them back
        }
    }

    /** Every metric of the account in the region. */
    public List<Entry> metrics(String account, String region) {
        return new ArrayList<>(scope(account, region).current().values());
    }

    public java.util.Optional<MetricSeries> series(String account, String region, MetricKey key) {
        Entry e = scope(account, region).current().get(encode(key));
        return e == null ? java.util.Optional.empty() : java.util.Optional.of(e.series());
    }

    private static Entry entry(ConcurrentSkipListMap<String, Entry> metrics, MetricKey key, String k) {
        return metrics.computeIfAbsent(k, x -> new Entry(key, new MetricSeries()));
    }

    /** namespace, name, then name=value per dimension, separated by NUL (which no CloudWatch name may contain). */
    static String encode(MetricKey key) {
        StringBuilder b = new StringBuilder(key.namespace()).append('\0').append(key.name());
        for (Map.Entry<String, String> d : key.dimensions().entrySet()) {
            b.append('\0').append(d.getKey()).append('\0').append(d.getValue());
        }
        return b.toString();
    }

    static MetricKey decode(String k) {
        String[] p = k.split("\0", -1);
        Map<String, String> dims = new java.util.TreeMap<>();
        for (int i = 2; i + 1 < p.length; i += 2) dims.put(p[i], p[i + 1]);
        return new MetricKey(p[0], p[1], dims);
    }

    private Scope scope(String account, String region) {
        return scopes.computeIfAbsent(account + "/" + region,
                k -> new Scope(AccountDirectories.of(root, account, region, "metric store")));
    }

    /**
     * One account's metrics in one region: the points of this node's writers as they are put, and those of every
     * other file (written earlier, or now by another node) read up to where they were read last.
     */
    static final class Scope {
        final Path dir;
        final ConcurrentSkipListMap<String, Entry> metrics = new ConcurrentSkipListMap<>();
        /** Per file: the offset after its last record read into memory. Guarded by this. */
        private final Map<String, Long> readUpTo = new java.util.HashMap<>();
        /** Files this node writes (their points reach memory from the writer). Guarded by this. */
        private final java.util.Set<String> writing = new java.util.HashSet<>();
        private long readAt = Long.MIN_VALUE;

        Scope(Path dir) {
            this.dir = dir;
        }

        synchronized void startWriting(String fileName) {
            current(); // what a previous run of this producer wrote is read first, not skipped
            writing.add(fileName);
        }

        synchronized void stopWriting(String fileName, long size) {
            writing.remove(fileName);
            readUpTo.merge(fileName, size, Math::max);
        }

        /** The metrics, after reading what the files gained if the last look is older than the interval. */
        synchronized ConcurrentSkipListMap<String, Entry> current() {
            long now = System.nanoTime();
            if (readAt != Long.MIN_VALUE && now - readAt < DISCOVERY_INTERVAL.toNanos()) return metrics;
            readAt = now;
            if (!Files.isDirectory(dir)) return metrics;
            // In name order: the files of one job's runs (<job>-<start second>) are read oldest first, so a series
            // that several runs fed (a job resumed on another node) stays in time order.
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.points")) {
                entries.forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            files.sort(java.util.Comparator.comparing(f -> f.getFileName().toString()));
            try {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (writing.contains(name)) continue;
                    long from = readUpTo.getOrDefault(name, 0L);
                    if (Files.size(f) <= from) continue;
                    readUpTo.put(name, readFrom(f, from, metrics));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return metrics;
        }
    }

    /** Reads the complete records of {@code file} from {@code from} into {@code metrics}; the offset after them. */
    private static long readFrom(Path file, long from, ConcurrentSkipListMap<String, Entry> metrics) throws IOException {
        long at = from;
        try (InputStream raw = Files.newInputStream(file)) {
            raw.skipNBytes(from);
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16));
            while (true) {
                int len = in.readShort();
                if (len < 0) break;
                byte[] kb = in.readNBytes(len);
                if (kb.length < len) break;
                long t = in.readLong();
                double v = in.readDouble();
                String k = new String(kb, StandardCharsets.UTF_8);
                entry(metrics, decode(k), k).series().add(t, v);
                at += 2 + len + 16;
            }
        } catch (EOFException e) {
            // an incomplete last record: a crash mid-write, or the writer's next flush still in progress
        }
        return at;
    }

    @Override
    public void close() {
        flusher.close();
        for (Writer w : writers) w.close();
    }
}
