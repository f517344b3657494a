package dev.sagebrush.search;

import software.amazon.awssdk.services.sagemaker.model.SearchRequest;

/**
 * Which page to return: at most {@code maxResults} records after the position in {@code nextToken} (null = first).
 * The model documents no default for MaxResults; we use 10, the page size of Elasticsearch (which backs SageMaker
 * Search) and of most SageMaker List operations. The range is the model's 1..100.
 */
public record PageRequest(int maxResults, String nextToken) {
    public static final int DEFAULT_MAX_RESULTS = 10;
    public static final int MAX_MAX_RESULTS = 100;

    public PageRequest {
        if (maxResults < 1) {
            throw SearchErrors.constraint(maxResults, "maxResults", "have value greater than or equal to 1");
        }
        if (maxResults > MAX_MAX_RESULTS) {
            throw SearchErrors.constraint(maxResults, "maxResults", "have value less than or equal to 100");
        }
        if (nextToken != null && nextToken.length() > 8192) {
            throw SearchErrors.constraint("...", "nextToken", "have length less than or equal to 8192");
        }
        if (nextToken != null && nextToken.isEmpty()) {
            nextToken = null; // the model allows a 0-length token; it can only mean "from the start"
        }
    }

    public static PageRequest from(SearchRequest request) {
        Integer max = request.maxResults();
        return new PageRequest(max == null ? DEFAULT_MAX_RESULTS : max, request.nextToken());
    }
}
