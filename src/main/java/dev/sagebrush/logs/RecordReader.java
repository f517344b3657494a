package dev.sagebrush.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Reads a stream file's records sequentially from an offset up to a limit (the committed length), through one
 * buffer that is refilled with large positional reads. A record that does not fit before the limit, or whose length
 * is impossible, ends the reading (that is how a torn last record is found).
 */
final class RecordReader {
    record Header(int length, long timestamp, long ingestionTime) {}

    /** For page reads: one system call per megabyte. */
    static final int LARGE = 1 << 20;
    /** For scans of a few records (a time search, one stream among many being merged). */
    static final int SMALL = 16 * 1024;

    private final FileChannel channel;
    private final long limit;
    private ByteBuffer buf;
    /** File offset of buf's position 0. */
    private long bufStart;

    RecordReader(FileChannel channel, long from, long limit, int bufferSize) {
        this.buf = ByteBuffer.allocate(bufferSize);
        this.channel = channel;
        this.limit = limit;
        this.bufStart = from;
        buf.limit(0);
    }

    /** The file offset of the next unread byte. */
    long position() {
        return bufStart + buf.position();
    }

    Header nextHeader() throws IOException {
        if (!ensure(LogStream.RECORD_HEADER)) return null;
        int len = buf.getInt();
        long ts = buf.getLong();
        long ingestion = buf.getLong();
        if (len < 0 || len > LogStream.MAX_MESSAGE_BYTES || position() + len > limit) {
            buf.position(buf.position() - LogStream.RECORD_HEADER);
            return null;
        }
        return new Header(len, ts, ingestion);
    }

    boolean skipBody(Header h) throws IOException {
        if (buf.remaining() >= h.length()) {
            buf.position(buf.position() + h.length());
            return true;
        }
        long target = position() + h.length();
        if (target > limit) return false;
        bufStart = target;
        buf.limit(0);
        buf.position(0);
        return true;
    }

    String body(Header h) throws IOException {
        if (!ensure(h.length())) throw new IOException("log record shorter than its header says");
        String s = new String(buf.array(), buf.arrayOffset() + buf.position(), h.length(), StandardCharsets.UTF_8);
        buf.position(buf.position() + h.length());
        return s;
    }

    /** Makes at least {@code n} bytes available in the buffer, reading more of the file; false at the limit. */
    private boolean ensure(int n) throws IOException {
        if (buf.remaining() >= n) return true;
        long at = position();
        if (at + n > limit) return false;
        int have = buf.remaining();
        if (n > buf.capacity()) {
            // a record larger than the buffer (up to 256 KiB): grow it once, keeping the unread bytes
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(n, buf.capacity() * 2));
            bigger.put(buf);
            bigger.flip();
            buf = bigger;
        }
        buf.compact(); // the unread bytes move to the front; position = have
        bufStart = at;
        long fileLeft = limit - (at + have);
        buf.limit(have + (int) Math.min(buf.capacity() - have, fileLeft));
        while (buf.hasRemaining()) {
            int r = channel.read(buf, bufStart + buf.position());
            if (r <= 0) break;
        }
        buf.flip();
        return buf.remaining() >= n;
    }
}
