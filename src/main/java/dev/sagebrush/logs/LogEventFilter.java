package dev.sagebrush.logs;

import dev.sagebrush.errors.AwsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.PriorityQueue;

/**
 * FilterLogEvents: the matching events of several streams of a group, merged in (timestamp, stream name, position)
 * order. A call stops after {@code limit} events, 1 MB, or {@link #MAX_SCANNED} events looked at (as CloudWatch, it
 * may then answer few or no events with a nextToken: keep paging). The nextToken is the last event looked at, so the
 * next call resumes right after it, whatever has been appended meanwhile.
 */
final class LogEventFilter {
    static final int MAX_SCANNED = 200_000;
    private static final int CHUNK = 512;

    record Match(String stream, LogEvent event) {}

    record Result(List<Match> events, String nextToken) {}

    /** The (timestamp, stream, index) position a nextToken resumes after. */
    private record Key(long timestamp, String stream, long index) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(timestamp, o.timestamp);
            if (c != 0) return c;
            c = stream.compareTo(o.stream);
            return c != 0 ? c : Long.compare(index, o.index);
        }
    }

    /** Reads one stream forward in chunks. */
    private static final class Cursor {
        final LogStream stream;
        final LogStream.Snapshot snapshot;
        final long endTime;
        long next;
        List<LogEvent> chunk = List.of();
        int at;

        Cursor(LogStream stream, LogStream.Snapshot snapshot, long from, long endTime) {
            this.stream = stream;
            this.snapshot = snapshot;
            this.next = from;
            this.endTime = endTime;
        }

        LogEvent peek() throws IOException {
            if (at < chunk.size()) return chunk.get(at);
            if (next >= snapshot.count()) return null;
            chunk = stream.read(snapshot, next, snapshot.count(), CHUNK, endTime, Long.MAX_VALUE, RecordReader.SMALL);
            at = 0;
            if (chunk.isEmpty()) {
                next = snapshot.count();
                return null;
            }
            next = chunk.get(chunk.size() - 1).index() + 1;
            return chunk.get(0);
        }

        Key key() throws IOException {
            LogEvent e = peek();
            return new Key(e.timestamp(), stream.name(), e.index());
        }
    }

    private LogEventFilter() {}

    static Result filter(Collection<LogStream> streams, long startTime, long endTime, FilterPattern pattern,
                         String nextToken, int limit) throws IOException {
        Key after = nextToken == null ? null : decode(nextToken);
        long from = Math.max(startTime, after == null ? Long.MIN_VALUE : after.timestamp());
        PriorityQueue<Cursor> queue = new PriorityQueue<>((a, b) -> {
            try {
                return a.key().compareTo(b.key());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            for (LogStream s : streams) {
                LogStream.Snapshot snap = s.snapshot();
                if (snap.isEmpty() || snap.lastTimestamp() < from || snap.firstTimestamp() >= endTime) continue;
                Cursor c = new Cursor(s, snap, s.indexAtOrAfter(snap, from), endTime);
                while (c.peek() != null && after != null && c.key().compareTo(after) <= 0) c.at++;
                if (c.peek() != null) queue.add(c);
            }
            List<Match> out = new ArrayList<>();
            long bytes = 0;
            int scanned = 0;
            Key last = null;
            while (!queue.isEmpty()) {
                if (out.size() >= limit || scanned >= MAX_SCANNED) return new Result(out, encode(last));
                Cursor c = queue.poll();
                LogEvent e = c.peek();
                if (pattern.matches(e.message())) {
                    if (bytes + e.billedBytes() > GetLogEventsPager.MAX_RESPONSE_BYTES && !out.isEmpty()) {
                        return new Result(out, encode(last));
                    }
                    out.add(new Match(c.stream.name(), e));
                    bytes += e.billedBytes();
                }
                last = new Key(e.timestamp(), c.stream.name(), e.index());
                scanned++;
                c.at++;
                if (c.peek() != null) queue.add(c);
            }
            return new Result(out, null);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** A stable, unique event id: the stream's hashed name and the event's position. */
    static String eventId(String stream, long index) {
        return LogFiles.fileName(stream) + String.format("%020d", index);
    }

    private static String encode(Key k) {
        if (k == null) return null;
        String raw = k.timestamp() + "\n" + k.index() + "\n" + k.stream();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static Key decode(String token) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] parts = raw.split("\n", 3);
            return new Key(Long.parseLong(parts[0]), parts[2], Long.parseLong(parts[1]));
        } catch (RuntimeException e) {
            throw new AwsException("InvalidParameterException", 400, "The specified nextToken is invalid.");
        }
    }
}
