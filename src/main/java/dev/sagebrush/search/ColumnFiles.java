package dev.sagebrush.search;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Columns to and from a stream, for the index snapshot ({@link IndexSnapshot}): primitive arrays in bulk (one byte
 * buffer per array rather than a call per value: a 100,000-job index is a few hundred arrays and ~100 MB), texts as
 * their dictionary in code order (codes are positions, so a dictionary reads back with the same codes).
 */
final class ColumnFiles {
    private static final byte TEXT = 1;
    private static final byte DOUBLE = 2;
    private static final byte LONG = 3;
    private static final byte FLAG = 4;
    private static final byte NONE = 0;

    private ColumnFiles() {}

    static void writeColumn(DataOutputStream out, Object column) throws IOException {
        if (column instanceof Columns.TextColumn t) {
            out.writeByte(TEXT);
            writeInts(out, t.codes);
            int n = t.dictionary.size();
            out.writeInt(n);
            for (int c = 0; c < n; c++) {
                byte[] utf8 = t.value(c).getBytes(StandardCharsets.UTF_8);
                out.writeInt(utf8.length);
                out.write(utf8);
            }
        } else if (column instanceof Columns.DoubleColumn d) {
            out.writeByte(DOUBLE);
            double[] a = d.values;
            ByteBuffer b = ByteBuffer.allocate(a.length * 8);
            b.asDoubleBuffer().put(a);
            writeBlock(out, b.array());
        } else if (column instanceof Columns.LongColumn l) {
            out.writeByte(LONG);
            long[] a = l.values;
            ByteBuffer b = ByteBuffer.allocate(a.length * 8);
            b.asLongBuffer().put(a);
            writeBlock(out, b.array());
        } else if (column instanceof Columns.FlagColumn f) {
            out.writeByte(FLAG);
            writeBlock(out, f.values);
        } else if (column == null) {
            out.writeByte(NONE);
        } else {
            throw new IllegalArgumentException(column.getClass().getName());
        }
    }

    /** Reads what {@link #writeColumn} wrote into {@code into} (a fresh column of the same type), or a new column. */
    static Object readColumn(DataInputStream in, Object into) throws IOException {
        byte type = in.readByte();
        switch (type) {
            case TEXT -> {
                Columns.TextColumn t = into != null ? (Columns.TextColumn) into : new Columns.TextColumn();
                t.codes = readInts(in);
                int n = in.readInt();
                for (int c = 0; c < n; c++) {
                    byte[] utf8 = new byte[in.readInt()];
                    in.readFully(utf8);
                    if (t.dictionary.add(new String(utf8, StandardCharsets.UTF_8)) != c) {
                        throw new IOException("a dictionary in the snapshot repeats a value");
                    }
                }
                return t;
            }
            case DOUBLE -> {
                Columns.DoubleColumn d = into != null ? (Columns.DoubleColumn) into : new Columns.DoubleColumn();
                byte[] raw = readBlock(in);
                double[] a = new double[raw.length / 8];
                ByteBuffer.wrap(raw).asDoubleBuffer().get(a);
                d.values = a;
                return d;
            }
            case LONG -> {
                Columns.LongColumn l = into != null ? (Columns.LongColumn) into : new Columns.LongColumn();
                byte[] raw = readBlock(in);
                long[] a = new long[raw.length / 8];
                ByteBuffer.wrap(raw).asLongBuffer().get(a);
                l.values = a;
                return l;
            }
            case FLAG -> {
                Columns.FlagColumn f = into != null ? (Columns.FlagColumn) into : new Columns.FlagColumn();
                f.values = readBlock(in);
                return f;
            }
            case NONE -> {
                return null;
            }
            default -> throw new IOException("unknown column type " + type + " in the snapshot");
        }
    }

    static void writeRuns(DataOutputStream out, Columns.Runs runs) throws IOException {
        writeInts(out, runs.start);
        writeInts(out, runs.count);
        out.writeInt(runs.children());
    }

    static void readRuns(DataInputStream in, Columns.Runs runs) throws IOException {
        runs.start = readInts(in);
        runs.count = readInts(in);
        runs.restoreChildren(in.readInt());
    }

    static void writeInts(DataOutputStream out, int[] a) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(a.length * 4);
        b.asIntBuffer().put(a);
        writeBlock(out, b.array());
    }

    static int[] readInts(DataInputStream in) throws IOException {
        byte[] raw = readBlock(in);
        int[] a = new int[raw.length / 4];
        ByteBuffer.wrap(raw).asIntBuffer().get(a);
        return a;
    }

    static void writeLongs(DataOutputStream out, long[] a, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n * 8);
        b.asLongBuffer().put(a, 0, n);
        writeBlock(out, b.array());
    }

    static long[] readLongs(DataInputStream in) throws IOException {
        byte[] raw = readBlock(in);
        long[] a = new long[raw.length / 8];
        ByteBuffer.wrap(raw).asLongBuffer().get(a);
        return a;
    }

    static void writeBlock(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static byte[] readBlock(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("a negative length in the snapshot");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
