package dev.sagebrush.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.sagemaker.model.GetSearchSuggestionsRequest;
import software.amazon.awssdk.services.sagemaker.model.GetSearchSuggestionsResponse;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;

/**
 * The in-memory search index of one account's (and region's) training jobs.
 *
 * <p>A search is one linear scan over slots: filters on top-level values, Metrics, HyperParameters and Tags read
 * primitive {@link Columns}; the rest (lists, NestedFilters, booleans) read the pre-parsed {@link JobRecord}, and And
 * evaluates the columnar parts first so record walks only happen for records still in the running. Scanning beats
 * maintaining per-property indexes for arbitrary filters over ~150 properties and open-ended Metrics/HyperParameters/
 * Tags names. The top {@code MaxResults} matches are kept in a bounded heap (O(n log k)), never a full sort.
 *
 * <p>Concurrency: any number of concurrent searches; writes are serialized by the index's monitor and published
 * atomically (see {@link ColumnStore}): a search sees each job exactly once, as it was before or after a concurrent
 * write.
 */
public final class TrainingJobIndex {
    private record Candidate(JobRecord record, Object key) {}

    private final PropertyCatalogue catalogue = PropertyCatalogue.trainingJob();
    private final RecordExtractor extractor = new RecordExtractor(catalogue);
    private final PageTokens tokens;
    private final SearchSuggestions suggestions;
    private volatile ColumnStore store = new ColumnStore(catalogue, 16);
    // guarded by this (writer state)
    private final Map<String, Integer> slotByArn = new HashMap<>();
    /** Reference counts of the Metrics./HyperParameters./Tags. names present, for GetSearchSuggestions. */
    private final ConcurrentHashMap<String, Integer> keyedNames = new ConcurrentHashMap<>();

    /** @param tokenKey the HMAC key signing NextTokens (at least 16 bytes; keep it across restarts to keep tokens) */
    public TrainingJobIndex(byte[] tokenKey) {
        this.tokens = new PageTokens(tokenKey);
        this.suggestions = new SearchSuggestions(catalogue, keyedNames.keySet());
    }

    /**
     * Adds or replaces (by TrainingJobArn) a job in its TrainingJob search-record wire form. The index keeps its own
     * copy; searches return that copy.
     *
     * @throws IllegalArgumentException if the document has no TrainingJobArn
     */
    public void put(ObjectNode trainingJob) {
        // Outside the lock: the costly part. The record keeps the document as bytes, its own copy.
        JobRecord record = extractor.extract(trainingJob);
        synchronized (this) {
            ColumnStore s = store;
            Integer old = slotByArn.get(record.arn());
            if (old != null) {
                countNames(s.writerRecord(old), -1);
                s.kill(old);
            }
            slotByArn.put(record.arn(), s.append(record));
            countNames(record, 1);
            s.publish();
            store = s.compactIfSparse(catalogue, slotByArn);
        }
    }

    /** Removes a job; returns false if the index did not hold it. */
    public synchronized boolean remove(String trainingJobArn) {
        Integer slot = slotByArn.remove(trainingJobArn);
        if (slot == null) {
            return false;
        }
        ColumnStore s = store;
        countNames(s.writerRecord(slot), -1);
        s.kill(slot);
        s.publish();
        store = s.compactIfSparse(catalogue, slotByArn);
        return true;
    }

    public synchronized int size() {
        return slotByArn.size();
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
        Condition.Matcher matcher = query.condition().bind(view);
        SortSpec.KeyReader keys = sort.bind(view);
        // Max-heap on result order: the head is the worst of the best k seen so far.
        PriorityQueue<Candidate> heap = new PriorityQueue<>(k + 1,
                (a, b) -> sort.compare(b.key(), b.record().arn(), a.key(), a.record().arn()));
        long total = 0;
        long remaining = 0;
        for (int slot = 0, n = view.length; slot < n; slot++) {
            if (!view.live(slot) || !matcher.test(slot)) {
                continue;
            }
            total++;
            Object key = keys.key(slot);
            // Compare sort values first; the record (and its ARN) is only read on a tie or when it is kept.
            if (after != null) {
                int c = sort.compareKeys(key, after.sortKey());
                if (c < 0 || c == 0 && view.record(slot).arn().compareTo(after.arn()) <= 0) {
                    continue;
                }
            }
            remaining++;
            if (heap.size() < k) {
                heap.add(new Candidate(view.record(slot), key));
            } else {
                Candidate worst = heap.peek();
                int c = sort.compareKeys(key, worst.key());
                if (c < 0 || c == 0 && view.record(slot).arn().compareTo(worst.record().arn()) < 0) {
                    heap.poll();
                    heap.add(new Candidate(view.record(slot), key));
                }
            }
        }
        Candidate[] best = heap.toArray(new Candidate[0]);
        Arrays.sort(best, (a, b) -> sort.compare(a.key(), a.record().arn(), b.key(), b.record().arn()));
        List<byte[]> jobs = new ArrayList<>(best.length);
        for (Candidate c : best) {
            jobs.add(c.record().document());
        }
        String next = null;
        if (remaining > k) {
            Candidate last = best[best.length - 1];
            next = tokens.encode(hash, new PageTokens.Position(last.key(), last.record().arn()));
        }
        return new SearchPage(Collections.unmodifiableList(jobs), total, next);
    }

    /** Property names starting with the hint, including the Metrics/HyperParameters/Tags names in the index. */
    public GetSearchSuggestionsResponse getSearchSuggestions(GetSearchSuggestionsRequest request) {
        return suggestions.suggest(request);
    }

    private void countNames(JobRecord record, int delta) {
        record.metrics().keySet().forEach(k -> count("Metrics." + k, delta));
        record.hyperParameters().keySet().forEach(k -> count("HyperParameters." + k, delta));
        record.tags().keySet().forEach(k -> count("Tags." + k, delta));
    }

    private void count(String name, int delta) {
        keyedNames.compute(name, (n, c) -> {
            int next = (c == null ? 0 : c) + delta;
            return next <= 0 ? null : next;
        });
    }
}
