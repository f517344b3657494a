package dev.sagebrush.logs;

import dev.sagebrush.errors.AwsException;
import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GetLogEvents paging as CloudWatch does it. A token is a position between two events of the stream:
 * {@code f/<position>/s} reads forward from it, {@code b/<position>/s} reads the {@code limit} events before it.
 * Without a token, {@code startFromHead} reads forward from the first event at or after {@code startTime}, otherwise
 * the last {@code limit} events before {@code endTime}. Events always come in ascending order; the answer's
 * nextForwardToken points after its last event and nextBackwardToken at its first, and when a direction has no more
 * events the token passed in comes back unchanged, which is how clients know they have reached the end.
 */
final class GetLogEventsPager {
    static final int MAX_LIMIT = 10_000;
    static final long MAX_RESPONSE_BYTES = 1_048_576;
    private static final Pattern TOKEN = Pattern.compile("([fb])/([0-9]{1,56})/s");

    record Page(List<LogEvent> events, String forwardToken, String backwardToken) {}

    private GetLogEventsPager() {}

    static Page page(LogStream stream, Long startTime, Long endTime, String nextToken, int limit,
                     boolean startFromHead) throws IOException {
        LogStream.Snapshot s = stream.snapshot();
        long lo = startTime == null ? 0 : stream.indexAtOrAfter(s, startTime);
        long hi = endTime == null ? s.count() : stream.indexAtOrAfter(s, endTime);
        boolean forward;
        long position;
        if (nextToken != null) {
            Matcher m = TOKEN.matcher(nextToken);
            if (!m.matches()) throw invalidToken();
            forward = m.group(1).equals("f");
            position = parsePosition(m.group(2), s.count());
        } else {
            forward = startFromHead;
            position = forward ? lo : hi;
        }
        List<LogEvent> events;
        if (forward) {
            long from = Math.max(position, lo);
            events = stream.read(s, from, hi, limit, Long.MAX_VALUE, MAX_RESPONSE_BYTES);
        } else {
            long to = Math.min(position, hi);
            long from = Math.max(lo, to - limit);
            events = stream.read(s, from, to, limit, Long.MAX_VALUE, Long.MAX_VALUE);
            // Over the response limit, a backward page keeps the events nearest to where it is reading from.
            long bytes = 0;
            int keepFrom = events.size();
            while (keepFrom > 0 && bytes + events.get(keepFrom - 1).billedBytes() <= MAX_RESPONSE_BYTES) {
                bytes += events.get(--keepFrom).billedBytes();
            }
            if (keepFrom == events.size() && !events.isEmpty()) keepFrom = events.size() - 1;
            events = events.subList(keepFrom, events.size());
        }
        String f;
        String b;
        if (events.isEmpty()) {
            f = token('f', position);
            b = token('b', position);
        } else {
            f = token('f', events.get(events.size() - 1).index() + 1);
            b = token('b', events.get(0).index());
        }
        return new Page(events, f, b);
    }

    private static long parsePosition(String digits, long count) {
        String trimmed = digits.replaceFirst("^0+(?=.)", "");
        if (trimmed.length() > 18) throw invalidToken();
        long p = Long.parseLong(trimmed);
        return Math.min(p, count);
    }

    static String token(char direction, long position) {
        return direction + "/" + String.format("%056d", position) + "/s";
    }

    private static AwsException invalidToken() {
        return new AwsException("InvalidParameterException", 400, "The specified nextToken is invalid.");
    }
}
