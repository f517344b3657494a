package dev.sagebrush.compilation.xgboost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Minimal UBJSON (Draft 12, as written by XGBoost) reader producing a Jackson tree, so JSON and UBJSON models share
 * one model reader. Handles optimized containers ({@code $type} and {@code #count}), which XGBoost uses for every
 * numeric array. Float32 values become FloatNodes, keeping the exact bits. Big-endian, as the spec requires.
 * Counts and lengths are bounded by the remaining input so a hostile file cannot make us allocate gigabytes.
 */
final class UbjsonReader {
    private static final JsonNodeFactory F = JsonNodeFactory.withExactBigDecimals(true);
    private static final int MAX_DEPTH = 64;

    private final ByteBuffer buf;
    /** Values left to read; see {@link XgbLimits}: typed containers of 'Z', 'T' or 'F' cost no bytes per value. */
    private long elementsLeft;
    private final long budget;

    private UbjsonReader(byte[] data) {
        this.buf = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        this.budget = XgbLimits.elementBudget(data.length);
        this.elementsLeft = budget;
    }

    static JsonNode parse(byte[] data) throws XgbModelException {
        try {
            UbjsonReader r = new UbjsonReader(data);
            return r.value(r.buf.get(), 0);
        } catch (java.nio.BufferUnderflowException e) {
            throw new XgbModelException("UBJSON model is truncated");
        }
    }

    private JsonNode value(byte marker, int depth) throws XgbModelException {
        if (depth > MAX_DEPTH) {
            throw new XgbModelException("UBJSON nesting deeper than " + MAX_DEPTH);
        }
        if (--elementsLeft < 0) {
            throw XgbLimits.tooManyElements(budget);
        }
        switch (marker) {
            case 'Z': return F.nullNode();
            case 'T': return F.booleanNode(true);
            case 'F': return F.booleanNode(false);
            case 'i': return F.numberNode((int) buf.get());
            case 'U': return F.numberNode(Byte.toUnsignedInt(buf.get()));
            case 'I': return F.numberNode((int) buf.getShort());
            case 'l': return F.numberNode(buf.getInt());
            case 'L': return F.numberNode(buf.getLong());
            case 'd': return F.numberNode(buf.getFloat());
            case 'D': return F.numberNode(buf.getDouble());
            case 'C': return F.textNode(String.valueOf((char) buf.get()));
            case 'S': return F.textNode(string());
            case 'H': return F.numberNode(new BigDecimal(string()));
            case '[': return array(depth);
            case '{': return object(depth);
            default:
                throw new XgbModelException("invalid UBJSON type marker 0x" + Integer.toHexString(marker & 0xff)
                        + " at byte " + (buf.position() - 1));
        }
    }

    /** A container's optional {@code $type} and {@code #count}: type 0 means untyped, count -1 means uncounted. */
    private record ContainerHeader(byte type, long count) {}

    private ContainerHeader header() throws XgbModelException {
        if (peek() == '$') {
            buf.get();
            byte type = buf.get();
            expect('#'); // a typed container must be counted
            return new ContainerHeader(type, length());
        }
        if (peek() == '#') {
            buf.get();
            return new ContainerHeader((byte) 0, length());
        }
        return new ContainerHeader((byte) 0, -1);
    }

    private ArrayNode array(int depth) throws XgbModelException {
        ArrayNode a = F.arrayNode();
        ContainerHeader h = header();
        byte type = h.type();
        long count = h.count();
        if (count >= 0) {
            reserve(count);
            for (long i = 0; i < count; i++) {
                a.add(value(type != 0 ? type : buf.get(), depth + 1));
            }
            return a;
        }
        byte m;
        while ((m = buf.get()) != ']') {
            a.add(value(m, depth + 1));
        }
        return a;
    }

    private ObjectNode object(int depth) throws XgbModelException {
        ObjectNode o = F.objectNode();
        ContainerHeader h = header();
        byte type = h.type();
        long count = h.count();
        if (count >= 0) {
            reserve(count);
            for (long i = 0; i < count; i++) {
                String key = string();
                o.set(key, value(type != 0 ? type : buf.get(), depth + 1));
            }
            return o;
        }
        while (peek() != '}') {
            String key = string();
            o.set(key, value(buf.get(), depth + 1));
        }
        buf.get();
        return o;
    }

    /** Refuses a counted container the budget cannot pay for before any of it is read (each value is paid again). */
    private void reserve(long count) throws XgbModelException {
        if (count > elementsLeft) {
            throw XgbLimits.tooManyElements(budget);
        }
    }

    private String string() throws XgbModelException {
        int n = (int) length();
        byte[] b = new byte[n];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A length or count: an integer-typed value, checked against the bytes left (each element is >= 1 byte). */
    private long length() throws XgbModelException {
        byte m = buf.get();
        long n;
        switch (m) {
            case 'i': n = buf.get(); break;
            case 'U': n = Byte.toUnsignedInt(buf.get()); break;
            case 'I': n = buf.getShort(); break;
            case 'l': n = buf.getInt(); break;
            case 'L': n = buf.getLong(); break;
            default: throw new XgbModelException("invalid UBJSON length marker 0x" + Integer.toHexString(m & 0xff));
        }
        if (n < 0 || n > buf.remaining()) {
            throw new XgbModelException("UBJSON length " + n + " exceeds the remaining " + buf.remaining() + " bytes");
        }
        return n;
    }

    private byte peek() { return buf.get(buf.position()); }

    private void expect(char c) throws XgbModelException {
        byte b = buf.get();
        if (b != c) {
            throw new XgbModelException("UBJSON: expected '" + c + "' at byte " + (buf.position() - 1));
        }
    }
}
