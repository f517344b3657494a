package dev.sagebrush.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
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
 * <p>Records live in a dense array scanned linearly: at 100,000 jobs a scan over pre-parsed values is a few
 * milliseconds, which beats maintaining per-property indexes for arbitrary filters on ~150 properties and dynamic
 * Metrics/HyperParameters/Tags names. The top {@code MaxResults} matches are kept in a bounded heap (O(n log k)),
 * never a full sort.
 *
 * <p>Concurrency: any number of concurrent searches, with writes serialized by the index's monitor. Writers store
 * into the array and then publish a new {@link Snapshot} through a volatile field; readers read it once. A search
 * racing a write sees each record either before or after the write (records are immutable, slots are replaced
 * whole), never a torn record.
 */
public final class TrainingJobIndex {
    private static final Snapshot EMPTY = new Snapshot(new JobRecord[0], 0);

    private record Snapshot(JobRecord[] records, int length) {}

    private record Candidate(JobRecord record, Object key) {}

    private final RecordExtractor extractor = new RecordExtractor(PropertyCatalogue.trainingJob());
    private final PageTokens tokens;
    private final SearchSuggestions suggestions;
    private volatile Snapshot snapshot = EMPTY;
    // guarded by this (writer state)
    private final Map<String, Integer> slotByArn = new HashMap<>();
    private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
    /** Reference counts of the Metrics./HyperParameters./Tags. names present, for GetSearchSuggestions. */
    private final ConcurrentHashMap<String, Integer> keyedNames = new ConcurrentHashMap<>();

    /** @param tokenKey the HMAC key signing NextTokens (at least 16 bytes; keep it across restarts to keep tokens) */
    public TrainingJobIndex(byte[] tokenKey) {
        this.tokens = new PageTokens(tokenKey);
        this.suggestions = new SearchSuggestions(PropertyCatalogue.trainingJob(), keyedNames.keySet());
    }

    /**
     * Adds or replaces (by TrainingJobArn) a job in its TrainingJob search-record wire form. The index keeps its own
     * copy; searches return that copy.
     *
     * @throws IllegalArgumentException if the document has no TrainingJobArn
     */
    public void put(ObjectNode trainingJob) {
        JobRecord record = extractor.extract(trainingJob.deepCopy());
        synchronized (this) {
            Snapshot s = snapshot;
            JobRecord[] records = s.records();
            int length = s.length();
            Integer slot = slotByArn.get(record.arn());
            if (slot != null) {
                countNames(records[slot], -1);
            } else if (!freeSlots.isEmpty()) {
                slot = freeSlots.pop();
            } else {
                if (length == records.length) {
                    records = Arrays.copyOf(records, Math.max(16, records.length * 2));
                }
                slot = length++;
            }
            records[slot] = record;
            slotByArn.put(record.arn(), slot);
            countNames(record, 1);
            snapshot = new Snapshot(records, length);
        }
    }

    /** Removes a job; returns false if the index did not hold it. */
    public synchronized boolean remove(String trainingJobArn) {
        Integer slot = slotByArn.remove(trainingJobArn);
        if (slot == null) {
            return false;
        }
        Snapshot s = snapshot;
        countNames(s.records()[slot], -1);
        s.records()[slot] = null;
        freeSlots.push(slot);
        snapshot = new Snapshot(s.records(), s.length());
        return true;
    }

    public int size() {
        synchronized (this) {
            return slotByArn.size();
        }
    }

    /** Validates, compiles and runs a Search request (Resource TrainingJob). */
    public SearchPage search(SearchRequest request) {
        return search(SearchQuery.compile(request), PageRequest.from(request));
    }

    /** Runs a compiled query for one page; a NextToken from another query or key is a ValidationException. */
    public SearchPage search(SearchQuery query, PageRequest page) {
        SortSpec sort = query.sort();
        Condition condition = query.condition();
        byte[] hash = query.hash();
        PageTokens.Position after = page.nextToken() == null ? null : tokens.decode(page.nextToken(), hash);
        int k = page.maxResults();
        // Max-heap on result order: the head is the worst of the best k seen so far.
        PriorityQueue<Candidate> heap = new PriorityQueue<>(k + 1,
                (a, b) -> sort.compare(b.key(), b.record().arn(), a.key(), a.record().arn()));
        long total = 0;
        long remaining = 0;
        Snapshot s = snapshot;
        JobRecord[] records = s.records();
        for (int i = 0, n = s.length(); i < n; i++) {
            JobRecord r = records[i];
            if (r == null || !condition.test(r)) {
                continue;
            }
            total++;
            Object key = sort.key(r);
            if (after != null && sort.compare(key, r.arn(), after.sortKey(), after.arn()) <= 0) {
                continue;
            }
            remaining++;
            if (heap.size() < k) {
                heap.add(new Candidate(r, key));
            } else {
                Candidate worst = heap.peek();
                if (sort.compare(key, r.arn(), worst.key(), worst.record().arn()) < 0) {
                    heap.poll();
                    heap.add(new Candidate(r, key));
                }
            }
        }
        Candidate[] best = heap.toArray(new Candidate[0]);
        Arrays.sort(best, (a, b) -> sort.compare(a.key(), a.record().arn(), b.key(), b.record().arn()));
        List<ObjectNode> jobs = new ArrayList<>(best.length);
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
