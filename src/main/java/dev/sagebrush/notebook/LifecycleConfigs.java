package dev.sagebrush.notebook;

import dev.sagebrush.auth.PageTokens;
import dev.sagebrush.errors.AwsException;
import dev.sagebrush.jobs.Transitions;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.ListQuery;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.tags.TagLists;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.services.sagemaker.model.CreateNotebookInstanceLifecycleConfigRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateNotebookInstanceLifecycleConfigResponse;
import software.amazon.awssdk.services.sagemaker.model.DeleteNotebookInstanceLifecycleConfigRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceLifecycleConfigRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceLifecycleConfigResponse;
import software.amazon.awssdk.services.sagemaker.model.ListNotebookInstanceLifecycleConfigsRequest;
import software.amazon.awssdk.services.sagemaker.model.ListNotebookInstanceLifecycleConfigsResponse;
import software.amazon.awssdk.services.sagemaker.model.NotebookInstanceLifecycleConfigSummary;
import software.amazon.awssdk.services.sagemaker.model.NotebookInstanceLifecycleHook;
import software.amazon.awssdk.services.sagemaker.model.UpdateNotebookInstanceLifecycleConfigRequest;
import software.amazon.awssdk.services.sagemaker.model.UpdateNotebookInstanceLifecycleConfigResponse;

/**
 * Notebook instance lifecycle configs: named OnCreate/OnStart scripts (base64 in the API). A config is read when an
 * instance starts, so an update takes effect at the next start of every instance that uses it, as on AWS. The error
 * texts for a missing or duplicate config follow the form AWS uses for other notebook errors; AWS's exact wording for
 * these is not published.
 */
public final class LifecycleConfigs {
    public static final String KIND = "notebook-instance-lifecycle-config";
    static final int DEFAULT_MAX_RESULTS = 10;

    private final ResourceStore store;
    private final NotebookDocuments documents;
    private final PageTokens tokens;

    public LifecycleConfigs(ResourceStore store, JsonCodec codec, PageTokens tokens) {
        this.store = store;
        this.documents = new NotebookDocuments(codec);
        this.tokens = tokens;
    }

    public CreateNotebookInstanceLifecycleConfigResponse create(RequestContext ctx, CreateNotebookInstanceLifecycleConfigRequest req) {
        String name = req.notebookInstanceLifecycleConfigName();
        String arn = ctx.arn(KIND, name.toLowerCase(java.util.Locale.ROOT));
        checkBase64(req.onCreate());
        checkBase64(req.onStart());
        DescribeNotebookInstanceLifecycleConfigResponse doc = DescribeNotebookInstanceLifecycleConfigResponse.builder()
                .notebookInstanceLifecycleConfigArn(arn)
                .notebookInstanceLifecycleConfigName(name)
                .onCreate(req.hasOnCreate() ? req.onCreate() : null)
                .onStart(req.hasOnStart() ? req.onStart() : null)
                .creationTime(ctx.receivedAt())
                .lastModifiedTime(ctx.receivedAt())
                .build();
        StoredResource row = new StoredResource(key(ctx, name), arn, "InService", ctx.receivedAt(), ctx.receivedAt(), 0,
                documents.encode(doc));
        if (!store.create(row, TagLists.toMap(req.tags()))) {
            throw AwsException.validation("Unable to create Notebook Instance Lifecycle Config " + arn
                    + ". (Details: Notebook Instance Lifecycle Config already exists.)");
        }
        return CreateNotebookInstanceLifecycleConfigResponse.builder().notebookInstanceLifecycleConfigArn(arn).build();
    }

    public DescribeNotebookInstanceLifecycleConfigResponse describe(RequestContext ctx, DescribeNotebookInstanceLifecycleConfigRequest req) {
        return documents.lifecycleConfig(find(ctx, req.notebookInstanceLifecycleConfigName(), "describe"));
    }

    public UpdateNotebookInstanceLifecycleConfigResponse update(RequestContext ctx, UpdateNotebookInstanceLifecycleConfigRequest req) {
        checkBase64(req.onCreate());
        checkBase64(req.onStart());
        String name = req.notebookInstanceLifecycleConfigName();
        Transitions.change(store, key(ctx, name), () -> notFound(ctx, name, "update"), row -> {
            DescribeNotebookInstanceLifecycleConfigResponse.Builder b = documents.lifecycleConfig(row).toBuilder()
                    .lastModifiedTime(ctx.receivedAt());
            // A hook list that is given replaces the old one (an empty list removes the hook); an absent one stays.
            if (req.hasOnCreate()) b.onCreate(req.onCreate().isEmpty() ? null : req.onCreate());
            if (req.hasOnStart()) b.onStart(req.onStart().isEmpty() ? null : req.onStart());
            return row.withDocument(row.status(), ctx.receivedAt(), documents.encode(b.build()));
        });
        return UpdateNotebookInstanceLifecycleConfigResponse.builder().build();
    }

    public void delete(RequestContext ctx, DeleteNotebookInstanceLifecycleConfigRequest req) {
        String name = req.notebookInstanceLifecycleConfigName();
        Transitions.delete(store, key(ctx, name), () -> notFound(ctx, name, "delete"), row -> true);
    }

    public ListNotebookInstanceLifecycleConfigsResponse list(RequestContext ctx, ListNotebookInstanceLifecycleConfigsRequest req) {
        ListQuery.SortColumn sort = switch (Objects.requireNonNullElse(req.sortByAsString(), "CreationTime")) {
            case "Name" -> ListQuery.SortColumn.NAME;
            case "LastModifiedTime" -> ListQuery.SortColumn.MODIFIED;
            default -> ListQuery.SortColumn.CREATED;
        };
        boolean descending = "Descending".equals(req.sortOrderAsString());
        ListQuery.Builder query = ListQuery.builder(ctx.accountId(), ctx.region(), KIND)
                .nameContains(req.nameContains())
                .createdAfter(req.creationTimeAfter()).createdBefore(req.creationTimeBefore())
                .modifiedAfter(req.lastModifiedTimeAfter()).modifiedBefore(req.lastModifiedTimeBefore())
                .sort(sort, descending);
        String fingerprint = query.identity();
        ResourceStore.Page page = store.list(query
                .limit(req.maxResults() == null ? DEFAULT_MAX_RESULTS : req.maxResults())
                .after(tokens.read(fingerprint, req.nextToken()).orElse(null))
                .build());
        List<NotebookInstanceLifecycleConfigSummary> out = new ArrayList<>();
        for (StoredResource row : page.rows()) {
            DescribeNotebookInstanceLifecycleConfigResponse d = documents.lifecycleConfig(row);
            out.add(NotebookInstanceLifecycleConfigSummary.builder()
                    .notebookInstanceLifecycleConfigName(d.notebookInstanceLifecycleConfigName())
                    .notebookInstanceLifecycleConfigArn(d.notebookInstanceLifecycleConfigArn())
                    .creationTime(d.creationTime()).lastModifiedTime(d.lastModifiedTime()).build());
        }
        ListNotebookInstanceLifecycleConfigsResponse.Builder b = ListNotebookInstanceLifecycleConfigsResponse.builder()
                .notebookInstanceLifecycleConfigs(out);
        b.nextToken(tokens.next(fingerprint, sort, page));
        return b.build();
    }

    /** The API carries scripts as base64; a script that is not base64 could never run, so it is refused now. */
    private static void checkBase64(List<NotebookInstanceLifecycleHook> hooks) {
        if (hooks == null) return;
        for (NotebookInstanceLifecycleHook h : hooks) {
            if (h.content() == null) continue;
            try {
                Base64.getMimeDecoder().decode(h.content());
            } catch (IllegalArgumentException e) {
                throw AwsException.validation("The lifecycle configuration script content must be base64-encoded.");
            }
        }
    }

    private StoredResource find(RequestContext ctx, String name, String verb) {
        return store.get(key(ctx, name)).orElseThrow(() -> notFound(ctx, name, verb));
    }

    private static AwsException notFound(RequestContext ctx, String name, String verb) {
        return AwsException.validation("Unable to " + verb + " Notebook Instance Lifecycle Config '"
                + ctx.arn(KIND, name.toLowerCase(java.util.Locale.ROOT))
                + "'. (Details: Notebook Instance Lifecycle Config does not exist.)");
    }

    /** For instances that name a config: it must exist when they are created or updated. */
    static void requireExists(ResourceStore store, RequestContext ctx, String name) {
        if (store.get(key(ctx, name)).isEmpty()) {
            throw AwsException.validation("Notebook Instance Lifecycle Config " + ctx.arn(KIND,
                    name.toLowerCase(java.util.Locale.ROOT)) + " does not exist.");
        }
    }

    static ResourceKey key(RequestContext ctx, String name) {
        return new ResourceKey(ctx.accountId(), ctx.region(), KIND, name);
    }
}
