package dev.sagebrush.training.runner;

import dev.sagebrush.config.ReloadingFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Maps a TrainingImage URI to the local command that plays that image. This is the operator's allow-list: nothing
 * that is not in it runs, and a job's own fields can only add arguments (ContainerArguments), never pick a program.
 *
 * <p>File format, one mapping per line; blank lines and lines starting with {@code #} are ignored:
 * <pre>
 *   123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1.7   /usr/bin/python3 /srv/train/xgb.py
 *   registry.example.com/team/*                              /srv/train/run-any.sh
 * </pre>
 * The first word is the image URI, or a prefix when it ends in {@code *}; the rest is the command, split like a shell
 * would split it (single quotes, double quotes and backslash escapes; no variables, globs or pipes). An exact URI wins
 * over a prefix, a longer prefix over a shorter one. The file is read again when it changes, so an operator can add an
 * image without restarting; a malformed file at start-up stops the server, a malformed edit later keeps the last good
 * registry and is logged.
 */
public final class ImageRegistry {
    record Entry(String image, boolean prefix, List<String> command) {}

    private final Supplier<List<Entry>> entries;
    private final Path file;

    private ImageRegistry(Path file, Supplier<List<Entry>> entries) {
        this.file = file;
        this.entries = entries;
    }

    /** A registry that maps nothing: every job fails with a reason that says how to configure one. */
    public static ImageRegistry empty() {
        return new ImageRegistry(null, List::of);
    }

    /** The registry in {@code file}, read again whenever it changes ({@link ReloadingFile}). */
    public static ImageRegistry load(Path file) {
        ReloadingFile<List<Entry>> f = ReloadingFile.load(file, "training image registry", ImageRegistry::parse);
        return new ImageRegistry(file, f::get);
    }

    public static ImageRegistry of(List<String> lines) {
        List<Entry> parsed = parse(lines, "<inline>");
        return new ImageRegistry(null, () -> parsed);
    }

    /** Where the mappings come from, for messages: the file, or null when there is none. */
    public Path file() {
        return file;
    }

    /** The command for this image, or empty when no line maps it. */
    public Optional<List<String>> resolve(String image) {
        if (image == null) return Optional.empty();
        Entry best = null;
        for (Entry e : entries.get()) {
            if (!e.prefix() && e.image().equals(image)) {
                return Optional.of(e.command());
            }
            if (e.prefix() && image.startsWith(e.image())
                    && (best == null || e.image().length() > best.image().length())) {
                best = e;
            }
        }
        return best == null ? Optional.empty() : Optional.of(best.command());
    }

    static List<Entry> parse(List<String> lines, String source) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            List<String> words;
            try {
                words = split(line);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(source + " line " + (i + 1) + ": " + e.getMessage());
            }
            if (words.size() < 2) {
                throw new IllegalStateException(source + " line " + (i + 1)
                        + ": expected '<image-uri-or-prefix*> <command...>'");
            }
            String image = words.get(0);
            boolean prefix = image.endsWith("*");
            out.add(new Entry(prefix ? image.substring(0, image.length() - 1) : image, prefix,
                    List.copyOf(words.subList(1, words.size()))));
        }
        return List.copyOf(out);
    }

    /** Splits a line into words the way a POSIX shell does for quotes and backslashes, and for nothing else. */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) throw new IllegalArgumentException("unterminated single quote");
                cur.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                inWord = true;
                i++;
                for (; i < line.length() && line.charAt(i) != '"'; i++) {
                    char d = line.charAt(i);
                    if (d == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                        d = line.charAt(++i);
                    }
                    cur.append(d);
                }
                if (i >= line.length()) throw new IllegalArgumentException("unterminated double quote");
            } else if (c == '\\') {
                if (i + 1 >= line.length()) throw new IllegalArgumentException("backslash at the end of the line");
                cur.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (inWord) words.add(cur.toString());
        return words;
    }
}
