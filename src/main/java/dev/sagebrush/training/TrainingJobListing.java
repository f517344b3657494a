package dev.sagebrush.training;

import dev.sagebrush.auth.PageTokens;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.ListQuery;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ListTrainingJobsRequest;
import software.amazon.awssdk.services.sagemaker.model.ListTrainingJobsResponse;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobSummary;

/**
 * ListTrainingJobs: NameContains, the four time filters, StatusEquals, SortBy Name|CreationTime|Status (default
 * CreationTime), SortOrder (default Ascending), MaxResults (default 10) and NextToken.
 *
 * <p>StatusEquals reproduces SageMaker's documented quirk: a page of MaxResults jobs is selected first with the other
 * filters, and StatusEquals then removes non-matching jobs from that page. A page can therefore be short, or empty
 * with a NextToken; clients that page to the end (the SDK paginators do) still see every matching job. The token
 * continues after the last job of the unfiltered page.
 *
 * <p>WarmPoolStatusEquals and TrainingPlanArnEquals match nothing: Sagebrush refuses warm pools and training plans
 * at creation, so no job has either.
 */
public final class TrainingJobListing {
    static final int DEFAULT_MAX_RESULTS = 10;

    private final ResourceStore store;
    private final TrainingJobDocuments documents;
    private final PageTokens tokens;

    public TrainingJobListing(ResourceStore store, JsonCodec codec, PageTokens tokens) {
        this.store = store;
        this.documents = new TrainingJobDocuments(codec);
        this.tokens = tokens;
    }

    public ListTrainingJobsResponse list(RequestContext ctx, ListTrainingJobsRequest req) {
        if (req.warmPoolStatusEqualsAsString() != null || req.trainingPlanArnEquals() != null) {
            return ListTrainingJobsResponse.builder().trainingJobSummaries(List.of()).build();
        }
        ListQuery.SortColumn sort = switch (Objects.requireNonNullElse(req.sortByAsString(), "CreationTime")) {
            case "Name" -> ListQuery.SortColumn.NAME;
            case "Status" -> ListQuery.SortColumn.STATUS;
            default -> ListQuery.SortColumn.CREATED;
        };
        boolean descending = "Descending".equals(req.sortOrderAsString());
        ListQuery.Builder query = ListQuery.builder(ctx.accountId(), ctx.region(), TrainingJobs.KIND)
                .nameContains(req.nameContains())
                .createdAfter(req.creationTimeAfter()).createdBefore(req.creationTimeBefore())
                .modifiedAfter(req.lastModifiedTimeAfter()).modifiedBefore(req.lastModifiedTimeBefore())
                .sort(sort, descending);
        // StatusEquals is applied after the page is taken (AWS's documented quirk), but it binds the token too.
        String fingerprint = query.identity(req.statusEqualsAsString());
        ResourceStore.Page page = store.list(query
                .limit(req.maxResults() == null ? DEFAULT_MAX_RESULTS : req.maxResults())
                .after(tokens.read(fingerprint, req.nextToken()).orElse(null))
                .build());
        String status = req.statusEqualsAsString();
        List<TrainingJobSummary> summaries = new ArrayList<>(page.rows().size());
        for (StoredResource row : page.rows()) {
            if (status == null || status.equals(row.status())) {
                summaries.add(summary(documents.decode(row)));
            }
        }
        ListTrainingJobsResponse.Builder out = ListTrainingJobsResponse.builder().trainingJobSummaries(summaries);
        out.nextToken(tokens.next(fingerprint, sort, page));
        return out.build();
    }

    static TrainingJobSummary summary(DescribeTrainingJobResponse job) {
        return TrainingJobSummary.builder()
                .trainingJobName(job.trainingJobName())
                .trainingJobArn(job.trainingJobArn())
                .creationTime(job.creationTime())
                .trainingEndTime(job.trainingEndTime())
                .lastModifiedTime(job.lastModifiedTime())
                .trainingJobStatus(job.trainingJobStatusAsString())
                .secondaryStatus(job.secondaryStatusAsString())
                .build();
    }
}
