package dev.sagebrush.search;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The index's storage: per slot, one job's values in {@link PropertyColumns} (one per catalogue property) and keyed
 * columns (one per Metrics/HyperParameters/Tags name), and its document, compressed ({@link DocumentCompression}).
 * Nothing per job is an object graph: at 100,000 jobs the index is a few hundred primitive arrays, dictionaries of
 * distinct strings, and one byte array per job.
 *
 * <p>Slots are append-only: replacing a job kills its slot and appends a new one, so a slot's values never change
 * under a reader. Liveness is versioned (each slot records the generation it died in) and a view reads one immutable
 * {@link State}, so a search sees a replaced job exactly once, old or new, never both or neither. When dead slots
 * outnumber live ones the index rebuilds a compact store from the live documents (see {@link TrainingJobIndex}).
 *
 * <p>Not thread-safe for writers (the index serializes them); readers use a {@link View} taken once per search.
 */
final class ColumnStore {
    /** Keyed column names for Metrics/HyperParameters/Tags. */
    static String metricKey(String name) { return "m:" + name; }
    static String hyperParameterKey(String name) { return "h:" + name; }
    static String hyperParameterTextKey(String name) { return "H:" + name; }
    static String tagKey(String key) { return "t:" + key; }

    /** Whether a catalogue property is a plain per-slot column: a single top-level text, number or timestamp. */
    static boolean hasColumn(Property p) {
        return p.axis() == null && (p.type() == PropertyType.TEXT || p.type() == PropertyType.NUMBER
                || p.type() == PropertyType.TIMESTAMP);
    }

    private final PropertyCatalogue catalogue;
    private final PropertyColumns[] properties;
    private final Columns.TextColumn arns;
    private final ConcurrentHashMap<String, Object> keyed = new ConcurrentHashMap<>();
    /** What readers see, replaced whole on every publish so generation, length and arrays always agree. */
    private volatile State state;
    // writer only: the working copy of the state's arrays and counters
    private byte[][] documents;
    private long[] diedAt;
    /** The change feed position each slot's job was read at (see {@link IndexSnapshot}). */
    private long[] seqs;
    private int length;
    private long generation;
    private int dead;

    /**
     * A consistent snapshot: slots below {@code length} were complete when it was published; a slot is live for it if
     * it died after its generation. Dead slots keep their values (older views may still return them) until the store
     * is rebuilt.
     */
    private record State(long generation, int length, byte[][] documents, long[] diedAt) {}

    ColumnStore(PropertyCatalogue catalogue, int capacity) {
        this.catalogue = catalogue;
        this.properties = new PropertyColumns[catalogue.size()];
        for (Property p : catalogue.all()) {
            properties[p.id()] = new PropertyColumns(p);
        }
        this.arns = (Columns.TextColumn) properties[catalogue.byName("TrainingJobArn").id()].values;
        documents = new byte[Math.max(16, capacity)][];
        seqs = new long[documents.length];
        diedAt = new long[documents.length];
        Arrays.fill(diedAt, Long.MAX_VALUE);
        publish();
    }

    /** What one search reads: the slots live at one generation, and the columns. */
    final class View {
        private final State s = state;
        final int length = s.length();
        private final int[] arnCodes = arns.codes;

        boolean live(int slot) { return s.diedAt()[slot] > s.generation(); }

        String arn(int slot) { return arns.value(arnCodes[slot]); }

        /** The slot's document as stored (compressed). */
        byte[] document(int slot) { return s.documents()[slot]; }

        /** The keyed column (see the *Key methods), or null when no job ever had a value there. */
        Object column(String key) { return keyed.get(key); }

        PropertyColumns property(Property p) { return properties[p.id()]; }

        /** Names of the keyed columns with a value in some live slot ({@code m:auc}, ...): for suggestions. */
        java.util.List<String> presentKeys() {
            java.util.List<String> out = new java.util.ArrayList<>();
            for (Map.Entry<String, Object> e : keyed.entrySet()) {
                java.util.function.IntPredicate has = ColumnTests.present(e.getValue());
                for (int slot = 0; slot < length; slot++) {
                    if (has.test(slot) && live(slot)) {
                        out.add(e.getKey());
                        break;
                    }
                }
            }
            return out;
        }
    }

    View view() { return new View(); }

    /** Writes an extracted job and its stored document into a new slot; readers see it after {@link #publish()}. */
    int append(JobRecord record, byte[] document, long seq) {
        int slot = length;
        if (slot == documents.length) {
            documents = Arrays.copyOf(documents, documents.length * 2);
            seqs = Arrays.copyOf(seqs, documents.length);
            diedAt = Arrays.copyOf(diedAt, documents.length);
            Arrays.fill(diedAt, slot, diedAt.length, Long.MAX_VALUE);
        }
        documents[slot] = document;
        seqs[slot] = seq;
        int[] firstElement = new int[properties.length];
        for (Property p : catalogue.all()) { // parents before children: an axis before what is below it
            Object v = record.value(p.id());
            if (v == null) {
                continue;
            }
            PropertyColumns columns = properties[p.id()];
            Property axis = p.axis();
            if (axis == null) {
                columns.store(slot, v);
                continue;
            }
            Object[] perElement = (Object[]) v;
            if (axis == p) {
                firstElement[p.id()] = columns.elements.add(slot, perElement.length);
            }
            int base = firstElement[axis.id()];
            for (int i = 0; i < perElement.length; i++) {
                if (perElement[i] != null) {
                    columns.store(base + i, perElement[i]);
                }
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
        state = new State(generation, length, documents, diedAt);
    }

    /** True when dead slots dominate, so a rebuild from the live documents would pay for itself. */
    boolean sparse() {
        return dead >= 1024 && dead * 2 >= length;
    }

    int length() { return length; }

    /** Writer's view of a slot: its stored document when live, else null. */
    byte[] liveDocument(int slot) { return diedAt[slot] == Long.MAX_VALUE ? documents[slot] : null; }

    long seq(int slot) { return seqs[slot]; }

    /** The ARN of a slot (writer side). */
    String writerArn(int slot) { return arns.value(arns.codes[slot]); }

    /** Writes every slot (dead ones without their document) and every column. Writer only. */
    void writeTo(java.io.DataOutputStream out) throws java.io.IOException {
        out.writeInt(length);
        for (int slot = 0; slot < length; slot++) {
            byte[] doc = liveDocument(slot);
            out.writeInt(doc == null ? -1 : doc.length);
            if (doc != null) out.write(doc);
        }
        ColumnFiles.writeLongs(out, seqs, length);
        for (PropertyColumns p : properties) {
            if (p.elements != null) ColumnFiles.writeRuns(out, p.elements);
            if (p.runs != null) ColumnFiles.writeRuns(out, p.runs);
            ColumnFiles.writeColumn(out, p.values);
            if (p.keys != null) ColumnFiles.writeColumn(out, p.keys);
        }
        out.writeInt(keyed.size());
        for (Map.Entry<String, Object> e : keyed.entrySet()) {
            out.writeUTF(e.getKey());
            ColumnFiles.writeColumn(out, e.getValue());
        }
    }

    /** Reads what {@link #writeTo} wrote, published. */
    static ColumnStore readFrom(java.io.DataInputStream in, PropertyCatalogue catalogue) throws java.io.IOException {
        int length = in.readInt();
        ColumnStore s = new ColumnStore(catalogue, length);
        for (int slot = 0; slot < length; slot++) {
            int n = in.readInt();
            if (n < 0) {
                s.diedAt[slot] = 0; // dead at every generation
                s.dead++;
            } else {
                s.documents[slot] = new byte[n];
                in.readFully(s.documents[slot]);
            }
        }
        long[] seqs = ColumnFiles.readLongs(in);
        System.arraycopy(seqs, 0, s.seqs, 0, length);
        for (PropertyColumns p : s.properties) {
            if (p.elements != null) ColumnFiles.readRuns(in, p.elements);
            if (p.runs != null) ColumnFiles.readRuns(in, p.runs);
            ColumnFiles.readColumn(in, p.values);
            if (p.keys != null) ColumnFiles.readColumn(in, p.keys);
        }
        int keyed = in.readInt();
        for (int i = 0; i < keyed; i++) {
            String key = in.readUTF();
            s.keyed.put(key, ColumnFiles.readColumn(in, null));
        }
        s.length = length;
        s.publish();
        return s;
    }

    private Columns.TextColumn text(String key) {
        return (Columns.TextColumn) keyed.computeIfAbsent(key, k -> new Columns.TextColumn());
    }

    private Columns.DoubleColumn doubles(String key) {
        return (Columns.DoubleColumn) keyed.computeIfAbsent(key, k -> new Columns.DoubleColumn());
    }
}
