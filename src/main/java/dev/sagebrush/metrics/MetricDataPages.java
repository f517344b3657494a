package dev.sagebrush.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.errors.AwsException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * GetMetricData's paging, as CloudWatch pages it: one page holds at most {@code MaxDatapoints} datapoints (default
 * and ceiling 100,800) over all its queries, filled in query order; the query the page ran out in is answered with
 * the datapoints that fitted and {@code StatusCode PartialData}, so are the queries after it (with none yet), and the
 * page carries a {@code NextToken}. The request repeated with that token continues where the page stopped: earlier
 * queries, already Complete, are not repeated.
 *
 * <p>The token names the query and the timestamp of the next datapoint to return (not a count), so datapoints a
 * running job adds meanwhile cannot shift a page; it also carries a fingerprint of the request, and a token used with
 * different queries, times or scan order is CloudWatch's 400 InvalidNextToken.
 */
final class MetricDataPages {
    static final int MAX_DATAPOINTS = 100_800;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** One MetricStat query of the request, with its datapoints for the whole time range in time order. */
    record Query(String id, String label, boolean returnData, List<Instant> times, List<Double> values) {}

    /** Where a page ends: the query and the timestamp of its next datapoint in scan order (null: its first). */
    private record Position(int query, Long next) {}

    private MetricDataPages() {}

    /** A fingerprint of everything that decides the datapoints and their order, tied into the token. */
    static int fingerprint(Instant start, Instant end, boolean ascending, List<String> queryShapes) {
        return Objects.hash(start.toEpochMilli(), end.toEpochMilli(), ascending, queryShapes);
    }

    /** Writes one page into {@code out} (MetricDataResults, and NextToken when more remain). */
    static void page(List<Query> queries, boolean ascending, Integer maxDatapoints, String nextToken, int fingerprint,
                     ObjectNode out) {
        int budget = maxDatapoints == null ? MAX_DATAPOINTS : maxDatapoints;
        if (budget < 1) throw Inputs.invalid("The parameter MaxDatapoints must be a positive integer.");
        budget = Math.min(budget, MAX_DATAPOINTS);
        Position from = nextToken == null ? new Position(0, null) : decode(nextToken, fingerprint, queries.size());
        ArrayNode results = out.putArray("MetricDataResults");
        Position stoppedAt = null;
        for (int q = from.query(); q < queries.size(); q++) {
            Query query = queries.get(q);
            if (!query.returnData()) continue;
            ObjectNode r = results.addObject().put("Id", query.id()).put("Label", query.label());
            ArrayNode ts = r.putArray("Timestamps");
            ArrayNode vs = r.putArray("Values");
            if (stoppedAt != null) {
                r.put("StatusCode", "PartialData");
                continue;
            }
            int n = query.times().size();
            int i = q == from.query() && from.next() != null ? firstAt(query, ascending, from.next()) : 0;
            for (; i < n && budget > 0; i++, budget--) {
                int j = ascending ? i : n - 1 - i;
                ts.addPOJO(query.times().get(j));
                vs.add(query.values().get(j));
            }
            if (i < n) {
                stoppedAt = new Position(q, query.times().get(ascending ? i : n - 1 - i).toEpochMilli());
                r.put("StatusCode", "PartialData");
            } else {
                r.put("StatusCode", "Complete");
            }
        }
        if (stoppedAt != null) out.put("NextToken", encode(stoppedAt, fingerprint));
    }

    /** The scan-order index of the datapoint at {@code timeMillis} (the first one at or past it in scan order). */
    private static int firstAt(Query query, boolean ascending, long timeMillis) {
        int n = query.times().size();
        for (int i = 0; i < n; i++) {
            long t = query.times().get(ascending ? i : n - 1 - i).toEpochMilli();
            if (ascending ? t >= timeMillis : t <= timeMillis) return i;
        }
        return n;
    }

    private static String encode(Position p, int fingerprint) {
        return B64.encodeToString(("1." + p.query() + "." + p.next() + "." + fingerprint).getBytes(StandardCharsets.US_ASCII));
    }

    private static Position decode(String token, int fingerprint, int queries) {
        try {
            String[] f = new String(B64D.decode(token), StandardCharsets.US_ASCII).split("\\.", -1);
            if (f.length == 4 && f[0].equals("1") && Integer.parseInt(f[3]) == fingerprint) {
                int q = Integer.parseInt(f[1]);
                if (q >= 0 && q < queries) return new Position(q, Long.parseLong(f[2]));
            }
        } catch (IllegalArgumentException malformed) {
            // answered below
        }
        // CloudWatch's own words; a token is valid only with the queries, times and ScanBy it was returned for.
        throw new AwsException("InvalidNextToken", 400, "The next token specified is invalid.");
    }
}
