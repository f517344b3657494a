package dev.sagebrush.compilation;

import dev.sagebrush.auth.PageTokens;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.ListQuery;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobSummary;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ListCompilationJobsRequest;
import software.amazon.awssdk.services.sagemaker.model.ListCompilationJobsResponse;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;

/**
 * ListCompilationJobs: every filter, SortBy Name|CreationTime|Status (default CreationTime), SortOrder (default
 * Ascending), MaxResults (default 10), and a NextToken bound to the query it came from.
 */
public final class CompilationJobListing {
    static final int DEFAULT_MAX_RESULTS = 10;

    private final ResourceStore store;
    private final CompilationJobDocuments documents;
    private final PageTokens tokens;

    public CompilationJobListing(ResourceStore store, JsonCodec codec, PageTokens tokens) {
        this.store = store;
        this.documents = new CompilationJobDocuments(codec);
        this.tokens = tokens;
    }

    public ListCompilationJobsResponse list(RequestContext ctx, ListCompilationJobsRequest req) {
        ListQuery.SortColumn sort = switch (Objects.requireNonNullElse(req.sortByAsString(), "CreationTime")) {
            case "Name" -> ListQuery.SortColumn.NAME;
            case "Status" -> ListQuery.SortColumn.STATUS;
            default -> ListQuery.SortColumn.CREATED;
        };
        boolean descending = "Descending".equals(req.sortOrderAsString());
        ListQuery.Builder query = ListQuery.builder(ctx.accountId(), ctx.region(), CompilationJobs.KIND)
                .nameContains(req.nameContains())
                .statusEquals(req.statusEqualsAsString())
                .createdAfter(req.creationTimeAfter()).createdBefore(req.creationTimeBefore())
                .modifiedAfter(req.lastModifiedTimeAfter()).modifiedBefore(req.lastModifiedTimeBefore())
                .sort(sort, descending);
        String fingerprint = query.identity();
        ResourceStore.Page page = store.list(query
                .limit(req.maxResults() == null ? DEFAULT_MAX_RESULTS : req.maxResults())
                .after(tokens.read(fingerprint, req.nextToken()).orElse(null))
                .build());
        List<CompilationJobSummary> summaries = new ArrayList<>(page.rows().size());
        for (StoredResource row : page.rows()) {
            summaries.add(summary(documents.decode(row)));
        }
        ListCompilationJobsResponse.Builder out = ListCompilationJobsResponse.builder().compilationJobSummaries(summaries);
        out.nextToken(tokens.next(fingerprint, sort, page));
        return out.build();
    }

    static CompilationJobSummary summary(DescribeCompilationJobResponse job) {
        OutputConfig oc = job.outputConfig();
        CompilationJobSummary.Builder s = CompilationJobSummary.builder()
                .compilationJobName(job.compilationJobName())
                .compilationJobArn(job.compilationJobArn())
                .creationTime(job.creationTime())
                .compilationStartTime(job.compilationStartTime())
                .compilationEndTime(job.compilationEndTime())
                .lastModifiedTime(job.lastModifiedTime())
                .compilationJobStatus(job.compilationJobStatusAsString());
        if (oc != null) {
            s.compilationTargetDevice(oc.targetDeviceAsString());
            if (oc.targetPlatform() != null) {
                s.compilationTargetPlatformOs(oc.targetPlatform().osAsString())
                        .compilationTargetPlatformArch(oc.targetPlatform().archAsString())
                        .compilationTargetPlatformAccelerator(oc.targetPlatform().acceleratorAsString());
            }
        }
        return s.build();
    }
}
