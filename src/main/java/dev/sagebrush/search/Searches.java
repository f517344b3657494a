package dev.sagebrush.search;

import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.PreEncoded;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.Change;
import dev.sagebrush.store.ChangeFollower;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.training.TrainingJobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sagemaker.model.GetSearchSuggestionsRequest;
import software.amazon.awssdk.services.sagemaker.model.GetSearchSuggestionsResponse;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;
import software.amazon.awssdk.services.sagemaker.model.SearchResponse;
import software.amazon.awssdk.services.sagemaker.model.TotalHits;

/**
 * The Search and GetSearchSuggestions API. Training jobs are searched in memory: one {@link TrainingJobIndex} per
 * account and region, loaded from the store at start-up and then kept in step by the store's change feed, so a job
 * written on any node (its row or its tags) is found on every node. A search first catches the feed up to its head,
 * so it sees every write committed before it started. Other resource types are not hosted here, so a search over
 * them finds nothing, as a search over an account that has none of them would.
 */
public final class Searches implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Searches.class);
    private final ResourceStore store;
    private final JsonCodec codec;
    private final byte[] tokenKey;
    private final Path snapshotFile;
    private final Map<String, TrainingJobIndex> indexes = new ConcurrentHashMap<>();
    private static final int LOAD_BATCH = 5000;
    private final long loadedAt;
    private volatile Runnable catchUp = () -> { };
    /** Guards {@link #appliedSeq} against a snapshot being taken in the middle of a batch. */
    private final Object applying = new Object();
    private long appliedSeq;
    private boolean applyFailed;
    private final boolean fromSnapshot;

    /** Loads every training job and its tags (two queries); {@link #loadedAt()} is where the feed continues. */
    public Searches(ResourceStore store, JsonCodec codec, byte[] tokenKey) {
        this(store, codec, tokenKey, null);
    }

    /**
     * Loads the indexes from {@code snapshotFile} (see {@link IndexSnapshot}) if it is there and agrees with the
     * store's feed, else from the store; {@link #close()} writes it again. Null: no snapshot.
     */
    public Searches(ResourceStore store, JsonCodec codec, byte[] tokenKey, Path snapshotFile) {
        this.store = store;
        this.codec = codec;
        this.tokenKey = tokenKey.clone();
        this.snapshotFile = snapshotFile;
        long started = System.nanoTime();
        Long fromSnapshot = snapshotFile == null ? null : loadSnapshot();
        if (fromSnapshot != null) {
            this.loadedAt = fromSnapshot;
        } else {
            // The head first: a write that commits during the load is then applied again from the feed (harmless).
            this.loadedAt = store.headSeq();
            load(store.feedPositions(TrainingJobs.KIND));
        }
        this.appliedSeq = loadedAt;
        this.fromSnapshot = fromSnapshot != null;
        log.info("Search index: {} training jobs loaded from the {} in {} ms (change feed at {})",
                indexes.values().stream().mapToInt(TrainingJobIndex::size).sum(),
                fromSnapshot != null ? "snapshot" : "store", (System.nanoTime() - started) / 1_000_000, loadedAt);
    }

    /** Whether the indexes came from the snapshot (else from the store). */
    boolean loadedFromSnapshot() {
        return fromSnapshot;
    }

    /** The snapshot's feed position when it was read and checked out, else null (and the indexes stay empty). */
    private Long loadSnapshot() {
        if (!Files.isRegularFile(snapshotFile)) {
            return null;
        }
        try {
            IndexSnapshot.Contents snapshot = IndexSnapshot.read(snapshotFile, tokenKey);
            if (!IndexSnapshot.consistent(snapshot, store.feedPositions(TrainingJobs.KIND), store.headSeq())) {
                log.info("Search index snapshot {} disagrees with the store's change feed: loading from the store",
                        snapshotFile);
                return null;
            }
            indexes.putAll(snapshot.indexes());
            return snapshot.seq();
        } catch (IOException e) {
            log.warn("Search index snapshot {} is unreadable ({}): loading from the store", snapshotFile,
                    e.getMessage());
            return null;
        }
    }

    /**
     * Writes the snapshot (when a file was given and every change so far was applied), so that the next start reads
     * it back instead of loading every job from the store.
     */
    @Override
    public void close() {
        if (snapshotFile == null) {
            return;
        }
        synchronized (applying) {
            if (applyFailed) {
                log.warn("Search index: not writing a snapshot, a change feed batch failed to apply");
                return;
            }
            long started = System.nanoTime();
            try {
                IndexSnapshot.write(snapshotFile, appliedSeq, Map.copyOf(indexes));
                log.info("Search index snapshot written at change {} in {} ms", appliedSeq,
                        (System.nanoTime() - started) / 1_000_000);
            } catch (IOException | RuntimeException e) {
                log.warn("Search index snapshot could not be written to {}: {}", snapshotFile, e.toString());
            }
        }
    }

    /**
     * Reads every training job in one streamed query, in batches of {@link #LOAD_BATCH} (each batch's tags in a few
     * queries), and builds a batch's records on all cores: parsing and extracting ~100,000 documents is the
     * start-up's cost, and the index takes records from many threads. Batches bound the memory the load needs beyond
     * the index itself.
     */
    private void load(Map<String, Long> positions) {
        store.scan(TrainingJobs.KIND, LOAD_BATCH, batch -> {
            Map<String, Map<String, String>> tags = store.tags(batch.stream().map(StoredResource::arn).toList());
            // A job's feed position read before its row: if the row is newer, so is its change, which the feed
            // applies again (the position only matters to a snapshot's check, which then sees a later change).
            batch.parallelStream().forEach(row -> put(row, tags.getOrDefault(row.arn(), Map.of()),
                    Math.max(0, positions.getOrDefault(row.arn(), 0L))));
        });
    }

    /** The feed position the start-up load is consistent with. */
    public long loadedAt() {
        return loadedAt;
    }

    /** Keeps the index in step with {@code follower} (which must follow from {@link #loadedAt()} on). */
    public void follow(ChangeFollower follower) {
        follower.subscribe(this::apply);
        this.catchUp = follower::catchUp;
    }

    public SearchResponse search(RequestContext ctx, SearchRequest request) {
        if (!"TrainingJob".equals(request.resourceAsString())) {
            return SearchResponse.builder().results(List.of())
                    .totalHits(TotalHits.builder().value(0L).relation("EqualTo").build()).build();
        }
        return codec.decode(searchWire(ctx, request).json(), SearchResponse.builder());
    }

    /** {@link #search} in wire form, as the Gateway sends it: the page spliced from the index's documents. */
    public PreEncoded searchWire(RequestContext ctx, SearchRequest request) {
        if (!"TrainingJob".equals(request.resourceAsString())) {
            return PreEncoded.of(codec.encode(search(ctx, request)));
        }
        catchUp.run();
        return PreEncoded.of(index(ctx.accountId(), ctx.region()).search(request).toResponseBytes());
    }

    public GetSearchSuggestionsResponse getSearchSuggestions(RequestContext ctx, GetSearchSuggestionsRequest request) {
        if (!"TrainingJob".equals(request.resourceAsString())) {
            return GetSearchSuggestionsResponse.builder().propertyNameSuggestions(List.of()).build();
        }
        catchUp.run();
        return index(ctx.accountId(), ctx.region()).getSearchSuggestions(request);
    }

    /** Applies a batch of the feed: re-indexes changed training jobs (with their tags, one query), drops deleted ones. */
    void apply(List<Change> batch) {
        synchronized (applying) {
            try {
                List<Change> rows = new ArrayList<>();
                for (Change c : batch) {
                    if (!TrainingJobs.KIND.equals(c.key().kind())) continue;
                    if (c.deleted()) {
                        TrainingJobIndex index = indexes.get(c.key().account() + "/" + c.key().region());
                        if (index != null) index.remove(c.arn());
                    } else {
                        rows.add(c);
                    }
                }
                if (!rows.isEmpty()) {
                    Map<String, Map<String, String>> tags = store.tags(rows.stream().map(Change::arn).toList());
                    for (Change c : rows) put(c.row(), tags.getOrDefault(c.arn(), Map.of()), c.seq());
                }
                if (!batch.isEmpty()) appliedSeq = Math.max(appliedSeq, batch.get(batch.size() - 1).seq());
            } catch (RuntimeException e) {
                applyFailed = true; // this index now misses a change: never persist it
                throw e;
            }
        }
    }

    private void put(StoredResource row, Map<String, String> tags, long seq) {
        TrainingJobIndex index = index(row.key().account(), row.key().region());
        index.put(index.extract(SearchDocuments.of(row.document(), tags), seq));
    }

    private TrainingJobIndex index(String account, String region) {
        return indexes.computeIfAbsent(account + "/" + region, k -> new TrainingJobIndex(tokenKey));
    }
}
