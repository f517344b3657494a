package dev.sagebrush.search;

import java.util.Arrays;

/**
 * An append-only dictionary of strings to dense int codes (0, 1, 2, ...), for dictionary-coded text columns.
 *
 * <p>Why not a {@code HashMap<String, Integer>}: at 100,000 jobs the index holds a few hundred thousand distinct
 * values (names, ARNs, S3 paths), and a map costs ~50 bytes of node and boxed Integer per entry on top of the string.
 * Here an entry costs its string plus ~12 bytes: the string in {@code values[code]} and {@code code + 1} in an
 * open-addressing table of ints (linear probing, load factor at most 1/2, compared by the strings' cached hashes).
 *
 * <p>Concurrency: one writer ({@link #add}), any number of readers. A code is never reused or moved, and every array a
 * reader can reach holds a prefix of the writer's entries, so a reader sees every value added before its view of the
 * index was published (the index publishes through a volatile write after adding) and perhaps some later ones.
 */
final class StringDictionary {
    static final int MISSING = -1;

    private volatile String[] values = new String[16];
    private volatile int[] table = new int[32];
    private volatile int size;

    /** The code of {@code value}, adding it if new. Writer only. */
    int add(String value) {
        int code = codeOf(value);
        if (code != MISSING) {
            return code;
        }
        code = size;
        String[] v = values;
        if (code == v.length) {
            v = Arrays.copyOf(v, v.length * 2);
        }
        v[code] = value;
        values = v;
        int[] t = table;
        if ((code + 1) * 2 > t.length) {
            t = rehash(v, code, t.length * 2);
        }
        insert(t, value, code);
        table = t;
        size = code + 1; // last: a reader that sees the size sees the entry
        return code;
    }

    /** The code of {@code value}, or {@link #MISSING} if it was never added. */
    int codeOf(String value) {
        int[] t = table;
        String[] v = values;
        int mask = t.length - 1;
        for (int i = spread(value.hashCode()) & mask; ; i = (i + 1) & mask) {
            int c = t[i] - 1;
            if (c < 0) {
                return MISSING;
            }
            if (c < v.length && value.equals(v[c])) {
                return c;
            }
        }
    }

    /** The value of a code this dictionary handed out. */
    String value(int code) {
        return values[code];
    }

    /** How many codes exist: 0 .. size-1 are all readable. */
    int size() {
        return size;
    }

    private static int[] rehash(String[] v, int count, int capacity) {
        int[] t = new int[capacity];
        for (int c = 0; c < count; c++) {
            insert(t, v[c], c);
        }
        return t;
    }

    private static void insert(int[] t, String value, int code) {
        int mask = t.length - 1;
        int i = spread(value.hashCode()) & mask;
        while (t[i] != 0) {
            i = (i + 1) & mask;
        }
        t[i] = code + 1;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16); // as HashMap: String hashes vary in the low bits too
    }
}
