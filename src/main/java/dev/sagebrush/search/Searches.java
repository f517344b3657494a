package dev.sagebrush.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.training.TrainingJobDocuments;
import dev.sagebrush.training.TrainingJobListener;
import dev.sagebrush.training.TrainingJobs;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * account and region, loaded from the store at start-up and kept in step by the training job events (every write of a
 * job or its tags). Other resource types are not hosted here, so a search over them finds nothing, as a search
 * over an account that has none of them would.
 */
public final class Searches implements TrainingJobListener {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResourceStore store;
    private final TrainingJobDocuments documents;
    private final JsonCodec codec;
    private final byte[] tokenKey;
    private final Map<String, TrainingJobIndex> indexes = new ConcurrentHashMap<>();
    /** Version last indexed per ARN: events from different threads may arrive out of order. */
    private final Map<String, Long> versions = new ConcurrentHashMap<>();

    public Searches(ResourceStore store, JsonCodec codec, byte[] tokenKey) {
        this.store = store;
        this.documents = new TrainingJobDocuments(codec);
        this.codec = codec;
        this.tokenKey = tokenKey.clone();
        // At start-up the rows just read are current: index them as they are (no re-read per job).
        for (StoredResource row : store.findAll(TrainingJobs.KIND)) {
            put(row);
        }
    }

    public SearchResponse search(RequestContext ctx, SearchRequest request) {
        if (!"TrainingJob".equals(request.resourceAsString())) {
            return SearchResponse.builder().results(List.of())
                    .totalHits(TotalHits.builder().value(0L).relation("EqualTo").build()).build();
        }
        SearchPage page = index(ctx.accountId(), ctx.region()).search(request);
        return codec.decode(page.toResponseBytes(), SearchResponse.builder());
    }

    public GetSearchSuggestionsResponse getSearchSuggestions(RequestContext ctx, GetSearchSuggestionsRequest request) {
        if (!"TrainingJob".equals(request.resourceAsString())) {
            return GetSearchSuggestionsResponse.builder().propertyNameSuggestions(List.of()).build();
        }
        return index(ctx.accountId(), ctx.region()).getSearchSuggestions(request);
    }

    @Override
    public synchronized void changed(StoredResource row) {
        // Tag changes arrive with the row's version unchanged, so an equal version is re-indexed (tags re-read).
        Long seen = versions.get(row.arn());
        if (seen != null && seen > row.version()) {
            return;
        }
        StoredResource current = store.getByArn(row.arn()).orElse(null);
        if (current == null) {
            removed(row.arn());
            return;
        }
        put(current);
    }

    private void put(StoredResource current) {
        try {
            ObjectNode doc = (ObjectNode) JSON.readTree(documents.searchDocument(current, store.tags(current.arn())));
            index(current.key().account(), current.key().region()).put(doc);
            versions.put(current.arn(), current.version());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void removed(String arn) {
        versions.remove(arn);
        indexes.values().forEach(i -> i.remove(arn));
    }

    private TrainingJobIndex index(String account, String region) {
        return indexes.computeIfAbsent(account + "/" + region, k -> new TrainingJobIndex(tokenKey));
    }
}
