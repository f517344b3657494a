package dev.sagebrush.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One log stream: an append-only file of events and a sparse in-memory index over it.
 *
 * <p>File: a header ({@code SBLOGS1\n}, creation time, the stream's name), then records {@code [int length]
 * [long timestamp][long ingestionTime][length bytes of UTF-8]}. The index keeps the file offset and timestamp of every
 * {@value #INDEX_EVERY}th event, so a read at any position or time costs one binary search plus a scan of at most
 * that many record headers. Timestamps never decrease within a stream (a producer's clock stepping back is clamped),
 * which is what makes the search by time a binary search.
 *
 * <p>Appends go to a buffer; {@link #writePending} moves the buffer to the file (readers see events only from then
 * on) and {@link #sync} also forces it to disk.
 *
 * <p>Several nodes may share the file (docs/cluster.md): one writes it at a time, holding an exclusive lock on a
 * {@code .lock} file beside it for as long as it appends (the kernel drops the lock when the writer dies), and every
 * other node reads it, extending its index over the complete records the writer has added since ({@link #snapshot}).
 * An incomplete last record is never indexed; it is cut off only by the next writer, under the lock, since until
 * then it may be a write in progress.
 */
final class LogStream {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LogStream.class);
    static final int INDEX_EVERY = 128;
    static final int RECORD_HEADER = 4 + 8 + 8;
    /** CloudWatch's largest event: 256 KiB minus its 26 bytes of overhead. */
    static final int MAX_MESSAGE_BYTES = 256 * 1024 - 26;
    private static final byte[] MAGIC = "SBLOGS1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int PENDING_WRITE_AT = 1 << 20;

    private final Path file;
    private final String name;
    private final long creationTime;
    private final long maxBytes;

    // Committed state: what is in the file. Guarded by this.
    private long count;
    private long length;
    private long firstTimestamp = Long.MIN_VALUE;
    private long lastTimestamp = Long.MIN_VALUE;
    private long lastIngestionTime = Long.MIN_VALUE;
    private long[] blockOffsets = new long[16];
    private long[] blockTimestamps = new long[16];
    private int blocks;

    // Appended but not yet written. Guarded by this.
    private FileChannel writer;
    private FileChannel writerLock;
    private ByteBuffer pending = ByteBuffer.allocate(64 * 1024);
    private int pendingCount;
    private long appendedLastTimestamp = Long.MIN_VALUE;
    private boolean dirty;
    private boolean full;
    private long dropped;

    private LogStream(Path file, String name, long creationTime, long maxBytes) {
        this.file = file;
        this.name = name;
        this.creationTime = creationTime;
        this.maxBytes = maxBytes;
    }

    /**
     * Creates the stream's file (fsynced with its directory, so the stream survives a crash from now on), or opens it
     * when another node has created it meanwhile.
     */
    static LogStream create(Path file, String name, long creationTime, long maxBytes) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer header = ByteBuffer.allocate(MAGIC.length + 8 + 4 + nameBytes.length);
        header.put(MAGIC).putLong(creationTime).putInt(nameBytes.length).put(nameBytes).flip();
        Path tmp = LogFiles.uniqueTemporary(file);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (header.hasRemaining()) ch.write(header);
            ch.force(true);
        }
        LogFiles.publishOnce(tmp, file);
        return open(file, maxBytes);
    }

    /** Opens an existing stream file for reading, indexing its complete records. */
    static LogStream open(Path file, long maxBytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 12);
            readFully(ch, head, 0);
            head.flip();
            byte[] magic = new byte[MAGIC.length];
            head.get(magic);
            if (!Arrays.equals(magic, MAGIC)) throw new IOException("not a Sagebrush log stream file: " + file);
            long created = head.getLong();
            int nameLength = head.getInt();
            if (nameLength < 0 || nameLength > 4096) throw new IOException("corrupt log stream header: " + file);
            ByteBuffer nameBuf = ByteBuffer.allocate(nameLength);
            readFully(ch, nameBuf, MAGIC.length + 12);
            LogStream s = new LogStream(file, new String(nameBuf.array(), StandardCharsets.UTF_8), created, maxBytes);
            s.length = MAGIC.length + 12 + nameLength;
            s.scan(ch);
            return s;
        }
    }

    /** Indexes the complete records past {@code length}: those another node (or an earlier run) wrote. */
    private void scan(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size <= length) return;
        RecordReader r = new RecordReader(ch, length, size, RecordReader.LARGE);
        while (true) {
            long at = r.position();
            RecordReader.Header h = r.nextHeader();
            if (h == null) break;
            if (!r.skipBody(h)) break;
            noteCommitted(at, h.timestamp(), h.ingestionTime());
            length = r.position();
        }
        appendedLastTimestamp = Math.max(appendedLastTimestamp, lastTimestamp);
    }

    /**
     * While another node writes the stream: indexes what it has written since the last look. A file that cannot be
     * read now leaves the view as it was (the next read tries again).
     */
    private void catchUp() {
        if (writer != null) return; // written here: the index is already current
        try {
            if (Files.size(file) <= length) return;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                scan(ch);
            }
        } catch (IOException e) {
            log.warn("Reading log stream {} failed: {}", name, e.getMessage());
        }
    }

    private void noteCommitted(long offset, long timestamp, long ingestionTime) {
        if (count % INDEX_EVERY == 0) {
            if (blocks == blockOffsets.length) {
                blockOffsets = Arrays.copyOf(blockOffsets, blocks * 2);
                blockTimestamps = Arrays.copyOf(blockTimestamps, blocks * 2);
            }
            blockOffsets[blocks] = offset;
            blockTimestamps[blocks] = timestamp;
            blocks++;
        }
        if (count == 0) firstTimestamp = timestamp;
        lastTimestamp = timestamp;
        lastIngestionTime = ingestionTime;
        count++;
    }

    String name() {
        return name;
    }

    long creationTime() {
        return creationTime;
    }

    // ------------------------------------------------------------------------------------------------------ writing

    /**
     * Takes the stream's writer lock and makes the file end at its last complete record. Fails when another node (or
     * another store in this process) is writing the stream.
     */
    synchronized void openForAppend() throws IOException {
        if (writer != null) return;
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        boolean locked = false;
        try {
            try {
                locked = lockChannel.tryLock() != null;
            } catch (java.nio.channels.OverlappingFileLockException e) {
                locked = false;
            }
            if (!locked) throw new IOException("log stream " + name + " is being written by another node");
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                scan(ch); // what the previous writer (another node) appended
                if (ch.size() > length) {
                    ch.truncate(length); // a torn record from a writer that died mid-write: it was never readable
                    ch.force(true);
                }
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            writer = ch;
            writerLock = lockChannel;
        } finally {
            if (writer == null) lockChannel.close();
        }
    }

    /** Buffers one event; past the stream's size limit, events are counted and dropped after one marker event. */
    synchronized void append(long timestamp, long ingestionTime, String message) throws IOException {
        if (full) {
            dropped++;
            return;
        }
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_MESSAGE_BYTES) bytes = Arrays.copyOf(bytes, MAX_MESSAGE_BYTES);
        if (length + pending.position() + RECORD_HEADER + bytes.length + 1024 > maxBytes) {
            full = true;
            dropped++;
            bytes = ("[Sagebrush] This log stream reached its size limit of " + maxBytes + " bytes; later lines "
                    + "are not stored.").getBytes(StandardCharsets.UTF_8);
        }
        long ts = Math.max(timestamp, appendedLastTimestamp);
        appendedLastTimestamp = ts;
        int need = RECORD_HEADER + bytes.length;
        if (pending.remaining() < need) {
            if (pending.position() > 0) writePendingLocked();
            if (pending.capacity() < need) pending = ByteBuffer.allocate(Math.max(need, pending.capacity() * 2));
        }
        pending.putInt(bytes.length).putLong(ts).putLong(ingestionTime).put(bytes);
        pendingCount++;
        if (pending.position() >= PENDING_WRITE_AT) writePendingLocked();
    }

    /** Moves buffered events into the file, where readers see them. */
    synchronized void writePending() throws IOException {
        writePendingLocked();
    }

    private void writePendingLocked() throws IOException {
        if (pendingCount == 0 || writer == null) return;
        pending.flip();
        long at = length;
        long pos = length;
        while (pending.hasRemaining()) pos += writer.write(pending, pos);
        // Index the events just written (their headers are still in the buffer).
        ByteBuffer b = pending.duplicate();
        b.position(0);
        while (b.remaining() >= RECORD_HEADER) {
            int len = b.getInt();
            long ts = b.getLong();
            long ingestion = b.getLong();
            noteCommitted(at, ts, ingestion);
            at += RECORD_HEADER + len;
            b.position(b.position() + len);
        }
        length = pos;
        pending.clear();
        if (pending.capacity() > 4 * PENDING_WRITE_AT) pending = ByteBuffer.allocate(64 * 1024);
        pendingCount = 0;
        dirty = true;
    }

    /**
     * Writes what is buffered and forces it to disk. The force runs outside the lock: a producer appending meanwhile
     * must not wait for the disk.
     */
    void sync() throws IOException {
        FileChannel ch;
        synchronized (this) {
            writePendingLocked();
            if (!dirty || writer == null) return;
            dirty = false;
            ch = writer;
        }
        try {
            ch.force(false);
        } catch (java.nio.channels.ClosedChannelException e) {
            // closed meanwhile by closeForAppend, which forced it itself
        }
    }

    synchronized void closeForAppend() throws IOException {
        writePendingLocked();
        if (writer != null) {
            try {
                writer.force(false);
                writer.close();
            } finally {
                writer = null;
                dirty = false;
                writerLock.close(); // releases the lock: another node may write the stream from now on
                writerLock = null;
            }
        }
    }

    synchronized boolean isOpenForAppend() {
        return writer != null;
    }

    synchronized long dropped() {
        return dropped;
    }

    // ------------------------------------------------------------------------------------------------------ reading

    /** A consistent view of the committed events, taken under the lock and then read without it. */
    record Snapshot(long count, long length, long firstTimestamp, long lastTimestamp, long lastIngestionTime,
                    long[] blockOffsets, long[] blockTimestamps, int blocks) {
        boolean isEmpty() {
            return count == 0;
        }
    }

    synchronized Snapshot snapshot() {
        catchUp();
        return new Snapshot(count, length, firstTimestamp, lastTimestamp, lastIngestionTime, blockOffsets,
                blockTimestamps, blocks);
    }

    /** The index of the first event with a timestamp at or after {@code time} ({@code count} when none is). */
    long indexAtOrAfter(Snapshot s, long time) throws IOException {
        if (s.isEmpty() || time <= s.firstTimestamp()) return 0;
        if (time > s.lastTimestamp()) return s.count();
        // The last block that starts before `time`: the answer is in it or at the start of the next.
        int lo = 0;
        int hi = s.blocks() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (s.blockTimestamps()[mid] < time) lo = mid;
            else hi = mid - 1;
        }
        long index = (long) lo * INDEX_EVERY;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            RecordReader r = new RecordReader(ch, s.blockOffsets()[lo], s.length(), RecordReader.SMALL);
            while (index < s.count()) {
                RecordReader.Header h = r.nextHeader();
                if (h == null || h.timestamp() >= time) return index;
                r.skipBody(h);
                index++;
            }
        }
        return s.count();
    }

    /**
     * Reads events {@code from} (inclusive) forward, stopping before {@code to}, after {@code limit} events, at the
     * first event at or after {@code endTime}, or once {@code maxBytes} (CloudWatch's billed size) would be passed.
     */
    List<LogEvent> read(Snapshot s, long from, long to, int limit, long endTime, long maxBytes) throws IOException {
        return read(s, from, to, limit, endTime, maxBytes, limit > 256 ? RecordReader.LARGE : RecordReader.SMALL);
    }

    List<LogEvent> read(Snapshot s, long from, long to, int limit, long endTime, long maxBytes, int bufferSize)
            throws IOException {
        List<LogEvent> out = new ArrayList<>(Math.min(limit, 1024));
        long end = Math.min(to, s.count());
        if (from >= end || limit <= 0) return out;
        int block = (int) (from / INDEX_EVERY);
        long index = (long) block * INDEX_EVERY;
        long bytes = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            RecordReader r = new RecordReader(ch, s.blockOffsets()[block], s.length(), bufferSize);
            while (index < from) {
                RecordReader.Header h = r.nextHeader();
                if (h == null) return out;
                r.skipBody(h);
                index++;
            }
            while (index < end && out.size() < limit) {
                RecordReader.Header h = r.nextHeader();
                if (h == null || h.timestamp() >= endTime) break;
                if (bytes + h.length() + 26 > maxBytes && !out.isEmpty()) break;
                String message = r.body(h);
                out.add(new LogEvent(index, h.timestamp(), h.ingestionTime(), message, h.length()));
                bytes += h.length() + 26;
                index++;
            }
        }
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new IOException("unexpected end of log stream file");
            pos += n;
        }
    }
}
