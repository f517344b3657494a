package dev.sagebrush.search;

import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.PreEncoded;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.Change;
import dev.sagebrush.store.ChangeFollower;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.training.TrainingJobs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
public final class Searches {
    private final ResourceStore store;
    private final JsonCodec codec;
    private final byte[] tokenKey;
    private final Map<String, TrainingJobIndex> indexes = new ConcurrentHashMap<>();
    private static final int LOAD_BATCH = 5000;
    private final long loadedAt;
    private volatile Runnable catchUp = () -> { };

    /** Loads every training job and its tags (two queries); {@link #loadedAt()} is where the feed continues. */
    public Searches(ResourceStore store, JsonCodec codec, byte[] tokenKey) {
        this.store = store;
        this.codec = codec;
        this.tokenKey = tokenKey.clone();
        // The head first: a write that commits during the load is then applied again from the feed (harmless).
        this.loadedAt = store.headSeq();
        load();
    }

    /**
     * Reads every training job in one streamed query, in batches of {@link #LOAD_BATCH} (each batch's tags in a few
     * queries), and builds a batch's records on all cores: parsing and extracting ~100,000 documents is the
     * start-up's cost, and the index takes records from many threads. Batches bound the memory the load needs beyond
     * the index itself.
     */
    private void load() {
        store.scan(TrainingJobs.KIND, LOAD_BATCH, batch -> {
            Map<String, Map<String, String>> tags = store.tags(batch.stream().map(StoredResource::arn).toList());
            batch.parallelStream().forEach(row -> put(row, tags.getOrDefault(row.arn(), Map.of())));
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
        List<StoredResource> rows = new ArrayList<>();
        for (Change c : batch) {
            if (!TrainingJobs.KIND.equals(c.key().kind())) continue;
            if (c.deleted()) {
                TrainingJobIndex index = indexes.get(c.key().account() + "/" + c.key().region());
                if (index != null) index.remove(c.arn());
            } else {
                rows.add(c.row());
            }
        }
        if (rows.isEmpty()) return;
        Map<String, Map<String, String>> tags = store.tags(rows.stream().map(StoredResource::arn).toList());
        for (StoredResource row : rows) put(row, tags.getOrDefault(row.arn(), Map.of()));
    }

    private void put(StoredResource row, Map<String, String> tags) {
        index(row.key().account(), row.key().region()).put(SearchDocuments.of(row.document(), tags));
    }

    private TrainingJobIndex index(String account, String region) {
        return indexes.computeIfAbsent(account + "/" + region, k -> new TrainingJobIndex(tokenKey));
    }
}
