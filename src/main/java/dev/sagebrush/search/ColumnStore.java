package dev.sagebrush.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The index's storage: records by slot plus their {@link Columns}. Slots are append-only: replacing a job kills its
 * slot and appends a new one, so a slot's values never change under a reader. Liveness is versioned (each slot records
 * the generation it died in) and a view reads one immutable {@link State}, so a search sees a replaced job exactly
 * once, old or new, never both or neither. When dead slots outnumber live ones the writer builds a fresh, compact
 * store and publishes it; readers of the old one finish undisturbed.
 *
 * <p>Not thread-safe for writers (the index serializes them); readers use a {@link View} taken once per search.
 */
final class ColumnStore {
    /** Column keys: catalogue property ids for top-level scalars, and keyed names for Metrics/HyperParameters/Tags. */
    static String propertyKey(Property p) { return "p:" + p.id(); }
    static String metricKey(String name) { return "m:" + name; }
    static String hyperParameterKey(String name) { return "h:" + name; }
    static String hyperParameterTextKey(String name) { return "H:" + name; }
    static String tagKey(String key) { return "t:" + key; }

    /** Whether a catalogue property has a column: a single value per record of a type with a column kind. */
    static boolean hasColumn(Property p) {
        return p.axis() == null && (p.type() == PropertyType.TEXT || p.type() == PropertyType.NUMBER
                || p.type() == PropertyType.TIMESTAMP);
    }

    private final List<Property> columnProperties = new ArrayList<>();
    private final ConcurrentHashMap<String, Object> columns = new ConcurrentHashMap<>();
    /** What readers see, replaced whole on every publish so generation, length and arrays always agree. */
    private volatile State state;
    // writer only: the working copy of the state's arrays and counters
    private JobRecord[] records;
    private long[] diedAt;
    private int length;
    private long generation;
    private int dead;

    /**
     * A consistent snapshot: slots below {@code length} were complete when it was published; a slot is live for it if
     * it died after its generation. Records of dead slots stay in place (older views may still return them) until
     * the store is compacted.
     */
    private record State(long generation, int length, JobRecord[] records, long[] diedAt) {}

    ColumnStore(PropertyCatalogue catalogue, int capacity) {
        for (Property p : catalogue.all()) {
            if (hasColumn(p)) {
                columnProperties.add(p);
            }
        }
        records = new JobRecord[Math.max(16, capacity)];
        diedAt = new long[records.length];
        Arrays.fill(diedAt, Long.MAX_VALUE);
        publish();
    }

    /** What one search reads: the slots live at one generation, and the columns. */
    final class View {
        private final State s = state;
        final int length = s.length();

        boolean live(int slot) { return s.diedAt()[slot] > s.generation(); }

        JobRecord record(int slot) { return s.records()[slot]; }

        /** The column for a key, or null when no record ever had a value there. */
        Object column(String key) { return columns.get(key); }
    }

    View view() { return new View(); }

    /** Writes a record into a new slot; readers see it after {@link #publish()}. */
    int append(JobRecord record) {
        int slot = length;
        if (slot == records.length) {
            records = Arrays.copyOf(records, records.length * 2);
            diedAt = Arrays.copyOf(diedAt, records.length);
            Arrays.fill(diedAt, slot, diedAt.length, Long.MAX_VALUE);
        }
        records[slot] = record;
        for (Property p : columnProperties) {
            Object v = record.value(p.id());
            if (v == null) {
                continue;
            }
            switch (p.type()) {
                case TEXT -> text(propertyKey(p)).set(slot, (String) v);
                case NUMBER -> doubles(propertyKey(p)).set(slot, (Double) v);
                default -> longs(propertyKey(p)).set(slot, (Long) v);
            }
        }
        for (Map.Entry<String, Double> m : record.metrics().entrySet()) {
            doubles(metricKey(m.getKey())).set(slot, m.getValue());
        }
        for (Map.Entry<String, HyperParameterValue> h : record.hyperParameters().entrySet()) {
            text(hyperParameterTextKey(h.getKey())).set(slot, h.getValue().raw());
            if (h.getValue().numeric()) {
                doubles(hyperParameterKey(h.getKey())).set(slot, h.getValue().decimal());
            }
        }
        for (Map.Entry<String, String> t : record.tags().entrySet()) {
            text(tagKey(t.getKey())).set(slot, t.getValue());
        }
        length = slot + 1;
        return slot;
    }

    /** Marks a slot dead from the next published generation on. */
    void kill(int slot) {
        diedAt[slot] = generation + 1;
        dead++;
    }

    /** Makes every append and kill so far visible to new views, atomically. */
    void publish() {
        generation++;
        state = new State(generation, length, records, diedAt);
    }

    /** A compact, published copy holding only live records (in slot order) when dead slots dominate; else this. */
    ColumnStore compactIfSparse(PropertyCatalogue catalogue, Map<String, Integer> slotByArn) {
        if (dead < 1024 || dead * 2 < length) {
            return this;
        }
        ColumnStore fresh = new ColumnStore(catalogue, length - dead);
        for (int i = 0; i < length; i++) {
            if (diedAt[i] == Long.MAX_VALUE) {
                slotByArn.put(records[i].arn(), fresh.append(records[i]));
            }
        }
        fresh.publish();
        return fresh;
    }

    JobRecord writerRecord(int slot) { return records[slot]; }

    private Columns.TextColumn text(String key) {
        return (Columns.TextColumn) columns.computeIfAbsent(key, k -> new Columns.TextColumn(records.length));
    }

    private Columns.DoubleColumn doubles(String key) {
        return (Columns.DoubleColumn) columns.computeIfAbsent(key, k -> new Columns.DoubleColumn(records.length));
    }

    private Columns.LongColumn longs(String key) {
        return (Columns.LongColumn) columns.computeIfAbsent(key, k -> new Columns.LongColumn(records.length));
    }
}
