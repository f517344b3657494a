package dev.sagebrush.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.errors.AwsException;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;

/**
 * A validated, compiled Search request for Resource=TrainingJob: the filter condition, the sort order and the hash
 * that binds page tokens to this query. Compile once per request; evaluation then touches only pre-parsed values.
 *
 * <p>{@code CrossAccountFilterOption=CrossAccount} asks for resources other accounts shared with the caller; there
 * is no cross-account sharing here, so it matches nothing. {@code VisibilityConditions} are accepted and ignored (every
 * job of the account is visible to its caller).
 */
public final class SearchQuery {
    private final Condition condition;
    private final SortSpec sort;
    private final byte[] hash;

    private SearchQuery(Condition condition, SortSpec sort, byte[] hash) {
        this.condition = condition;
        this.sort = sort;
        this.hash = hash;
    }

    /** Validates and compiles; throws a ValidationException {@link AwsException} on any invalid part. */
    public static SearchQuery compile(SearchRequest request) {
        checkResource(request.resourceAsString());
        PropertyCatalogue catalogue = PropertyCatalogue.trainingJob();
        ExpressionCompiler compiler = new ExpressionCompiler(catalogue);
        Condition condition = request.searchExpression() == null ? Condition.constant(true) : compiler.compile(request.searchExpression());
        SortSpec sort = SortSpec.compile(catalogue, request.sortBy(), request.sortOrderAsString());
        String crossAccount = request.crossAccountFilterOptionAsString();
        if (crossAccount != null && !crossAccount.equals("SameAccount") && !crossAccount.equals("CrossAccount")) {
            throw SearchErrors.constraint(crossAccount, "crossAccountFilterOption",
                    "satisfy enum value set: [SameAccount, CrossAccount]");
        }
        if ("CrossAccount".equals(crossAccount)) {
            condition = Condition.constant(false);
        }
        String canonical = "TrainingJob|" + compiler.canonical() + "|" + sort.sortBy() + "|"
                + (sort.ascending() ? "Ascending" : "Descending") + "|" + crossAccount;
        return new SearchQuery(condition, sort, PageTokens.queryHash(canonical));
    }

    static void checkResource(String resource) {
        if (resource == null) {
            throw SearchErrors.constraint(null, "resource", "not be null");
        }
        if (!resource.equals("TrainingJob")) {
            throw AwsException.validation("Resource '" + resource
                    + "' is not supported by this server; Search supports Resource TrainingJob.");
        }
    }

    /** True if the training job document satisfies this query's SearchExpression (sorting and paging aside). */
    public boolean matches(ObjectNode trainingJob) {
        PropertyCatalogue catalogue = PropertyCatalogue.trainingJob();
        ColumnStore one = new ColumnStore(catalogue, 1);
        JobRecord record = new RecordExtractor(catalogue).extract(trainingJob);
        one.append(record, record.document(), 0);
        one.publish();
        return condition.bind(one.view()).test(0);
    }

    /** The effective SortBy (LastModifiedTime when the request has none). */
    public String sortBy() { return sort.sortBy(); }

    /** The effective SortOrder (Descending when the request has none). */
    public boolean ascending() { return sort.ascending(); }

    Condition condition() { return condition; }
    SortSpec sort() { return sort; }
    byte[] hash() { return hash.clone(); }
}
