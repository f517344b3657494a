package dev.sagebrush.compilation.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked reading of an untrusted FlatBuffer: every offset is checked against the buffer before it is followed,
 * every vtable and table against its declared size, every vector's length against the bytes that remain. A reader
 * built on it follows only the schema's fixed paths, so a hostile buffer (cyclic or overlapping offsets, a vtable
 * pointing anywhere) can make it throw {@link Malformed} but never loop, recurse or read out of bounds.
 * (No FlatBuffers runtime for Java is in this project's dependency set, and this is the part of one a reader needs.)
 */
final class FlatBuffer {
    /** The buffer is not a well-formed FlatBuffer at the place described. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    /** A table: its position and where its vtable says its fields are. */
    record Table(int pos, int vtable, int vtableSize, int tableSize) {}

    /** A vector: the position of its first element and its length. */
    record Vector(int start, int length) {}

    private final ByteBuffer b;

    FlatBuffer(byte[] bytes) {
        this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    int size() {
        return b.capacity();
    }

    /** The root table (the u32 at offset 0 points at it). */
    Table root() throws Malformed {
        return table(checked(Integer.toUnsignedLong(u32(0)), 4, "root table"), "root table");
    }

    /** The table at {@code pos}, with its vtable checked. */
    Table table(int pos, String what) throws Malformed {
        checked(pos, 4, what);
        long vt = (long) pos - b.getInt(pos);
        if (vt < 0 || vt + 4 > size()) throw new Malformed(what + ": vtable offset out of the buffer");
        int vtSize = Short.toUnsignedInt(b.getShort((int) vt));
        int tSize = Short.toUnsignedInt(b.getShort((int) vt + 2));
        if (vtSize < 4 || (vtSize & 1) != 0 || vt + vtSize > size()) throw new Malformed(what + ": bad vtable size");
        if (tSize < 4 || (long) pos + tSize > size()) throw new Malformed(what + ": table runs past the buffer");
        return new Table(pos, (int) vt, vtSize, tSize);
    }

    /** The position of field {@code slot} holding {@code width} bytes, or -1 when absent (its default applies). */
    int field(Table t, int slot, int width, String what) throws Malformed {
        int vo = 4 + 2 * slot;
        if (vo + 2 > t.vtableSize()) return -1;
        int off = Short.toUnsignedInt(b.getShort(t.vtable() + vo));
        if (off == 0) return -1;
        if (off + width > t.tableSize()) throw new Malformed(what + ": field lies outside its table");
        return t.pos() + off;
    }

    int i32(Table t, int slot, int def, String what) throws Malformed {
        int p = field(t, slot, 4, what);
        return p < 0 ? def : b.getInt(p);
    }

    long u32(Table t, int slot, long def, String what) throws Malformed {
        int p = field(t, slot, 4, what);
        return p < 0 ? def : Integer.toUnsignedLong(b.getInt(p));
    }

    int i8(Table t, int slot, int def, String what) throws Malformed {
        int p = field(t, slot, 1, what);
        return p < 0 ? def : b.get(p);
    }

    /** A u64 field (read as signed: anything past 2^63 is as absurd as 2^63 - 1 here). */
    long u64(Table t, int slot, long def, String what) throws Malformed {
        int p = field(t, slot, 8, what);
        return p < 0 ? def : b.getLong(p);
    }

    /** The target of an offset field (table, vector or string), or -1 when absent. */
    int indirect(Table t, int slot, String what) throws Malformed {
        int p = field(t, slot, 4, what);
        return p < 0 ? -1 : follow(p, what);
    }

    /** A sub-table field, or null when absent. */
    Table subTable(Table t, int slot, String what) throws Malformed {
        int p = indirect(t, slot, what);
        return p < 0 ? null : table(p, what);
    }

    /** A vector field of {@code elemSize}-byte elements, at most {@code maxLength} long; empty when absent. */
    Vector vector(Table t, int slot, int elemSize, long maxLength, String what) throws Malformed {
        int p = indirect(t, slot, what);
        if (p < 0) return new Vector(0, 0);
        checked(p, 4, what);
        long n = Integer.toUnsignedLong(b.getInt(p));
        if (n > maxLength) throw new Malformed(what + " has " + n + " entries (limit " + maxLength + ")");
        if (p + 4L + n * elemSize > size()) throw new Malformed(what + " runs past the end of the buffer");
        return new Vector(p + 4, (int) n);
    }

    int i32At(Vector v, int i) {
        return b.getInt(v.start() + 4 * i);
    }

    float f32At(Vector v, int i) {
        return b.getFloat(v.start() + 4 * i);
    }

    long i64At(Vector v, int i) {
        return b.getLong(v.start() + 8 * i);
    }

    /** A u8 field (a union's type tag, an enum). */
    int u8(Table t, int slot, int def, String what) throws Malformed {
        int p = field(t, slot, 1, what);
        return p < 0 ? def : Byte.toUnsignedInt(b.get(p));
    }

    /** Element {@code i} of a vector of tables. */
    Table tableAt(Vector v, int i, String what) throws Malformed {
        return table(follow(v.start() + 4 * i, what), what);
    }

    /** A string field (UTF-8, at most {@code maxBytes}), or null when absent. */
    String string(Table t, int slot, int maxBytes, String what) throws Malformed {
        if (indirect(t, slot, what) < 0) return null;
        Vector v = vector(t, slot, 1, maxBytes, what);
        byte[] bytes = new byte[v.length()];
        b.get(v.start(), bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Malformed(what + " is not UTF-8");
        }
    }

    private int follow(int p, String what) throws Malformed {
        checked(p, 4, what);
        return checked(p + Integer.toUnsignedLong(b.getInt(p)), 4, what);
    }

    private int u32(int p) throws Malformed {
        checked(p, 4, "offset");
        return b.getInt(p);
    }

    private int checked(long pos, int width, String what) throws Malformed {
        if (pos < 0 || pos + width > size()) throw new Malformed(what + ": offset " + pos + " is outside the buffer");
        return (int) pos;
    }
}
