package dev.sagebrush.training.metrics;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sagemaker.model.MetricData;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;

/**
 * Applies a job's MetricDefinitions to each line of its output as the line arrives, and keeps every metric's last
 * value and when it was seen: that is FinalMetricDataList.
 *
 * <p>Patterns are user input run on a server thread, so they are compiled with RE2/J, whose matching time is linear in
 * the line's length whatever the pattern: a hostile pattern such as {@code (a+)+$} cannot stall the pump. As in
 * SageMaker, the value is the first capture group (the whole match when the pattern has no group), parsed as a float;
 * a match that is not a finite number is skipped rather than recorded, so one odd line cannot erase a good value.
 * Thread-safe: the output pump writes while the controller reads.
 */
public final class MetricExtractor {
    /** Longer lines are matched on their first this-many characters: bounded work per line, whatever the output. */
    public static final int MAX_LINE_CHARS = 16 * 1024;

    /** Hears every value recorded, with the instant its line was read: the metric's time series (CloudWatch). */
    public interface Listener {
        void value(String metricName, double value, Instant at);
    }

    private final List<Named> definitions;
    private final Listener listener;
    private final Map<String, MetricData> last = new LinkedHashMap<>();
    private long changes;

    private record Named(String name, Pattern pattern) {}

    private MetricExtractor(List<Named> definitions, Listener listener) {
        this.definitions = definitions;
        this.listener = listener;
    }

    /** Compiles the definitions; an invalid pattern is an IllegalArgumentException naming the metric. */
    public static MetricExtractor of(List<MetricDefinition> definitions) {
        return of(definitions, (name, value, at) -> {});
    }

    /** As {@link #of(List)}, telling {@code listener} every value as it is recorded. */
    public static MetricExtractor of(List<MetricDefinition> definitions, Listener listener) {
        List<Named> compiled = new ArrayList<>();
        if (definitions != null) {
            for (MetricDefinition d : definitions) {
                compiled.add(new Named(d.name(), compile(d)));
            }
        }
        return new MetricExtractor(compiled, listener);
    }

    /** A pattern's compiled program may hold at most this many instructions (see {@link RegexSize}). */
    public static final long MAX_PROGRAM_SIZE = 2_000;

    /**
     * Checks that a definition's regex compiles under RE2 syntax and that its compiled program is small (checked
     * before compiling: compiling is what a hostile pattern attacks); the message is fit for a ValidationException.
     */
    public static Pattern compile(MetricDefinition d) {
        long size = RegexSize.of(d.regex());
        if (size > MAX_PROGRAM_SIZE) {
            throw new IllegalArgumentException("The regular expression of metric '" + d.name() + "' is too large: "
                    + "its repetitions expand to " + (size >= Integer.MAX_VALUE ? "more than " + Integer.MAX_VALUE
                    : "about " + size) + " instructions, above the limit of " + MAX_PROGRAM_SIZE
                    + ". Use fewer or smaller counted repetitions ({n,m}).");
        }
        try {
            return Pattern.compile(d.regex());
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("The regular expression of metric '" + d.name() + "' is not valid: "
                    + e.getDescription() + ". Sagebrush evaluates MetricDefinitions with RE2 syntax (no backreferences "
                    + "or lookaround).", e);
        }
    }

    public boolean isEmpty() {
        return definitions.isEmpty();
    }

    /** Looks for every metric in one line of output seen at {@code at}. */
    public void accept(String line, Instant at) {
        if (definitions.isEmpty()) return;
        String text = escapeControlCharacters(line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) : line);
        for (Named d : definitions) {
            Matcher m = d.pattern().matcher(text);
            if (!m.find()) continue;
            String raw = m.groupCount() >= 1 ? m.group(1) : m.group();
            Float value = parse(raw);
            if (value == null) continue;
            MetricData data = MetricData.builder().metricName(d.name()).value(value).timestamp(at).build();
            synchronized (this) {
                last.put(d.name(), data);
                changes++;
            }
            listener.value(d.name(), Double.parseDouble(raw.trim()), at); // full precision for CloudWatch
        }
    }

    /**
     * Control characters as CloudWatch Logs shows a container's output (rsyslog's escaping: '#' and three octal
     * digits): a tab becomes {@code #011}. SageMaker's metric regexes are written against that text, e.g. the built-in
     * XGBoost's {@code .*\[[0-9]+\].*#011validation-rmse:...}, so a line is matched in that form.
     */
    static String escapeControlCharacters(String line) {
        StringBuilder out = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (out == null) out = new StringBuilder(line.length() + 16).append(line, 0, i);
                out.append('#').append((char) ('0' + (c >> 6))).append((char) ('0' + ((c >> 3) & 7)))
                        .append((char) ('0' + (c & 7)));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? line : out.toString();
    }

    static Float parse(String raw) {
        if (raw == null) return null;
        try {
            float v = Float.parseFloat(raw.trim());
            return Float.isFinite(v) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Each metric's last value and timestamp, in the order the metrics were first seen. */
    public synchronized List<MetricData> finalMetrics() {
        return List.copyOf(last.values());
    }

    /** Grows every time a value is recorded: lets a reader tell cheaply whether anything is new. */
    public synchronized long changes() {
        return changes;
    }
}
