package dev.sagebrush.logs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One log group: a directory with a {@code group} file (name, creation time) and one file per stream. */
public final class LogGroup {
    private static final Logger log = LoggerFactory.getLogger(LogGroup.class);
    private static final String META = "group";
    private static final String STREAM_SUFFIX = ".events";

    private final Path dir;
    private final String name;
    private final long creationTime;
    private final long maxStreamBytes;
    private final ConcurrentSkipListMap<String, LogStream> streams = new ConcurrentSkipListMap<>();
    /** File names of the streams opened so far. Guarded by this. */
    private final java.util.Set<String> known = new java.util.HashSet<>();

    private LogGroup(Path dir, String name, long creationTime, long maxStreamBytes) {
        this.dir = dir;
        this.name = name;
        this.creationTime = creationTime;
        this.maxStreamBytes = maxStreamBytes;
    }

    /** Creates the group's directory and metadata, or loads them when another node has created the group. */
    static LogGroup create(Path dir, String name, long creationTime, long maxStreamBytes) throws IOException {
        Files.createDirectories(dir);
        Path meta = dir.resolve(META);
        if (!Files.isRegularFile(meta)) {
            Path tmp = LogFiles.uniqueTemporary(meta);
            Files.writeString(tmp, name + "\n" + creationTime + "\n", StandardCharsets.UTF_8);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            LogFiles.publishOnce(tmp, meta);
            LogFiles.syncDirectory(dir.getParent());
        }
        return load(dir, maxStreamBytes).orElseThrow(() -> new IOException("unreadable log group " + dir));
    }

    /** Loads a group directory and its streams; empty when the directory is not a complete group. */
    static Optional<LogGroup> load(Path dir, long maxStreamBytes) {
        Path meta = dir.resolve(META);
        if (!Files.isRegularFile(meta)) return Optional.empty();
        try {
            String[] lines = Files.readString(meta, StandardCharsets.UTF_8).split("\n");
            LogGroup g = new LogGroup(dir, lines[0], Long.parseLong(lines[1].trim()), maxStreamBytes);
            g.discoverStreams();
            return Optional.of(g);
        } catch (IOException | RuntimeException e) {
            log.warn("Skipping unreadable log group {}: {}", dir, e.getMessage());
            return Optional.empty();
        }
    }

    /** Opens the stream files that appeared since the last look (created by another node sharing the directory). */
    synchronized void discoverStreams() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + STREAM_SUFFIX)) {
            for (Path f : files) {
                String fileName = f.getFileName().toString();
                if (known.contains(fileName)) continue;
                try {
                    LogStream s = LogStream.open(f, maxStreamBytes);
                    streams.putIfAbsent(s.name(), s);
                    known.add(fileName);
                } catch (IOException e) {
                    log.warn("Skipping unreadable log stream file {}: {}", f, e.getMessage());
                }
            }
        }
    }

    public String name() {
        return name;
    }

    public long creationTime() {
        return creationTime;
    }

    Collection<LogStream> streams() {
        return streams.values();
    }

    /** Streams whose names start with {@code prefix}, in name order. */
    Collection<LogStream> streamsFrom(String prefix) {
        return streams.tailMap(prefix, true).values();
    }

    Optional<LogStream> stream(String streamName) {
        return Optional.ofNullable(streams.get(streamName));
    }

    synchronized LogStream streamForAppend(String streamName, long now) throws IOException {
        LogStream s = streams.get(streamName);
        if (s == null) {
            discoverStreams(); // another node may have created it
            s = streams.get(streamName);
        }
        if (s == null) {
            String fileName = LogFiles.fileName(streamName) + STREAM_SUFFIX;
            s = LogStream.create(dir.resolve(fileName), streamName, now, maxStreamBytes);
            streams.put(streamName, s);
            known.add(fileName);
        }
        return s;
    }

    long storedBytes() {
        long total = 0;
        for (LogStream s : streams.values()) total += s.snapshot().length();
        return total;
    }
}
