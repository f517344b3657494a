package dev.sagebrush.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.Change;
import dev.sagebrush.store.ChangeFollower;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.training.TrainingJobDocuments;
import dev.sagebrush.training.TrainingJobs;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResourceStore store;
    private final TrainingJobDocuments documents;
    private final JsonCodec codec;
    private final byte[] tokenKey;
    private final Map<String, TrainingJobIndex> indexes = new ConcurrentHashMap<>();
    private final long loadedAt;
    private volatile Runnable catchUp = () -> { };

    /** Loads every training job and its tags (two queries); {@link #loadedAt()} is where the feed continues. */
    public Searches(ResourceStore store, JsonCodec codec, byte[] tokenKey) {
        this.store = store;
        this.documents = new TrainingJobDocuments(codec);
        this.codec = codec;
        this.tokenKey = tokenKey.clone();
        // The head first: a write that commits during the load is then applied again from the feed (harmless).
        this.loadedAt = store.headSeq();
        Map<String, Map<String, String>> tags = store.tagsOfKind(TrainingJobs.KIND);
        for (StoredResource row : store.findAll(TrainingJobs.KIND)) {
            put(row, tags.getOrDefault(row.arn(), Map.of()));
        }
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
        catchUp.run();
        SearchPage page = index(ctx.accountId(), ctx.region()).search(request);
        return codec.decode(page.toResponseBytes(), SearchResponse.builder());
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
        try {
            ObjectNode doc = (ObjectNode) JSON.readTree(documents.searchDocument(row, tags));
            index(row.key().account(), row.key().region()).put(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TrainingJobIndex index(String account, String region) {
        return indexes.computeIfAbsent(account + "/" + region, k -> new TrainingJobIndex(tokenKey));
    }
}
