package dev.sagebrush.search;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The Search indexes on disk, so a restart reads their columns back instead of re-extracting every job from the store:
 * with 100,000 jobs, reading ~100 MB of arrays takes a fraction of a second where parsing, extracting and compressing
 * every document takes several seconds of CPU.
 *
 * <p>A snapshot is written when the server stops, at a change feed position {@code seq} up to which it holds every
 * change, and each job in it carries the feed position it was read at. It is only trusted after a check against the
 * store's feed ({@link #consistent}): every training job whose latest change is at or before {@code seq} must be in it
 * at exactly that position, deleted ones must be absent, and every job in it must still be in the feed. Changes after
 * {@code seq} are then applied from the feed as usual. A snapshot of another database, of a restored backup, of a
 * different format or catalogue, a torn or corrupt file: all fail a check and the index is loaded from the store.
 * A crash leaves the previous snapshot, which is older but checks out the same way.
 */
final class IndexSnapshot {
    private static final int MAGIC = 0x53425358; // "SBSX"
    private static final int FORMAT = 1;

    private IndexSnapshot() {}

    /** What a snapshot holds: the indexes by "account/region" and the feed position they are complete up to. */
    record Contents(long seq, Map<String, TrainingJobIndex> indexes) {}

    /** Writes atomically (a temporary file, fsynced, renamed over the old one); owner-only permissions. */
    static void write(Path file, long seq, Map<String, TrainingJobIndex> indexes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        CRC32 crc = new CRC32();
        try (OutputStream raw = Files.newOutputStream(tmp, StandardOpenOption.WRITE);
             DataOutputStream out = new DataOutputStream(new CheckedOutputStream(
                     new BufferedOutputStream(raw, 1 << 16), crc))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeLong(fingerprint());
            out.writeLong(seq);
            out.writeInt(indexes.size());
            for (Map.Entry<String, TrainingJobIndex> e : indexes.entrySet()) {
                out.writeUTF(e.getKey());
                e.getValue().writeTo(out);
            }
            out.flush();
            new DataOutputStream(raw).writeLong(crc.getValue()); // outside the checksum it covers
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a snapshot; throws IOException if it is not one this code wrote, intact. */
    static Contents read(Path file, byte[] tokenKey) throws IOException {
        long size = Files.size(file);
        CRC32 crc = new CRC32();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DataInputStream in = new DataInputStream(new CheckedInputStream(new LimitedStream(raw, size - 8), crc));
            if (in.readInt() != MAGIC || in.readInt() != FORMAT || in.readLong() != fingerprint()) {
                throw new IOException("not a snapshot of this format and catalogue");
            }
            long seq = in.readLong();
            int n = in.readInt();
            Map<String, TrainingJobIndex> indexes = new HashMap<>();
            for (int i = 0; i < n; i++) {
                String key = in.readUTF();
                indexes.put(key, TrainingJobIndex.readFrom(in, tokenKey));
            }
            if (in.read() != -1) {
                throw new IOException("trailing bytes");
            }
            if (new DataInputStream(raw).readLong() != crc.getValue()) {
                throw new IOException("checksum mismatch");
            }
            return new Contents(seq, indexes);
        } catch (RuntimeException e) {
            throw new IOException("unreadable snapshot: " + e, e);
        }
    }

    /**
     * Whether the snapshot, complete up to {@code seq}, agrees with the store's feed (see the class comment).
     *
     * @param positions the store's {@code feedPositions} for training jobs
     * @param head      the store's head sequence number
     */
    static boolean consistent(Contents snapshot, Map<String, Long> positions, long head) {
        long seq = snapshot.seq();
        if (seq > head) {
            return false; // the store is behind the snapshot: another database, or restored from a backup
        }
        long[] heldDue = {0};
        boolean[] ok = {true};
        for (TrainingJobIndex index : snapshot.indexes().values()) {
            index.forEachJob((arn, jobSeq) -> {
                Long p = positions.get(arn);
                if (p == null) {
                    ok[0] = false; // not in the feed at all: never this database's
                } else if (Math.abs(p) <= seq) {
                    // Not changed since: it must be this very change (a deletion never matches a held job).
                    if (p != jobSeq) ok[0] = false;
                    heldDue[0]++;
                } // else changed or deleted after the snapshot: the feed brings it
            });
        }
        // Every job alive at or before seq is held: the held ones among them matched above, so counting suffices.
        return ok[0] && positions.values().stream().filter(p -> p > 0 && p <= seq).count() == heldDue[0];
    }

    /** The catalogue's shape: a snapshot of records extracted along another catalogue is not read. */
    private static long fingerprint() {
        long h = 1125899906842597L;
        for (Property p : PropertyCatalogue.trainingJob().all()) {
            for (char c : (p.name() + ' ' + p.type().word() + (p.list() ? "[]" : "") + ';').toCharArray()) {
                h = 31 * h + c;
            }
        }
        return h;
    }

    /** The first {@code limit} bytes of a stream (the checksum that follows is read separately). */
    private static final class LimitedStream extends java.io.FilterInputStream {
        private long left;

        LimitedStream(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) return -1;
            int b = super.read();
            if (b >= 0) left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }
    }
}
