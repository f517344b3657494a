package dev.sagebrush.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.errors.AwsException;
import dev.sagebrush.protocol.AwsService;
import dev.sagebrush.protocol.RequestContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The CloudWatch Logs API (awsJson 1.1, {@code X-Amz-Target: Logs_20140328.<Operation>}) over the {@link LogStore}:
 * the reads the SageMaker Python SDK, the AWS CLI ({@code aws logs tail --follow}) and consoles make. Each account
 * sees only its own groups. Log groups and streams are created by the producers (training jobs, notebook instances),
 * as SageMaker creates them.
 */
public final class CloudWatchLogs implements AwsService {
    public static final String TARGET_PREFIX = "Logs_20140328";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_DESCRIBE_LIMIT = 50;

    private final LogStore store;

    public CloudWatchLogs(LogStore store) {
        this.store = store;
    }

    @Override
    public String signingName() {
        return "logs";
    }

    @Override
    public Set<String> operations() {
        return Set.of("DescribeLogGroups", "DescribeLogStreams", "GetLogEvents", "FilterLogEvents");
    }

    @Override
    public ObjectNode call(String operation, RequestContext ctx, JsonNode in) {
        try {
            return switch (operation) {
                case "DescribeLogGroups" -> describeLogGroups(ctx, in);
                case "DescribeLogStreams" -> describeLogStreams(ctx, in);
                case "GetLogEvents" -> getLogEvents(ctx, in);
                case "FilterLogEvents" -> filterLogEvents(ctx, in);
                default -> throw new IllegalArgumentException(operation);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode describeLogGroups(RequestContext ctx, JsonNode in) {
        String prefix = text(in, "logGroupNamePrefix");
        String pattern = text(in, "logGroupNamePattern");
        if (prefix != null && pattern != null) {
            throw invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
        }
        int limit = limit(in, MAX_DESCRIBE_LIMIT, MAX_DESCRIBE_LIMIT);
        String after = decodeCursor(text(in, "nextToken"));
        List<LogGroup> matching = new ArrayList<>();
        for (LogGroup g : store.groups(ctx.accountId(), ctx.region())) {
            if (prefix != null && !g.name().startsWith(prefix)) continue;
            if (pattern != null && !g.name().toLowerCase().contains(pattern.toLowerCase())) continue;
            if (after != null && g.name().compareTo(after) <= 0) continue;
            matching.add(g);
        }
        ObjectNode out = NODES.objectNode();
        ArrayNode groups = out.putArray("logGroups");
        for (LogGroup g : matching.subList(0, Math.min(limit, matching.size()))) {
            String arn = "arn:aws:logs:" + ctx.region() + ":" + ctx.accountId() + ":log-group:" + g.name();
            groups.addObject()
                    .put("logGroupName", g.name())
                    .put("creationTime", g.creationTime())
                    .put("metricFilterCount", 0)
                    .put("arn", arn + ":*")
                    .put("storedBytes", g.storedBytes())
                    .put("logGroupClass", "STANDARD")
                    .put("logGroupArn", arn);
        }
        if (matching.size() > limit) out.put("nextToken", encodeCursor(matching.get(limit - 1).name()));
        return out;
    }

    private ObjectNode describeLogStreams(RequestContext ctx, JsonNode in) {
        LogGroup group = group(ctx, in);
        String prefix = text(in, "logStreamNamePrefix");
        String orderBy = text(in, "orderBy");
        boolean byTime = "LastEventTime".equals(orderBy);
        if (orderBy != null && !byTime && !"LogStreamName".equals(orderBy)) {
            throw invalid("1 validation error detected: Value '" + orderBy + "' at 'orderBy' failed to satisfy "
                    + "constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]");
        }
        if (byTime && prefix != null) {
            throw invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
        }
        boolean descending = in.path("descending").asBoolean(false);
        int limit = limit(in, MAX_DESCRIBE_LIMIT, MAX_DESCRIBE_LIMIT);
        int offset = offsetCursor(text(in, "nextToken"));
        List<StreamView> streams = new ArrayList<>();
        Collection<LogStream> candidates = prefix == null ? group.streams() : group.streamsFrom(prefix);
        for (LogStream s : candidates) {
            if (prefix != null && !s.name().startsWith(prefix)) break;
            streams.add(new StreamView(s, s.snapshot()));
        }
        Comparator<StreamView> order = byTime
                ? Comparator.<StreamView>comparingLong(v -> v.snapshot.isEmpty() ? Long.MIN_VALUE
                        : v.snapshot.lastTimestamp()).thenComparing(v -> v.stream.name())
                : Comparator.comparing(v -> v.stream.name());
        streams.sort(descending ? order.reversed() : order);
        ObjectNode out = NODES.objectNode();
        ArrayNode list = out.putArray("logStreams");
        int end = Math.min(streams.size(), offset + limit);
        for (int i = Math.min(offset, streams.size()); i < end; i++) {
            StreamView v = streams.get(i);
            ObjectNode o = list.addObject()
                    .put("logStreamName", v.stream.name())
                    .put("creationTime", v.stream.creationTime());
            if (!v.snapshot.isEmpty()) {
                o.put("firstEventTimestamp", v.snapshot.firstTimestamp())
                        .put("lastEventTimestamp", v.snapshot.lastTimestamp())
                        .put("lastIngestionTime", v.snapshot.lastIngestionTime());
            }
            o.put("arn", "arn:aws:logs:" + ctx.region() + ":" + ctx.accountId() + ":log-group:" + group.name()
                    + ":log-stream:" + v.stream.name());
            o.put("storedBytes", 0); // deprecated by AWS, which always answers 0
        }
        if (end < streams.size()) out.put("nextToken", encodeCursor("o" + end));
        return out;
    }

    private record StreamView(LogStream stream, LogStream.Snapshot snapshot) {}

    private ObjectNode getLogEvents(RequestContext ctx, JsonNode in) throws IOException {
        LogGroup group = group(ctx, in);
        String streamName = required(in, "logStreamName");
        LogStream stream = group.stream(streamName).orElseThrow(() -> notFound("The specified log stream does not exist."));
        int limit = limit(in, GetLogEventsPager.MAX_LIMIT, GetLogEventsPager.MAX_LIMIT);
        GetLogEventsPager.Page page = GetLogEventsPager.page(stream, longOrNull(in, "startTime"),
                longOrNull(in, "endTime"), text(in, "nextToken"), limit, in.path("startFromHead").asBoolean(false));
        ObjectNode out = NODES.objectNode();
        out.putPOJO("events", new EventsJson(page.events()));
        out.put("nextForwardToken", page.forwardToken());
        out.put("nextBackwardToken", page.backwardToken());
        return out;
    }

    private ObjectNode filterLogEvents(RequestContext ctx, JsonNode in) throws IOException {
        LogGroup group = group(ctx, in);
        List<String> names = new ArrayList<>();
        in.path("logStreamNames").forEach(n -> names.add(n.asText()));
        String prefix = text(in, "logStreamNamePrefix");
        if (!names.isEmpty() && prefix != null) {
            throw invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
        }
        if (names.size() > 100) throw invalid("logStreamNames may name at most 100 log streams.");
        List<LogStream> streams = new ArrayList<>();
        if (!names.isEmpty()) {
            for (String n : names) group.stream(n).ifPresent(streams::add);
            if (streams.isEmpty()) throw notFound("The specified log stream does not exist.");
        } else {
            for (LogStream s : prefix == null ? group.streams() : group.streamsFrom(prefix)) {
                if (prefix != null && !s.name().startsWith(prefix)) break;
                streams.add(s);
            }
        }
        Long start = longOrNull(in, "startTime");
        Long end = longOrNull(in, "endTime");
        int limit = limit(in, GetLogEventsPager.MAX_LIMIT, GetLogEventsPager.MAX_LIMIT);
        LogEventFilter.Result r = LogEventFilter.filter(streams, start == null ? Long.MIN_VALUE : start,
                end == null ? Long.MAX_VALUE : end, FilterPattern.parse(text(in, "filterPattern")),
                text(in, "nextToken"), limit);
        ObjectNode out = NODES.objectNode();
        ArrayNode events = out.putArray("events");
        for (LogEventFilter.Match m : r.events()) {
            events.addObject()
                    .put("logStreamName", m.stream())
                    .put("timestamp", m.event().timestamp())
                    .put("message", m.event().message())
                    .put("ingestionTime", m.event().ingestionTime())
                    .put("eventId", LogEventFilter.eventId(m.stream(), m.event().index()));
        }
        ArrayNode searched = out.putArray("searchedLogStreams");
        for (LogStream s : streams) searched.addObject().put("logStreamName", s.name()).put("searchedCompletely", r.nextToken() == null);
        if (r.nextToken() != null) out.put("nextToken", r.nextToken());
        return out;
    }

    // ------------------------------------------------------------------------------------------------------ inputs

    private LogGroup group(RequestContext ctx, JsonNode in) {
        String name = text(in, "logGroupName");
        String identifier = text(in, "logGroupIdentifier");
        if (name != null && identifier != null) {
            throw invalid("LogGroup name and LogGroup identifier are mutually exclusive parameters.");
        }
        if (identifier != null) name = nameFromIdentifier(identifier);
        if (name == null) throw invalid("Either logGroupName or logGroupIdentifier must be given.");
        return store.group(ctx.accountId(), ctx.region(), name)
                .orElseThrow(() -> notFound("The specified log group does not exist."));
    }

    static String nameFromIdentifier(String identifier) {
        int i = identifier.indexOf(":log-group:");
        if (!identifier.startsWith("arn:") || i < 0) return identifier;
        String name = identifier.substring(i + ":log-group:".length());
        return name.endsWith(":*") ? name.substring(0, name.length() - 2) : name;
    }

    private static String text(JsonNode in, String member) {
        JsonNode n = in.get(member);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw serialization(member, "a string");
        return n.asText();
    }

    private static String required(JsonNode in, String member) {
        String v = text(in, member);
        if (v == null) throw invalid("1 validation error detected: Value null at '" + member
                + "' failed to satisfy constraint: Member must not be null");
        return v;
    }

    private static Long longOrNull(JsonNode in, String member) {
        JsonNode n = in.get(member);
        if (n == null || n.isNull()) return null;
        if (!n.canConvertToLong() || !n.isIntegralNumber()) throw serialization(member, "a long");
        return n.asLong();
    }

    private static int limit(JsonNode in, int max, int dflt) {
        Long v = longOrNull(in, "limit");
        if (v == null) return dflt;
        if (v < 1 || v > max) {
            throw invalid("1 validation error detected: Value '" + v + "' at 'limit' failed to satisfy constraint: "
                    + "Member must have value " + (v < 1 ? "greater than or equal to 1" : "less than or equal to " + max));
        }
        return v.intValue();
    }

    private static String encodeCursor(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeCursor(String token) {
        if (token == null) return null;
        try {
            return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("The specified nextToken is invalid.");
        }
    }

    private static int offsetCursor(String token) {
        String s = decodeCursor(token);
        if (s == null) return 0;
        try {
            if (!s.startsWith("o")) throw new NumberFormatException();
            int v = Integer.parseInt(s.substring(1));
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw invalid("The specified nextToken is invalid.");
        }
    }

    private static AwsException invalid(String message) {
        return new AwsException("InvalidParameterException", 400, message);
    }

    private static AwsException notFound(String message) {
        return new AwsException("ResourceNotFoundException", 400, message);
    }

    private static AwsException serialization(String member, String type) {
        return AwsException.serialization("Member '" + member + "' must be " + type + ".");
    }
}
