package dev.sagebrush.it;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.Filter;
import software.amazon.awssdk.services.sagemaker.model.MetricData;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;
import software.amazon.awssdk.services.sagemaker.model.NestedFilters;
import software.amazon.awssdk.services.sagemaker.model.SearchExpression;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatusTransition;

/**
 * The expected answer of a Search over training jobs, computed by brute force over what DescribeTrainingJob and
 * ListTags return, written from the API reference (section 6.6) and the decisions documented in
 * {@code dev.sagebrush.search.package-info}, without any of the search engine's code. Deliberately naive: every
 * filter is re-evaluated on every job from the SDK objects, numbers are {@link BigDecimal}s, and sorting is a plain
 * {@code List.sort}.
 *
 * <p>Only the properties the suite's jobs exercise are known here; an unknown name fails the test loudly.
 */
final class SearchOracle {
    enum Kind { TEXT, NUMBER, TIMESTAMP, BOOLEAN, CONTAINER }

    /** One training job as the API shows it: Describe plus its tags. */
    record Job(DescribeTrainingJobResponse d, Map<String, String> tags) {
        String name() { return d.trainingJobName(); }
        String arn() { return d.trainingJobArn(); }

        /** Metrics.<name>: the final value as the wire shows it (the float's shortest decimal text). */
        Map<String, BigDecimal> metrics() {
            Map<String, BigDecimal> m = new HashMap<>();
            for (MetricData md : d.finalMetricDataList()) {
                m.put(md.metricName(), new BigDecimal(Float.toString(md.value())));
            }
            return m;
        }
    }

    /** A property: its kind, the list it lies in (null for single values) and how to read one value of it. */
    private record Prop(Kind kind, String list, BiFunction<Job, Integer, Object> read) {}

    private static final Map<String, Prop> PROPS = new LinkedHashMap<>();
    private static final Map<String, Function<Job, Integer>> LISTS = new HashMap<>();

    static {
        text("TrainingJobName", j -> j.d().trainingJobName());
        text("TrainingJobArn", j -> j.d().trainingJobArn());
        text("TrainingJobStatus", j -> j.d().trainingJobStatusAsString());
        text("SecondaryStatus", j -> j.d().secondaryStatusAsString());
        text("FailureReason", j -> j.d().failureReason());
        text("RoleArn", j -> j.d().roleArn());
        text("AlgorithmSpecification.TrainingImage", j -> j.d().algorithmSpecification().trainingImage());
        text("AlgorithmSpecification.TrainingInputMode", j -> j.d().algorithmSpecification().trainingInputModeAsString());
        text("ResourceConfig.InstanceType", j -> j.d().resourceConfig().instanceTypeAsString());
        text("OutputDataConfig.S3OutputPath", j -> j.d().outputDataConfig().s3OutputPath());
        text("ModelArtifacts.S3ModelArtifacts", j -> j.d().modelArtifacts() == null ? null
                : j.d().modelArtifacts().s3ModelArtifacts());
        number("ResourceConfig.InstanceCount", j -> j.d().resourceConfig().instanceCount());
        number("ResourceConfig.VolumeSizeInGB", j -> j.d().resourceConfig().volumeSizeInGB());
        number("StoppingCondition.MaxRuntimeInSeconds", j -> j.d().stoppingCondition().maxRuntimeInSeconds());
        number("TrainingTimeInSeconds", j -> j.d().trainingTimeInSeconds());
        number("BillableTimeInSeconds", j -> j.d().billableTimeInSeconds());
        timestamp("CreationTime", j -> j.d().creationTime());
        timestamp("LastModifiedTime", j -> j.d().lastModifiedTime());
        timestamp("TrainingStartTime", j -> j.d().trainingStartTime());
        timestamp("TrainingEndTime", j -> j.d().trainingEndTime());
        bool("EnableInterContainerTrafficEncryption", j -> j.d().enableInterContainerTrafficEncryption());
        bool("EnableNetworkIsolation", j -> j.d().enableNetworkIsolation());
        bool("EnableManagedSpotTraining", j -> j.d().enableManagedSpotTraining());
        container("ResourceConfig", j -> j.d().resourceConfig());
        container("StoppingCondition", j -> j.d().stoppingCondition());
        container("AlgorithmSpecification", j -> j.d().algorithmSpecification());
        container("ModelArtifacts", j -> j.d().modelArtifacts());
        container("HyperParameters", j -> j.d().hyperParameters().isEmpty() ? null : j.d().hyperParameters());
        container("Environment", j -> j.d().environment().isEmpty() ? null : j.d().environment());
        container("Tags", j -> j.tags().isEmpty() ? null : j.tags());

        list("InputDataConfig", j -> j.d().inputDataConfig().size());
        Function<Job, List<Channel>> channels = j -> j.d().inputDataConfig();
        element("InputDataConfig.ChannelName", Kind.TEXT, "InputDataConfig", channels, Channel::channelName);
        element("InputDataConfig.ContentType", Kind.TEXT, "InputDataConfig", channels, Channel::contentType);
        element("InputDataConfig.DataSource.S3DataSource.S3Uri", Kind.TEXT, "InputDataConfig", channels,
                c -> c.dataSource().s3DataSource().s3Uri());
        element("InputDataConfig.DataSource.S3DataSource.S3DataType", Kind.TEXT, "InputDataConfig", channels,
                c -> c.dataSource().s3DataSource().s3DataTypeAsString());

        list("SecondaryStatusTransitions", j -> j.d().secondaryStatusTransitions().size());
        Function<Job, List<SecondaryStatusTransition>> transitions = j -> j.d().secondaryStatusTransitions();
        element("SecondaryStatusTransitions.Status", Kind.TEXT, "SecondaryStatusTransitions", transitions,
                SecondaryStatusTransition::statusAsString);
        element("SecondaryStatusTransitions.StatusMessage", Kind.TEXT, "SecondaryStatusTransitions", transitions,
                SecondaryStatusTransition::statusMessage);
        element("SecondaryStatusTransitions.StartTime", Kind.TIMESTAMP, "SecondaryStatusTransitions", transitions,
                t -> millis(t.startTime()));
        element("SecondaryStatusTransitions.EndTime", Kind.TIMESTAMP, "SecondaryStatusTransitions", transitions,
                t -> millis(t.endTime()));

        list("FinalMetricDataList", j -> j.d().finalMetricDataList().size());
        Function<Job, List<MetricData>> metrics = j -> j.d().finalMetricDataList();
        element("FinalMetricDataList.MetricName", Kind.TEXT, "FinalMetricDataList", metrics, MetricData::metricName);
        element("FinalMetricDataList.Value", Kind.NUMBER, "FinalMetricDataList", metrics,
                m -> m.value() == null ? null : new BigDecimal(Float.toString(m.value())));
        element("FinalMetricDataList.Timestamp", Kind.TIMESTAMP, "FinalMetricDataList", metrics,
                m -> millis(m.timestamp()));

        list("AlgorithmSpecification.MetricDefinitions", j -> j.d().algorithmSpecification().metricDefinitions().size());
        Function<Job, List<MetricDefinition>> definitions = j -> j.d().algorithmSpecification().metricDefinitions();
        element("AlgorithmSpecification.MetricDefinitions.Name", Kind.TEXT, "AlgorithmSpecification.MetricDefinitions",
                definitions, MetricDefinition::name);
        element("AlgorithmSpecification.MetricDefinitions.Regex", Kind.TEXT, "AlgorithmSpecification.MetricDefinitions",
                definitions, MetricDefinition::regex);
    }

    private static void text(String name, Function<Job, String> f) {
        PROPS.put(name, new Prop(Kind.TEXT, null, (j, i) -> f.apply(j)));
    }

    private static void number(String name, Function<Job, Integer> f) {
        PROPS.put(name, new Prop(Kind.NUMBER, null, (j, i) -> {
            Integer v = f.apply(j);
            return v == null ? null : BigDecimal.valueOf(v);
        }));
    }

    private static void timestamp(String name, Function<Job, Instant> f) {
        PROPS.put(name, new Prop(Kind.TIMESTAMP, null, (j, i) -> millis(f.apply(j))));
    }

    private static void bool(String name, Function<Job, Boolean> f) {
        PROPS.put(name, new Prop(Kind.BOOLEAN, null, (j, i) -> f.apply(j)));
    }

    private static void container(String name, Function<Job, Object> f) {
        PROPS.put(name, new Prop(Kind.CONTAINER, null, (j, i) -> f.apply(j)));
    }

    private static void list(String name, Function<Job, Integer> size) {
        LISTS.put(name, size);
        PROPS.put(name, new Prop(Kind.CONTAINER, name, (j, i) -> Boolean.TRUE));
    }

    private static <E> void element(String name, Kind kind, String list, Function<Job, List<E>> elements,
                                    Function<E, Object> f) {
        PROPS.put(name, new Prop(kind, list, (j, i) -> f.apply(elements.apply(j).get(i))));
    }

    private static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }

    private final List<Job> jobs;

    SearchOracle(List<Job> jobs) {
        this.jobs = List.copyOf(jobs);
    }

    List<Job> jobs() { return jobs; }

    Job job(String name) {
        return jobs.stream().filter(j -> j.name().equals(name)).findFirst().orElseThrow();
    }

    // ---------------------------------------------------------------- expressions

    /** The names of the matching jobs in result order (SortBy default LastModifiedTime, SortOrder default Descending). */
    List<String> search(SearchExpression e, String sortBy, String sortOrder) {
        String by = sortBy == null ? "LastModifiedTime" : sortBy;
        boolean ascending = "Ascending".equals(sortOrder);
        List<Job> hits = new ArrayList<>();
        for (Job j : jobs) {
            if (e == null || matches(j, e)) {
                hits.add(j);
            }
        }
        Map<Job, Object> keys = new HashMap<>();
        hits.forEach(j -> keys.put(j, sortKey(j, by, ascending)));
        hits.sort(order(keys::get, ascending));
        return hits.stream().map(Job::name).collect(Collectors.toList());
    }

    /** And (default) needs every part, Or any part; parts are Filters, NestedFilters and SubExpressions alike. */
    boolean matches(Job j, SearchExpression e) {
        List<Boolean> parts = new ArrayList<>();
        for (Filter f : e.filters()) {
            parts.add(plain(j, f));
        }
        for (NestedFilters n : e.nestedFilters()) {
            parts.add(nested(j, n));
        }
        for (SearchExpression sub : e.subExpressions()) {
            parts.add(matches(j, sub));
        }
        return "Or".equals(e.operatorAsString()) ? parts.contains(true) : !parts.contains(false);
    }

    /** Value alone means Equals, a Name alone means Exists. */
    static String operator(Filter f) {
        if (f.operatorAsString() != null) {
            return f.operatorAsString();
        }
        return f.value() == null ? "Exists" : "Equals";
    }

    /** A filter outside NestedFilters: on a list it holds when any value of any element passes. */
    boolean plain(Job j, Filter f) {
        String op = operator(f);
        switch (op) {
            case "NotEquals":
                return !anyValue(j, f.name(), "Equals", f.value());
            case "NotExists":
                return !anyValue(j, f.name(), "Exists", null);
            default:
                return anyValue(j, f.name(), op, f.value());
        }
    }

    private boolean anyValue(Job j, String name, String op, String value) {
        Kind kind = kind(name);
        for (Object v : values(j, name)) {
            if (op.equals("Exists") || test(kind, name, v, op, value)) {
                return true;
            }
        }
        return false;
    }

    /** NestedFilters: some element of the named list satisfies every filter. */
    boolean nested(Job j, NestedFilters n) {
        int size = LISTS.get(n.nestedPropertyName()).apply(j);
        for (int i = 0; i < size; i++) {
            boolean all = true;
            for (Filter f : n.filters()) {
                Prop p = PROPS.get(f.name());
                if (p == null || !n.nestedPropertyName().equals(p.list())) {
                    throw new IllegalArgumentException(f.name() + " is not in " + n.nestedPropertyName());
                }
                Object v = p.read().apply(j, i);
                String op = operator(f);
                boolean ok;
                switch (op) {
                    case "Exists": ok = v != null; break;
                    case "NotExists": ok = v == null; break;
                    case "NotEquals": ok = !(v != null && test(p.kind(), f.name(), v, "Equals", f.value())); break;
                    default: ok = v != null && test(p.kind(), f.name(), v, op, f.value());
                }
                if (!ok) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** Every value of a property in a job: none, one, or one per list element that has it. */
    List<Object> values(Job j, String name) {
        List<Object> out = new ArrayList<>();
        if (name.startsWith("Metrics.")) {
            add(out, j.metrics().get(name.substring(8)));
        } else if (name.startsWith("HyperParameters.")) {
            add(out, j.d().hyperParameters().get(name.substring(16)));
        } else if (name.startsWith("Tags.")) {
            add(out, j.tags().get(name.substring(5)));
        } else if (name.startsWith("Environment.")) {
            add(out, j.d().environment().get(name.substring(12)));
        } else {
            Prop p = PROPS.get(name);
            if (p == null) {
                throw new IllegalArgumentException("the oracle does not know " + name);
            }
            if (p.list() == null || LISTS.containsKey(name)) {
                if (p.list() != null) {
                    if (LISTS.get(name).apply(j) > 0) out.add(Boolean.TRUE);
                } else {
                    add(out, p.read().apply(j, -1));
                }
            } else {
                int size = LISTS.get(p.list()).apply(j);
                for (int i = 0; i < size; i++) {
                    add(out, p.read().apply(j, i));
                }
            }
        }
        return out;
    }

    private static void add(List<Object> out, Object v) {
        if (v != null) out.add(v);
    }

    static Kind kind(String name) {
        if (name.startsWith("Metrics.")) return Kind.NUMBER;
        if (name.startsWith("Tags.") || name.startsWith("Environment.")) return Kind.TEXT;
        if (name.startsWith("HyperParameters.")) return null; // typed by the filter Value
        Prop p = PROPS.get(name);
        if (p == null) throw new IllegalArgumentException("the oracle does not know " + name);
        return p.kind();
    }

    // ---------------------------------------------------------------- values

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

    /** A positive operator (Equals, orderings, Contains, In) on one stored value. */
    static boolean test(Kind kind, String name, Object v, String op, String value) {
        if (kind == null) {
            return hyperParameter((String) v, op, value);
        }
        switch (kind) {
            case TEXT:
                return text((String) v, op, value);
            case NUMBER:
                return compare(op, ((BigDecimal) v).compareTo(new BigDecimal(value.strip())));
            case TIMESTAMP:
                return compare(op, Long.compare((Long) v, parseTimestamp(value)));
            case BOOLEAN:
                if (!op.equals("Equals")) throw new IllegalArgumentException(op + " on boolean " + name);
                return v.equals(Boolean.parseBoolean(value.strip().toLowerCase()));
            default:
                throw new IllegalArgumentException(op + " on container " + name);
        }
    }

    /** Text is exact and case-sensitive; Contains is a substring; In is a comma list with blanks trimmed. */
    static boolean text(String v, String op, String value) {
        switch (op) {
            case "Equals": return v.equals(value);
            case "Contains": return v.contains(value);
            case "In": return inList(value).contains(v);
            default: throw new IllegalArgumentException(op + " on text");
        }
    }

    static Set<String> inList(String value) {
        return java.util.Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toSet());
    }

    /**
     * HyperParameters: an integer Value compares the integer part (toward zero) of numeric hyperparameters, a decimal
     * Value their decimal value, any other Value the raw text; Contains and In are on the raw text.
     */
    static boolean hyperParameter(String raw, String op, String value) {
        if (op.equals("Contains") || op.equals("In")) {
            return text(raw, op, value);
        }
        String x = value.strip();
        boolean numeric = DECIMAL.matcher(raw).matches();
        if (INTEGER.matcher(x).matches()) {
            return numeric && compare(op, new BigDecimal(raw).setScale(0, RoundingMode.DOWN)
                    .compareTo(new BigDecimal(x)));
        }
        if (DECIMAL.matcher(x).matches()) {
            return numeric && compare(op, new BigDecimal(raw).compareTo(new BigDecimal(x)));
        }
        if (!op.equals("Equals")) throw new IllegalArgumentException(op + " with the text value " + value);
        return raw.equals(value);
    }

    private static boolean compare(String op, int c) {
        switch (op) {
            case "Equals": return c == 0;
            case "GreaterThan": return c > 0;
            case "GreaterThanOrEqualTo": return c >= 0;
            case "LessThan": return c < 0;
            case "LessThanOrEqualTo": return c <= 0;
            default: throw new IllegalArgumentException(op + " on a number or timestamp");
        }
    }

    /** {@code YYYY-mm-ddTHH:MM:SS} (UTC), ISO-8601 with a zone, or epoch seconds. */
    static long parseTimestamp(String value) {
        String s = value.strip();
        if (DECIMAL.matcher(s).matches()) {
            return new BigDecimal(s).movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
        }
        try {
            return OffsetDateTime.parse(s).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
        }
    }

    // ---------------------------------------------------------------- sorting

    /**
     * The sort value: a list sorts by its smallest value ascending and its largest descending; a hyperparameter by
     * its number when numeric, else its text.
     */
    Object sortKey(Job j, String name, boolean ascending) {
        if (name.startsWith("HyperParameters.")) {
            String raw = j.d().hyperParameters().get(name.substring(16));
            if (raw == null) return null;
            return DECIMAL.matcher(raw).matches() ? new BigDecimal(raw) : raw;
        }
        List<Object> vs = values(j, name);
        Object best = null;
        for (Object v : vs) {
            if (best == null || (compareValues(v, best) < 0) == ascending) {
                best = v;
            }
        }
        return best;
    }

    /** Missing values last in both directions, then the direction, then TrainingJobArn ascending. */
    static Comparator<Job> order(Function<Job, Object> key, boolean ascending) {
        return (a, b) -> {
            Object ka = key.apply(a);
            Object kb = key.apply(b);
            int c;
            if (ka == null || kb == null) {
                c = ka == kb ? 0 : ka == null ? 1 : -1;
            } else {
                c = compareValues(ka, kb);
                if (!ascending) c = -c;
            }
            return c != 0 ? c : a.arn().compareTo(b.arn());
        };
    }

    /** Numbers before texts (ascending); within a kind, the natural order. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compareValues(Object a, Object b) {
        boolean na = a instanceof BigDecimal;
        boolean nb = b instanceof BigDecimal;
        if (na != nb) {
            return na ? -1 : 1;
        }
        return ((Comparable) a).compareTo(b);
    }
}
