package dev.sagebrush.tags;

import dev.sagebrush.auth.PageTokens;
import dev.sagebrush.errors.AwsException;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.ListQuery;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sagemaker.model.AddTagsRequest;
import software.amazon.awssdk.services.sagemaker.model.AddTagsResponse;
import software.amazon.awssdk.services.sagemaker.model.DeleteTagsRequest;
import software.amazon.awssdk.services.sagemaker.model.DeleteTagsResponse;
import software.amazon.awssdk.services.sagemaker.model.ListTagsRequest;
import software.amazon.awssdk.services.sagemaker.model.ListTagsResponse;
import software.amazon.awssdk.services.sagemaker.model.Tag;

/**
 * AddTags, ListTags and DeleteTags for every resource Sagebrush hosts. Resources are found by ARN in the store, so a
 * new resource kind is taggable the moment it is stored, with no change here. The tags given at creation are the
 * same rows, so they read back identically.
 *
 * <p>An ARN is only visible to its own account and region: another caller's ARN answers like one that does not exist,
 * so tagging cannot be used to probe for other accounts' resources.
 */
public final class Tags {
    /** SageMaker's limit of tags on one resource. */
    public static final int MAX_TAGS_PER_RESOURCE = 50;
    static final int DEFAULT_LIST_MAX_RESULTS = 50;

    private final ResourceStore store;
    private final PageTokens tokens;
    /** A tag change is a write of its resource in the store's change feed, so Search re-indexes the tags from there. */
    public Tags(ResourceStore store, PageTokens tokens) {
        this.store = store;
        this.tokens = tokens;
    }

    public AddTagsResponse addTags(RequestContext ctx, AddTagsRequest req) {
        StoredResource resource = find(ctx, req.resourceArn());
        Map<String, String> adding = TagLists.toMap(req.tags());
        Map<String, String> before = store.tags(resource.arn());
        Map<String, String> after = new LinkedHashMap<>(before);
        after.putAll(adding);
        // AddTags declares no errors, so the limit is a ValidationException; AWS's wording is not published, this
        // one is ours. Checked before the write and not inside it: two concurrent AddTags could together pass 50,
        // and nothing in the store depends on the limit holding.
        if (after.size() > MAX_TAGS_PER_RESOURCE) {
            throw AwsException.validation("Resource " + resource.arn() + " would have " + after.size() + " tags, "
                    + "which exceeds the limit of " + MAX_TAGS_PER_RESOURCE + " tags per resource (it has "
                    + before.size() + ").");
        }
        if (!store.putTags(resource.arn(), adding)) {
            throw notFound();
        }
        return AddTagsResponse.builder().tags(req.tags()).build();
    }

    public ListTagsResponse listTags(RequestContext ctx, ListTagsRequest req) {
        StoredResource resource = find(ctx, req.resourceArn());
        int max = req.maxResults() == null ? DEFAULT_LIST_MAX_RESULTS : req.maxResults();
        // The cursor is the last key returned; keys are listed in the order they were first added.
        String fingerprint = "tags\u0001" + resource.arn() + "\u0001" + max;
        String afterKey = tokens.read(fingerprint, req.nextToken()).map(ListQuery.Cursor::name).orElse(null);
        List<Map.Entry<String, String>> all = new ArrayList<>(store.tags(resource.arn()).entrySet());
        int from = 0;
        if (afterKey != null) {
            from = all.size();
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).getKey().equals(afterKey)) {
                    from = i + 1;
                    break;
                }
            }
        }
        int to = Math.min(all.size(), from + max);
        List<Tag> page = new ArrayList<>(to - from);
        for (Map.Entry<String, String> e : all.subList(from, to)) {
            page.add(Tag.builder().key(e.getKey()).value(e.getValue()).build());
        }
        ListTagsResponse.Builder out = ListTagsResponse.builder().tags(page);
        if (to < all.size()) {
            out.nextToken(tokens.issue(fingerprint, new ListQuery.Cursor(null, all.get(to - 1).getKey())));
        }
        return out.build();
    }

    public DeleteTagsResponse deleteTags(RequestContext ctx, DeleteTagsRequest req) {
        StoredResource resource = find(ctx, req.resourceArn());
        // Deleting a key the resource does not have succeeds, as in SageMaker: the caller's goal already holds.
        if (!store.deleteTags(resource.arn(), req.tagKeys())) {
            throw notFound();
        }
        return DeleteTagsResponse.builder().build();
    }

    private StoredResource find(RequestContext ctx, String arn) {
        StoredResource r = store.getByArn(arn).orElseThrow(Tags::notFound);
        if (!r.key().account().equals(ctx.accountId()) || !r.key().region().equals(ctx.region())) {
            throw notFound();
        }
        return r;
    }

    /** SageMaker's answer for an ARN it does not know (boto3#4606 quotes it for ListTags). */
    static AwsException notFound() {
        return AwsException.validation("Resource does not exist");
    }
}
