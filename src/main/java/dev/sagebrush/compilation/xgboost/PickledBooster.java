package dev.sagebrush.compilation.xgboost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Takes the model bytes out of a Python pickle of an {@code xgboost.core.Booster}, the {@code xgboost-model} that
 * SageMaker's built-in XGBoost 0.90-1 to 1.2-2 write ({@code pickle.dump(booster)}). The pickle is <em>read</em>, never
 * run: a small stack machine understands the opcodes such a pickle uses (protocols 2 to 5), records the names of the
 * globals it references without importing anything, and accepts only {@code xgboost.core.Booster} built from a state
 * dict whose {@code handle} is bytes or {@code bytearray(...)}. The handle is XGBoost's legacy binary model (pickles of
 * xgboost before 1.0) or its serialization document ({@code {"Config": ..., "Model": ...}} as UBJSON or JSON), which
 * {@link XgbLoader} then reads.
 */
final class PickledBooster {
    private static final Object MARK = new Object();

    private record Global(String module, String name) {
        @Override
        public String toString() { return module + "." + name; }
    }

    private record Call(Global callable, List<Object> args, Object[] state) {}

    private PickledBooster() { }

    static boolean looksLikePickle(byte[] data) {
        return data.length >= 2 && (data[0] & 0xff) == 0x80 && data[1] >= 2 && data[1] <= 5;
    }

    /** The model bytes of the pickled Booster. */
    static byte[] handle(byte[] data) throws XgbModelException {
        Object top;
        try {
            top = run(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN));
        } catch (RuntimeException e) { // BufferUnderflow, ClassCast, IndexOutOfBounds: a malformed pickle
            throw new XgbModelException("the Python pickle is malformed (" + e.getClass().getSimpleName() + ")");
        }
        if (!(top instanceof Call booster) || !booster.callable().equals(new Global("xgboost.core", "Booster"))) {
            throw new XgbModelException("the Python pickle does not hold an xgboost Booster");
        }
        if (!(booster.state()[0] instanceof Map<?, ?> state) || !state.containsKey("handle")) {
            throw new XgbModelException("the pickled Booster has no model (no 'handle' in its state)");
        }
        Object handle = state.get("handle");
        if (handle instanceof byte[] b) return b;
        if (handle instanceof Call c && c.callable().name().equals("bytearray")) {
            if (c.args().size() == 1 && c.args().get(0) instanceof byte[] b) return b;
            if (c.args().size() == 2 && c.args().get(0) instanceof String s) return s.getBytes(StandardCharsets.ISO_8859_1);
            if (c.args().isEmpty()) return new byte[0];
        }
        throw new XgbModelException("the pickled Booster's handle is not bytes");
    }

    private static Object run(ByteBuffer in) throws XgbModelException {
        List<Object> stack = new ArrayList<>();
        Map<Long, Object> memo = new HashMap<>();
        while (true) {
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get(); // PROTO
                case 0x95 -> in.getLong(); // FRAME
                case '.' -> { return pop(stack); } // STOP
                case 0x94 -> memo.put((long) memo.size(), peek(stack)); // MEMOIZE
                case 'q' -> memo.put((long) (in.get() & 0xff), peek(stack)); // BINPUT
                case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek(stack)); // LONG_BINPUT
                case 'h' -> stack.add(memoGet(memo, in.get() & 0xff)); // BINGET
                case 'j' -> stack.add(memoGet(memo, in.getInt() & 0xffffffffL)); // LONG_BINGET
                case '(' -> stack.add(MARK);
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'K' -> stack.add((long) (in.get() & 0xff)); // BININT1
                case 'M' -> stack.add((long) (in.getShort() & 0xffff)); // BININT2
                case 'J' -> stack.add((long) in.getInt()); // BININT
                case 0x8a -> { in.position(in.position() + (in.get() & 0xff)); stack.add(0L); } // LONG1 (value unused)
                case 'G' -> stack.add(ByteBuffer.wrap(bytes(in, 8)).getDouble()); // BINFLOAT (big-endian)
                case 0x8c -> stack.add(text(in, in.get() & 0xff)); // SHORT_BINUNICODE
                case 'X' -> stack.add(text(in, length(in.getInt() & 0xffffffffL, in))); // BINUNICODE
                case 0x8d -> stack.add(text(in, length(in.getLong(), in))); // BINUNICODE8
                case 'C' -> stack.add(bytes(in, in.get() & 0xff)); // SHORT_BINBYTES
                case 'B' -> stack.add(bytes(in, length(in.getInt() & 0xffffffffL, in))); // BINBYTES
                case 0x8e -> stack.add(bytes(in, length(in.getLong(), in))); // BINBYTES8
                case 0x96 -> stack.add(new Call(new Global("builtins", "bytearray"),
                        List.of(bytes(in, length(in.getLong(), in))), new Object[1])); // BYTEARRAY8
                case ')' -> stack.add(new ArrayList<>()); // EMPTY_TUPLE
                case ']' -> stack.add(new ArrayList<>()); // EMPTY_LIST
                case '}' -> stack.add(new LinkedHashMap<>()); // EMPTY_DICT
                case 0x85 -> stack.add(list(pop(stack))); // TUPLE1
                case 0x86 -> { Object b = pop(stack), a = pop(stack); stack.add(list(a, b)); } // TUPLE2
                case 0x87 -> { Object c = pop(stack), b = pop(stack), a = pop(stack); stack.add(list(a, b, c)); }
                case 't' -> stack.add(popToMark(stack)); // TUPLE
                case 'l' -> stack.add(popToMark(stack)); // LIST
                case 'a' -> { Object v = pop(stack); asList(peek(stack)).add(v); } // APPEND
                case 'e' -> { List<Object> items = popToMark(stack); asList(peek(stack)).addAll(items); } // APPENDS
                case 's' -> { Object v = pop(stack), k = pop(stack); asMap(peek(stack)).put(k, v); } // SETITEM
                case 'u' -> { // SETITEMS
                    List<Object> items = popToMark(stack);
                    Map<Object, Object> m = asMap(peek(stack));
                    for (int i = 0; i + 1 < items.size(); i += 2) m.put(items.get(i), items.get(i + 1));
                }
                case 0x93 -> { Object name = pop(stack), module = pop(stack); // STACK_GLOBAL
                    stack.add(new Global((String) module, (String) name)); }
                case 'c' -> stack.add(new Global(line(in), line(in))); // GLOBAL
                case 0x81, 'R' -> { // NEWOBJ, REDUCE: recorded, never called
                    Object args = pop(stack);
                    Object callable = pop(stack);
                    stack.add(new Call(allowed(callable), asList(args), new Object[1]));
                }
                case 'b' -> { Object state = pop(stack); ((Call) peek(stack)).state()[0] = state; } // BUILD
                default -> throw new XgbModelException(String.format("the Python pickle uses opcode 0x%02x, which an "
                        + "xgboost Booster pickle does not", op));
            }
            if (stack.size() > 100_000) throw new XgbModelException("the Python pickle is too deeply nested");
        }
    }

    private static Global allowed(Object callable) throws XgbModelException {
        if (callable instanceof Global g && (g.equals(new Global("xgboost.core", "Booster"))
                || g.equals(new Global("builtins", "bytearray")) || g.equals(new Global("__builtin__", "bytearray")))) {
            return g;
        }
        throw new XgbModelException("the Python pickle calls " + callable + ", which is not part of an xgboost Booster");
    }

    private static List<Object> list(Object... items) {
        return new ArrayList<>(java.util.Arrays.asList(items));
    }

    private static Object memoGet(Map<Long, Object> memo, long key) throws XgbModelException {
        if (!memo.containsKey(key)) throw new XgbModelException("the Python pickle refers to a missing memo entry");
        return memo.get(key);
    }

    private static int length(long n, ByteBuffer in) throws XgbModelException {
        if (n < 0 || n > in.remaining()) throw new XgbModelException("the Python pickle is truncated");
        return (int) n;
    }

    private static byte[] bytes(ByteBuffer in, int n) {
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static String text(ByteBuffer in, int n) {
        return new String(bytes(in, n), StandardCharsets.UTF_8);
    }

    private static String line(ByteBuffer in) {
        StringBuilder sb = new StringBuilder();
        for (byte b = in.get(); b != '\n'; b = in.get()) sb.append((char) (b & 0xff));
        return sb.toString();
    }

    private static Object pop(List<Object> stack) throws XgbModelException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw new XgbModelException("the Python pickle is malformed (stack underflow)");
        }
        return stack.remove(stack.size() - 1);
    }

    private static Object peek(List<Object> stack) throws XgbModelException {
        if (stack.isEmpty()) throw new XgbModelException("the Python pickle is malformed (stack underflow)");
        return stack.get(stack.size() - 1);
    }

    private static List<Object> popToMark(List<Object> stack) throws XgbModelException {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) throw new XgbModelException("the Python pickle is malformed (no mark)");
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object o) {
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> asMap(Object o) {
        return (Map<Object, Object>) o;
    }
}
