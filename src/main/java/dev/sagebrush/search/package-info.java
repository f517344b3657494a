/**
 * Search and GetSearchSuggestions for Resource=TrainingJob: a pure, in-memory engine with no HTTP or store code.
 *
 * <p>Use: one {@link dev.sagebrush.search.TrainingJobIndex} per account and region, fed every TrainingJob search
 * record (the SDK {@code TrainingJob} shape in awsJson wire form, Tags and FinalMetricDataList included) with
 * {@code put}/{@code remove}; {@code search(SearchRequest)} returns a {@link dev.sagebrush.search.SearchPage}.
 *
 * <p>Decisions where the API reference is silent (each is also stated where it is implemented):
 * <ul>
 *   <li>Text comparison is exact and case-sensitive for Equals, In and Contains (Contains is a substring test).
 *   In splits on commas and trims blanks around each item.</li>
 *   <li>NotEquals and NotExists are the negations of Equals and Exists: NotEquals also matches records without the
 *   property, and on a list means that no element equals.</li>
 *   <li>Without NestedFilters a filter on a list property holds if any element matches; inside NestedFilters all
 *   filters must hold on the same element of the named list.</li>
 *   <li>HyperParameters: an integer Value compares the integer part (truncation) of numeric hyperparameters, a decimal
 *   Value their decimal value, any other Value the raw text; orderings need a numeric Value.</li>
 *   <li>Timestamps accept {@code YYYY-mm-ddTHH:MM:SS} (UTC), ISO-8601 with a zone, and epoch seconds.</li>
 *   <li>The 50-node limit counts the Filters inside NestedFilters; one Contains per request.</li>
 *   <li>Sorting: records without the sort value come last in both directions; lists sort by their minimum
 *   ascending and maximum descending; ties break on TrainingJobArn ascending.</li>
 *   <li>MaxResults defaults to 10. TotalHits is exact (Relation EqualTo). NextTokens name a position (sort value +
 *   ARN), are HMAC-signed and bound to the SearchExpression, SortBy and SortOrder (MaxResults may change).</li>
 *   <li>CrossAccountFilterOption=CrossAccount matches nothing; VisibilityConditions are ignored.</li>
 *   <li>GetSearchSuggestions returns every matching name, sorted, with no count limit (none is documented).</li>
 * </ul>
 */
package dev.sagebrush.search;
