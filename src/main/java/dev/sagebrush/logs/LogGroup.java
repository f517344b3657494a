package dev.sagebrush.logs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    private LogGroup(Path dir, String name, long creationTime, long maxStreamBytes) {
        this.dir = dir;
        this.name = name;
        this.creationTime = creationTime;
        this.maxStreamBytes = maxStreamBytes;
    }

    static LogGroup create(Path dir, String name, long creationTime, long maxStreamBytes) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(META + ".tmp");
        Files.writeString(tmp, name + "\n" + creationTime + "\n", StandardCharsets.UTF_8);
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(META), StandardCopyOption.ATOMIC_MOVE);
        LogFiles.syncDirectory(dir);
        LogFiles.syncDirectory(dir.getParent());
        return new LogGroup(dir, name, creationTime, maxStreamBytes);
    }

    /** Loads a group directory and its streams; empty when the directory is not a complete group. */
    static Optional<LogGroup> load(Path dir, long maxStreamBytes) {
        Path meta = dir.resolve(META);
        if (!Files.isRegularFile(meta)) return Optional.empty();
        try {
            String[] lines = Files.readString(meta, StandardCharsets.UTF_8).split("\n");
            LogGroup g = new LogGroup(dir, lines[0], Long.parseLong(lines[1].trim()), maxStreamBytes);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + STREAM_SUFFIX)) {
                for (Path f : files) {
                    try {
                        LogStream s = LogStream.open(f, maxStreamBytes);
                        g.streams.put(s.name(), s);
                    } catch (IOException e) {
                        log.warn("Skipping unreadable log stream file {}: {}", f, e.getMessage());
                    }
                }
            }
            return Optional.of(g);
        } catch (IOException | RuntimeException e) {
            log.warn("Skipping unreadable log group {}: {}", dir, e.getMessage());
            return Optional.empty();
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
            s = LogStream.create(dir.resolve(LogFiles.fileName(streamName) + STREAM_SUFFIX), streamName, now,
                    maxStreamBytes);
            streams.put(streamName, s);
        }
        return s;
    }

    long storedBytes() {
        long total = 0;
        for (LogStream s : streams.values()) total += s.snapshot().length();
        return total;
    }
}
