package dev.sagebrush.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's file, parsed, and parsed again when it changes (its modification time or size), so that an edit takes
 * effect without a restart. The file is read at start-up, where a malformed one stops the server (the parser throws
 * {@link IllegalStateException}); a malformed or unreadable edit later keeps the last good value and is logged once
 * per version, until the file is fixed.
 *
 * @param <T> what the file parses to
 */
public final class ReloadingFile<T> {
    private static final Logger log = LoggerFactory.getLogger(ReloadingFile.class);

    private record Version(java.nio.file.attribute.FileTime modified, long size) {}

    /** The version of a file that cannot be read (removed, or no longer readable). */
    private static final Version UNREADABLE = new Version(null, -1);

    private final Path file;
    private final String what;
    private final BiFunction<List<String>, String, T> parser;
    private volatile T value;
    private volatile Version loaded;
    private volatile Version rejected;

    private ReloadingFile(Path file, String what, BiFunction<List<String>, String, T> parser, T value, Version loaded) {
        this.file = file;
        this.what = what;
        this.parser = parser;
        this.value = value;
        this.loaded = loaded;
    }

    /**
     * Reads and parses {@code file} now.
     *
     * @param what   what the file is, for messages ("training image registry")
     * @param parser lines and the file's name to the value; throws IllegalStateException on a malformed file
     * @throws IllegalStateException when the file cannot be read or parsed
     */
    public static <T> ReloadingFile<T> load(Path file, String what, BiFunction<List<String>, String, T> parser) {
        try {
            Version v = version(file);
            return new ReloadingFile<>(file, what, parser, parser.apply(Files.readAllLines(file), file.toString()), v);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** The current value: the file as it is now, or the last good version of it. */
    public T get() {
        Version now;
        try {
            now = version(file);
        } catch (IOException e) {
            reject(UNREADABLE, "Keeping the previous " + what + ": cannot read " + file + ": " + e.getMessage());
            return value;
        }
        if (now.equals(loaded) || now.equals(rejected)) return value;
        synchronized (this) {
            if (now.equals(loaded) || now.equals(rejected)) return value;
            try {
                T fresh = parser.apply(Files.readAllLines(file), file.toString());
                value = fresh;
                loaded = now;
                rejected = null;
                log.info("Reloaded the {} {}", what, file);
            } catch (IOException | RuntimeException e) {
                reject(now, "Keeping the previous " + what + ": " + e.getMessage());
            }
        }
        return value;
    }

    private void reject(Version v, String message) {
        if (Objects.equals(v, rejected)) return;
        rejected = v;
        log.warn(message);
    }

    private static Version version(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new Version(a.lastModifiedTime(), a.size());
    }
}
