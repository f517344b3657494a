package dev.sagebrush.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.protocol.AwsService;
import dev.sagebrush.protocol.RequestContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * CloudWatch's metric reads over the {@link MetricStore}: GetMetricStatistics (what the SageMaker Python SDK's
 * TrainingJobAnalytics calls), GetMetricData and ListMetrics, in every protocol the AWS SDKs use for CloudWatch (the
 * router hands this one service the query protocol, awsJson 1.0 and Smithy RPC v2 CBOR). Datapoints are grouped in
 * periods counted from StartTime rounded down to the minute (to the second for periods under a minute), and each
 * period's timestamp is its start, as CloudWatch does.
 */
public final class CloudWatchMetrics implements AwsService {
    public static final String XML_NAMESPACE = "http://monitoring.amazonaws.com/doc/2010-08-01/";
    public static final String JSON_TARGET_PREFIX = "GraniteServiceVersion20100801";
    public static final String SMITHY_SERVICE = "GraniteServiceVersion20100801";
    static final int MAX_DATAPOINTS = 1440;
    static final int LIST_PAGE = 500;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final MetricStore store;

    public CloudWatchMetrics(MetricStore store) {
        this.store = store;
    }

    @Override
    public String signingName() {
        return "monitoring";
    }

    @Override
    public Set<String> operations() {
        return Set.of("GetMetricStatistics", "GetMetricData", "ListMetrics");
    }

    @Override
    public ObjectNode call(String operation, RequestContext ctx, JsonNode in) {
        return switch (operation) {
            case "GetMetricStatistics" -> getMetricStatistics(ctx, in);
            case "GetMetricData" -> getMetricData(ctx, in);
            case "ListMetrics" -> listMetrics(ctx, in);
            default -> throw new IllegalArgumentException(operation);
        };
    }

    private ObjectNode getMetricStatistics(RequestContext ctx, JsonNode in) {
        MetricKey key = MetricKey.of(Inputs.required(in, "Namespace"), Inputs.required(in, "MetricName"),
                dimensions(in.path("Dimensions")));
        Instant start = Inputs.timestamp(in, "StartTime");
        Instant end = Inputs.timestamp(in, "EndTime");
        Integer period = Inputs.integer(in, "Period");
        if (period == null) throw new dev.sagebrush.errors.AwsException("MissingParameter", 400,
                "The parameter Period is required.");
        checkPeriod(period);
        Set<String> stats = new LinkedHashSet<>();
        in.path("Statistics").forEach(s -> stats.add(s.asText()));
        Set<String> extended = new LinkedHashSet<>();
        in.path("ExtendedStatistics").forEach(s -> extended.add(s.asText()));
        if (stats.isEmpty() && extended.isEmpty()) {
            throw Inputs.combination("Must specify either Statistics or ExtendedStatistics.");
        }
        for (String s : stats) {
            if (!Statistics.BASIC.contains(s)) {
                throw Inputs.invalid("The parameter Statistics.member." + (new ArrayList<>(stats).indexOf(s) + 1)
                        + " must be a value in the set [ Average, Sum, SampleCount, Maximum, Minimum ].");
            }
        }
        for (String s : extended) {
            if (!Statistics.isPercentile(s)) throw Inputs.invalid("The parameter ExtendedStatistics contains an "
                    + "invalid percentile statistic: " + s + ". Percentiles are p0.0 to p100.");
        }
        Periods periods = Periods.of(start, end, period);
        ObjectNode out = NODES.objectNode().put("Label", key.name());
        ArrayNode points = out.putArray("Datapoints");
        store.series(ctx.accountId(), ctx.region(), key).ifPresent(series -> periods.forEach(series.view(),
                (bucketStart, values, from, to) -> {
                    ObjectNode p = points.addObject();
                    p.putPOJO("Timestamp", bucketStart);
                    for (String s : stats) p.put(s, Statistics.compute(s, values, from, to));
                    if (!extended.isEmpty()) {
                        ObjectNode e = p.putObject("ExtendedStatistics");
                        for (String s : extended) e.put(s, Statistics.compute(s, values, from, to));
                    }
                    p.put("Unit", "None");
                }));
        return out;
    }

    private ObjectNode getMetricData(RequestContext ctx, JsonNode in) {
        Instant start = Inputs.timestamp(in, "StartTime");
        Instant end = Inputs.timestamp(in, "EndTime");
        boolean ascending = "TimestampAscending".equals(Inputs.text(in, "ScanBy"));
        JsonNode queries = in.path("MetricDataQueries");
        if (!queries.isArray() || queries.isEmpty()) {
            throw new dev.sagebrush.errors.AwsException("MissingParameter", 400,
                    "The parameter MetricDataQueries is required.");
        }
        if (queries.size() > 500) throw Inputs.invalid("MetricDataQueries may hold at most 500 queries.");
        List<MetricDataPages.Query> parsed = new ArrayList<>();
        List<String> shapes = new ArrayList<>();
        for (JsonNode q : queries) {
            String id = Inputs.required(q, "Id");
            if (q.hasNonNull("Expression")) {
                throw Inputs.invalid("Sagebrush does not evaluate metric math: query '" + id + "' has an "
                        + "Expression. Use MetricStat queries.");
            }
            JsonNode stat = q.path("MetricStat");
            if (stat.isMissingNode()) throw Inputs.invalid("Query '" + id + "' must have MetricStat.");
            JsonNode metric = stat.path("Metric");
            MetricKey key = MetricKey.of(Inputs.required(metric, "Namespace"), Inputs.required(metric, "MetricName"),
                    dimensions(metric.path("Dimensions")));
            Integer period = Inputs.integer(stat, "Period");
            if (period == null) throw new dev.sagebrush.errors.AwsException("MissingParameter", 400,
                    "The parameter MetricStat.Period is required.");
            checkPeriod(period);
            String statistic = Inputs.required(stat, "Stat");
            if (!Statistics.BASIC.contains(statistic) && !Statistics.isPercentile(statistic)) {
                throw Inputs.invalid("Sagebrush computes the statistics SampleCount, Average, Sum, Minimum, Maximum "
                        + "and pNN percentiles; '" + statistic + "' in query '" + id + "' is not one of them.");
            }
            boolean returnData = !q.has("ReturnData") || q.get("ReturnData").asBoolean(true);
            List<Instant> times = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            if (returnData) {
                store.series(ctx.accountId(), ctx.region(), key).ifPresent(series -> Periods.spanning(start, end, period)
                        .forEach(series.view(), (bucketStart, v, from, to) -> {
                            times.add(bucketStart);
                            values.add(Statistics.compute(statistic, v, from, to));
                        }));
            }
            String label = q.hasNonNull("Label") ? q.get("Label").asText() : key.name();
            parsed.add(new MetricDataPages.Query(id, label, returnData, times, values));
            shapes.add(String.join("\0", id, label, MetricStore.encode(key), period.toString(), statistic,
                    Boolean.toString(returnData)));
        }
        ObjectNode out = NODES.objectNode();
        MetricDataPages.page(parsed, ascending, Inputs.integer(in, "MaxDatapoints"), Inputs.text(in, "NextToken"),
                MetricDataPages.fingerprint(start, end, ascending, shapes), out);
        out.putArray("Messages");
        return out;
    }

    private ObjectNode listMetrics(RequestContext ctx, JsonNode in) {
        String namespace = Inputs.text(in, "Namespace");
        String name = Inputs.text(in, "MetricName");
        List<Map.Entry<String, String>> filters = new ArrayList<>();
        for (JsonNode d : in.path("Dimensions")) {
            filters.add(Map.entry(Inputs.required(d, "Name"), d.hasNonNull("Value") ? d.get("Value").asText() : ""));
        }
        int offset = 0;
        String token = Inputs.text(in, "NextToken");
        if (token != null) {
            try {
                offset = Integer.parseInt(token);
                if (offset < 0) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw Inputs.invalid("The NextToken is invalid.");
            }
        }
        List<MetricKey> matching = new ArrayList<>();
        for (MetricStore.Entry e : store.metrics(ctx.accountId(), ctx.region())) {
            MetricKey k = e.key();
            if (namespace != null && !namespace.equals(k.namespace())) continue;
            if (name != null && !name.equals(k.name())) continue;
            boolean ok = true;
            for (Map.Entry<String, String> f : filters) {
                String v = k.dimensions().get(f.getKey());
                if (v == null || (!f.getValue().isEmpty() && !f.getValue().equals(v))) ok = false;
            }
            if (ok) matching.add(k);
        }
        ObjectNode out = NODES.objectNode();
        ArrayNode metrics = out.putArray("Metrics");
        int end = Math.min(matching.size(), offset + LIST_PAGE);
        for (int i = Math.min(offset, matching.size()); i < end; i++) {
            MetricKey k = matching.get(i);
            ObjectNode m = metrics.addObject().put("Namespace", k.namespace()).put("MetricName", k.name());
            ArrayNode dims = m.putArray("Dimensions");
            k.dimensions().forEach((dn, dv) -> dims.addObject().put("Name", dn).put("Value", dv));
        }
        if (end < matching.size()) out.put("NextToken", Integer.toString(end));
        return out;
    }

    private static List<Map.Entry<String, String>> dimensions(JsonNode list) {
        Map<String, String> dims = new TreeMap<>();
        for (JsonNode d : list) {
            String n = Inputs.required(d, "Name");
            String v = Inputs.required(d, "Value");
            if (dims.put(n, v) != null) throw Inputs.invalid("The dimension " + n + " is given twice.");
        }
        if (dims.size() > 30) throw Inputs.invalid("A metric has at most 30 dimensions.");
        return new ArrayList<>(dims.entrySet());
    }

    private static void checkPeriod(int period) {
        if (period < 1 || (period < 60 ? !Set.of(1, 5, 10, 30).contains(period) : period % 60 != 0)) {
            throw Inputs.invalid("The parameter Period must be 1, 5, 10, 30 or a multiple of 60.");
        }
    }
}
