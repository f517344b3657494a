package dev.sagebrush.logs;

import dev.sagebrush.storage.AccountDirectories;
import dev.sagebrush.storage.PeriodicSync;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CloudWatch Logs' storage: log groups and streams per account and region under {@code <data>/logs/<account>/
 * <region>/}, each stream an append-only file with a sparse index ({@link LogStream}). Producers write through
 * {@link LogSink}s; one flusher thread moves every open stream's buffer into its file and fsyncs it every
 * {@link #FLUSH_INTERVAL}, so a follower sees a line within that interval and the disk sees it in one fsync per
 * stream per interval, however many lines there were. A crash loses at most the last interval of lines, which no
 * client was told were stored (nothing acknowledges a line to the producer).
 *
 * <p>Nodes of a cluster may share the root directory (docs/cluster.md): a stream is written by one node at a time
 * (its writer lock), and every node discovers the groups and streams the others create by listing the directories
 * again, at most every {@link #DISCOVERY_INTERVAL} on reads, and reads what the writer has added since its last look.
 */
public final class LogStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogStore.class);
    public static final Duration FLUSH_INTERVAL = Duration.ofMillis(200);
    /** How stale a node's list of another node's new groups and streams may be: with the flush, well under 1 s. */
    static final Duration DISCOVERY_INTERVAL = Duration.ofMillis(250);

    /** @param maxStreamBytes a stream stops storing lines past this size (with one event saying so) */
    public record Limits(long maxStreamBytes) {
        public static final Limits DEFAULT = new Limits(1L << 30);
    }

    private final Path root;
    private final Clock clock;
    private final Limits limits;
    private final ConcurrentHashMap<String, Scope> scopes = new ConcurrentHashMap<>();
    private final Set<LogStream> open = ConcurrentHashMap.newKeySet();
    private final PeriodicSync flusher;

    public LogStore(Path root, Clock clock, Limits limits) throws IOException {
        this.root = Files.createDirectories(root);
        this.clock = clock;
        this.limits = limits;
        this.flusher = new PeriodicSync("log-store-flusher", FLUSH_INTERVAL, this::flushAll);
    }

    /** A sink appending to the stream, creating the group and the stream if they do not exist yet. */
    public LogSink sink(String account, String region, String groupName, String streamName) throws IOException {
        LogGroup group = groupForAppend(account, region, groupName);
        LogStream stream = group.streamForAppend(streamName, clock.millis());
        stream.openForAppend();
        open.add(stream);
        return new LogSink() {
            @Override
            public void append(long timestampMillis, String line) {
                try {
                    stream.append(timestampMillis, clock.millis(), line);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void close() {
                open.remove(stream);
                try {
                    stream.closeForAppend();
                } catch (IOException e) {
                    log.warn("Closing log stream {} failed: {}", streamName, e.getMessage());
                }
            }
        };
    }

    /** The account's groups in the region, in name order. */
    public List<LogGroup> groups(String account, String region) {
        return new ArrayList<>(scope(account, region).current().values());
    }

    public Optional<LogGroup> group(String account, String region, String name) {
        return Optional.ofNullable(scope(account, region).current().get(name));
    }

    private LogGroup groupForAppend(String account, String region, String name) throws IOException {
        Scope scope = scope(account, region);
        synchronized (scope) {
            LogGroup g = scope.groups.get(name);
            if (g == null) {
                String dirName = LogFiles.fileName(name);
                g = LogGroup.create(scope.dir.resolve(dirName), name, clock.millis(), limits.maxStreamBytes());
                scope.groups.put(name, g);
                scope.known.add(dirName);
            }
            return g;
        }
    }

    private Scope scope(String account, String region) {
        return scopes.computeIfAbsent(account + "/" + region,
                k -> new Scope(AccountDirectories.of(root, account, region, "log store")));
    }

    /** One account's groups in one region, as far as this node has discovered them in the directory. */
    private final class Scope {
        final Path dir;
        final ConcurrentSkipListMap<String, LogGroup> groups = new ConcurrentSkipListMap<>();
        /** Directory names of the groups loaded so far. Guarded by this. */
        final Set<String> known = new java.util.HashSet<>();
        private long discoveredAt = Long.MIN_VALUE;

        Scope(Path dir) {
            this.dir = dir;
        }

        /** The groups, after looking for new groups and streams if the last look is older than the interval. */
        synchronized ConcurrentSkipListMap<String, LogGroup> current() {
            long now = System.nanoTime();
            if (discoveredAt != Long.MIN_VALUE && now - discoveredAt < DISCOVERY_INTERVAL.toNanos()) return groups;
            discoveredAt = now;
            if (!Files.isDirectory(dir)) return groups;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path d : entries) {
                    String dirName = d.getFileName().toString();
                    if (known.contains(dirName) || !Files.isDirectory(d)) continue;
                    LogGroup.load(d, limits.maxStreamBytes()).ifPresent(g -> {
                        groups.putIfAbsent(g.name(), g);
                        known.add(dirName);
                    });
                }
                for (LogGroup g : groups.values()) g.discoverStreams();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return groups;
        }
    }

    /** Writes and syncs every open stream now. */
    public void flushAll() {
        for (LogStream s : open) {
            try {
                s.sync();
            } catch (IOException e) {
                log.warn("Flushing log stream {} failed: {}", s.name(), e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        flusher.close();
        for (LogStream s : open) {
            try {
                s.closeForAppend();
            } catch (IOException e) {
                log.warn("Closing log stream {} failed: {}", s.name(), e.getMessage());
            }
        }
        open.clear();
    }
}
