package dev.sagebrush.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import software.amazon.awssdk.services.sagemaker.model.GetSearchSuggestionsRequest;
import software.amazon.awssdk.services.sagemaker.model.GetSearchSuggestionsResponse;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;

/**
 * The in-memory search index of one account's (and region's) training jobs.
 *
 * <p>A search is one linear scan over slots, every filter reading primitive columns ({@link ColumnStore}; And tests
 * single columns before runs over list elements). Scanning beats maintaining per-property indexes for arbitrary
 * filters over ~150 properties and open-ended Metrics/HyperParameters/Tags names. The top {@code MaxResults} matches
 * are kept in a bounded heap of slots (O(n log k)), never a full sort, and only their documents are inflated.
 *
 * <p>Concurrency: any number of concurrent searches; writes are serialized by the index's monitor and published
 * atomically (see {@link ColumnStore}): a search sees each job exactly once, as it was before or after a concurrent
 * write.
 */
public final class TrainingJobIndex {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REBUILD_BATCH = 4096;

    private final PropertyCatalogue catalogue = PropertyCatalogue.trainingJob();
    private final RecordExtractor extractor = new RecordExtractor(catalogue);
    private final PageTokens tokens;
    private final SearchSuggestions suggestions;
    private volatile ColumnStore store = new ColumnStore(catalogue, 16);
    // guarded by this (writer state)
    private final Map<String, Integer> slotByArn = new HashMap<>();

    /** @param tokenKey the HMAC key signing NextTokens (at least 16 bytes; keep it across restarts to keep tokens) */
    public TrainingJobIndex(byte[] tokenKey) {
        this.tokens = new PageTokens(tokenKey);
        this.suggestions = new SearchSuggestions(catalogue, this::keyedNames);
    }

    /**
     * Adds or replaces (by TrainingJobArn) a job in its TrainingJob search-record wire form. The index keeps its own
     * copy; searches return that copy.
     *
     * @throws IllegalArgumentException if the document has no TrainingJobArn
     */
    public void put(ObjectNode trainingJob) {
        put(Extracted.of(extractor, trainingJob, 0));
    }

    /** A job extracted and compressed ahead of {@link #put(Extracted)}: the costly part, safe on any thread. */
    public static final class Extracted {
        private final JobRecord record;
        private final byte[] document;
        private final long seq;

        private Extracted(JobRecord record, byte[] document, long seq) {
            this.record = record;
            this.document = document;
            this.seq = seq;
        }

        static Extracted of(RecordExtractor extractor, ObjectNode trainingJob, long seq) {
            JobRecord record = extractor.extract(trainingJob);
            return new Extracted(record, DocumentCompression.compress(record.document()), seq);
        }

        public String arn() { return record.arn(); }
    }

    /**
     * Extracts a job for {@link #put(Extracted)} (on the caller's thread, outside the index's lock); {@code seq} is the
     * change feed position the document was read at (0 when unknown), which a snapshot of the index is checked by.
     */
    public Extracted extract(ObjectNode trainingJob, long seq) {
        return Extracted.of(extractor, trainingJob, seq);
    }

    public void put(Extracted job) {
        synchronized (this) {
            ColumnStore s = store;
            Integer old = slotByArn.get(job.arn());
            if (old != null) {
                s.kill(old);
            }
            slotByArn.put(job.arn(), s.append(job.record, job.document, job.seq));
            s.publish();
            compactIfSparse();
        }
    }

    /** Removes a job; returns false if the index did not hold it. */
    public synchronized boolean remove(String trainingJobArn) {
        Integer slot = slotByArn.remove(trainingJobArn);
        if (slot == null) {
            return false;
        }
        ColumnStore s = store;
        s.kill(slot);
        s.publish();
        compactIfSparse();
        return true;
    }

    public synchronized int size() {
        return slotByArn.size();
    }

    /**
     * When dead slots dominate, rebuilds the store from the live jobs' documents (the columns are derived from them)
     * and publishes it; searches on the old store finish undisturbed. Extraction runs on all cores, in batches that
     * bound the transient records held at once. Amortized over the at least as many writes that killed those slots,
     * it costs about what each of those writes did.
     */
    private void compactIfSparse() {
        ColumnStore old = store;
        if (!old.sparse()) {
            return;
        }
        ColumnStore fresh = new ColumnStore(catalogue, old.length());
        int[] live = IntStream.range(0, old.length()).filter(slot -> old.liveDocument(slot) != null).toArray();
        for (int from = 0; from < live.length; from += REBUILD_BATCH) {
            int[] batch = Arrays.copyOfRange(live, from, Math.min(live.length, from + REBUILD_BATCH));
            JobRecord[] records = Arrays.stream(batch).parallel()
                    .mapToObj(slot -> extractor.extract(parse(DocumentCompression.decompress(old.liveDocument(slot)))))
                    .toArray(JobRecord[]::new);
            for (int i = 0; i < batch.length; i++) {
                slotByArn.put(records[i].arn(), fresh.append(records[i], old.liveDocument(batch[i]), old.seq(batch[i])));
            }
        }
        fresh.publish();
        store = fresh;
    }

    /** Each live job's ARN and the feed position it was read at. */
    synchronized void forEachJob(java.util.function.ObjLongConsumer<String> each) {
        ColumnStore s = store;
        slotByArn.forEach((arn, slot) -> each.accept(arn, s.seq(slot)));
    }

    /** The whole index, for {@link IndexSnapshot}. */
    synchronized void writeTo(java.io.DataOutputStream out) throws IOException {
        store.writeTo(out);
    }

    /** An index as {@link #writeTo} wrote it. */
    static TrainingJobIndex readFrom(java.io.DataInputStream in, byte[] tokenKey) throws IOException {
        TrainingJobIndex index = new TrainingJobIndex(tokenKey);
        ColumnStore s = ColumnStore.readFrom(in, index.catalogue);
        for (int slot = 0; slot < s.length(); slot++) {
            if (s.liveDocument(slot) != null) {
                index.slotByArn.put(s.writerArn(slot), slot);
            }
        }
        index.store = s;
        return index;
    }

    /** Validates, compiles and runs a Search request (Resource TrainingJob). */
    public SearchPage search(SearchRequest request) {
        return search(SearchQuery.compile(request), PageRequest.from(request));
    }

    /** Runs a compiled query for one page; a NextToken from another query or key is a ValidationException. */
    public SearchPage search(SearchQuery query, PageRequest page) {
        SortSpec sort = query.sort();
        byte[] hash = query.hash();
        PageTokens.Position after = page.nextToken() == null ? null : tokens.decode(page.nextToken(), hash);
        int k = page.maxResults();
        ColumnStore.View view = store.view();
        IntPredicate matcher = query.condition().bind(view);
        SortSpec.KeyReader keys = sort.bind(view);
        TopK best = new TopK(k, sort, view);
        long total = 0;
        long remaining = 0;
        for (int slot = 0, n = view.length; slot < n; slot++) {
            if (!view.live(slot) || !matcher.test(slot)) {
                continue;
            }
            total++;
            Object key = keys.key(slot);
            // Compare sort values first; the ARN is only read on a tie or when the slot is kept.
            if (after != null) {
                int c = sort.compareKeys(key, after.sortKey());
                if (c < 0 || c == 0 && view.arn(slot).compareTo(after.arn()) <= 0) {
                    continue;
                }
            }
            remaining++;
            best.offer(slot, key);
        }
        int[] slots = best.sorted();
        List<byte[]> jobs = new ArrayList<>(slots.length);
        for (int slot : slots) {
            jobs.add(DocumentCompression.decompress(view.document(slot)));
        }
        String next = null;
        if (remaining > k) {
            int last = slots[slots.length - 1];
            next = tokens.encode(hash, new PageTokens.Position(keys.key(last), view.arn(last)));
        }
        return new SearchPage(Collections.unmodifiableList(jobs), total, next);
    }

    /** Property names starting with the hint, including the Metrics/HyperParameters/Tags names in the index. */
    public GetSearchSuggestionsResponse getSearchSuggestions(GetSearchSuggestionsRequest request) {
        return suggestions.suggest(request);
    }

    /** The Metrics./HyperParameters./Tags. names some live job has. */
    private Collection<String> keyedNames() {
        Collection<String> names = new TreeSet<>();
        for (String key : store.view().presentKeys()) {
            String name = key.substring(2);
            switch (key.charAt(0)) {
                case 'm' -> names.add("Metrics." + name);
                case 'H' -> names.add("HyperParameters." + name);
                case 't' -> names.add("Tags." + name);
                default -> { } // h: the numeric twin of an H: column
            }
        }
        return names;
    }

    private static ObjectNode parse(byte[] json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
