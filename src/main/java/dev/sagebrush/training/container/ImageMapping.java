package dev.sagebrush.training.container;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which local image plays a TrainingImage URI. One mapping per line, {@code <uri-pattern> <local-image>}; blank lines
 * and lines starting with {@code #} are ignored:
 * <pre>
 *   683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3   localhost/sagebrush/sklearn:1.2
 *   *.dkr.ecr.*.amazonaws.com/sagemaker-scikit-learn:*                                    localhost/sagebrush/sklearn:1.2
 *   registry.example.com/team/*                                                           localhost/team/trainer:latest
 * </pre>
 * In the pattern {@code *} stands for any run of characters (none included); everything else is literal. A line
 * without {@code *} that equals the URI wins; otherwise the first matching pattern, in file order. The local image is
 * a name the host's image store knows ({@code podman images}); it may not start with {@code -}, or hold spaces.
 */
public final class ImageMapping {
    /** A reference the engine reads as an image, never as an option: registry/path:tag or @digest characters. */
    static final Pattern IMAGE_REFERENCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,511}");

    record Entry(String pattern, Pattern regex, String image, int line) {
        boolean exact() {
            return pattern.indexOf('*') < 0;
        }
    }

    private final String source;
    private final List<Entry> entries;

    private ImageMapping(String source, List<Entry> entries) {
        this.source = source;
        this.entries = List.copyOf(entries);
    }

    public static ImageMapping empty() {
        return new ImageMapping("<none>", List.of());
    }

    /** Parses a mapping; {@code source} names it in messages. */
    public static ImageMapping parse(List<String> lines, String source) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] words = line.split("\\s+");
            if (words.length != 2) {
                throw new IllegalStateException(source + " line " + (i + 1) + ": expected '<image-uri-pattern> "
                        + "<local-image>', got " + words.length + " words");
            }
            if (!IMAGE_REFERENCE.matcher(words[1]).matches()) {
                throw new IllegalStateException(source + " line " + (i + 1) + ": '" + words[1] + "' is not an image "
                        + "name (letters, digits and . _ / : @ + -, starting with a letter or digit)");
            }
            out.add(new Entry(words[0], glob(words[0]), words[1], i + 1));
        }
        return new ImageMapping(source, out);
    }

    public String source() {
        return source;
    }

    public int size() {
        return entries.size();
    }

    /** The local image {@code uri} maps to, if any line maps it. */
    public Optional<String> resolve(String uri) {
        if (uri == null) return Optional.empty();
        for (Entry e : entries) {
            if (e.exact() && e.pattern().equals(uri)) return Optional.of(e.image());
        }
        for (Entry e : entries) {
            if (!e.exact() && e.regex().matcher(uri).matches()) return Optional.of(e.image());
        }
        return Optional.empty();
    }

    /** {@code *} as any run of characters, everything else literal. Patterns are the operator's, URIs short. */
    static Pattern glob(String pattern) {
        String[] parts = pattern.split("\\*", -1);
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) re.append(".*");
            re.append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
