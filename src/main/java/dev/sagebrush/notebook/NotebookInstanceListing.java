package dev.sagebrush.notebook;

import dev.sagebrush.auth.PageTokens;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.ListQuery;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceResponse;
import software.amazon.awssdk.services.sagemaker.model.ListNotebookInstancesRequest;
import software.amazon.awssdk.services.sagemaker.model.ListNotebookInstancesResponse;
import software.amazon.awssdk.services.sagemaker.model.NotebookInstanceSummary;

/**
 * ListNotebookInstances: every filter, SortBy Name|CreationTime|Status (default Name), SortOrder (default Ascending),
 * MaxResults (default 10), and a NextToken bound to the query it came from. Name, status and time filters run in the
 * store; the lifecycle config and code repository filters run on the documents ({@link FilteredPages}).
 */
public final class NotebookInstanceListing {
    static final int DEFAULT_MAX_RESULTS = 10;

    private final ResourceStore store;
    private final NotebookDocuments documents;
    private final PageTokens tokens;
    private final NotebookInstances instances;

    public NotebookInstanceListing(ResourceStore store, JsonCodec codec, PageTokens tokens, NotebookInstances instances) {
        this.store = store;
        this.documents = new NotebookDocuments(codec);
        this.tokens = tokens;
        this.instances = instances;
    }

    public ListNotebookInstancesResponse list(RequestContext ctx, ListNotebookInstancesRequest req) {
        ListQuery.SortColumn sort = switch (Objects.requireNonNullElse(req.sortByAsString(), "Name")) {
            case "CreationTime" -> ListQuery.SortColumn.CREATED;
            case "Status" -> ListQuery.SortColumn.STATUS;
            default -> ListQuery.SortColumn.NAME;
        };
        boolean descending = "Descending".equals(req.sortOrderAsString());
        java.util.function.Supplier<ListQuery.Builder> query = () -> ListQuery.builder(ctx.accountId(), ctx.region(), NotebookInstances.KIND)
                .nameContains(req.nameContains())
                .statusEquals(req.statusEqualsAsString())
                .createdAfter(req.creationTimeAfter()).createdBefore(req.creationTimeBefore())
                .modifiedAfter(req.lastModifiedTimeAfter()).modifiedBefore(req.lastModifiedTimeBefore())
                .sort(sort, descending);
        // The filters applied to the documents, outside the store, bind the token too.
        String fingerprint = query.get().identity(req.notebookInstanceLifecycleConfigNameContains(),
                req.defaultCodeRepositoryContains(), req.additionalCodeRepositoryEquals());
        int limit = req.maxResults() == null ? DEFAULT_MAX_RESULTS : req.maxResults();
        ResourceStore.Page page = FilteredPages.list(store, query, sort,
                tokens.read(fingerprint, req.nextToken()).orElse(null), limit, documentFilter(req));
        List<NotebookInstanceSummary> out = new ArrayList<>(page.rows().size());
        for (StoredResource row : page.rows()) out.add(summary(ctx, documents.instance(row)));
        ListNotebookInstancesResponse.Builder b = ListNotebookInstancesResponse.builder().notebookInstances(out);
        b.nextToken(tokens.next(fingerprint, sort, page));
        return b.build();
    }

    private Predicate<StoredResource> documentFilter(ListNotebookInstancesRequest req) {
        String lcc = lower(req.notebookInstanceLifecycleConfigNameContains());
        String defaultRepo = lower(req.defaultCodeRepositoryContains());
        String additional = req.additionalCodeRepositoryEquals();
        if (lcc == null && defaultRepo == null && additional == null) return row -> true;
        return row -> {
            DescribeNotebookInstanceResponse d = documents.instance(row);
            if (lcc != null && (d.notebookInstanceLifecycleConfigName() == null
                    || !d.notebookInstanceLifecycleConfigName().toLowerCase(Locale.ROOT).contains(lcc))) return false;
            if (defaultRepo != null && (d.defaultCodeRepository() == null
                    || !d.defaultCodeRepository().toLowerCase(Locale.ROOT).contains(defaultRepo))) return false;
            return additional == null || d.additionalCodeRepositories().contains(additional);
        };
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private NotebookInstanceSummary summary(RequestContext ctx, DescribeNotebookInstanceResponse d) {
        return NotebookInstanceSummary.builder()
                .notebookInstanceName(d.notebookInstanceName())
                .notebookInstanceArn(d.notebookInstanceArn())
                .notebookInstanceStatus(d.notebookInstanceStatusAsString())
                .url(instances.url(NotebookInstances.instanceKey(ctx, d.notebookInstanceName())))
                .instanceType(d.instanceTypeAsString())
                .creationTime(d.creationTime())
                .lastModifiedTime(d.lastModifiedTime())
                .notebookInstanceLifecycleConfigName(d.notebookInstanceLifecycleConfigName())
                .defaultCodeRepository(d.defaultCodeRepository())
                .additionalCodeRepositories(d.hasAdditionalCodeRepositories() ? d.additionalCodeRepositories() : null)
                .build();
    }
}
