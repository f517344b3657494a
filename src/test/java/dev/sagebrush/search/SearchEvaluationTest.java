package dev.sagebrush.search;

import static dev.sagebrush.search.TestJobs.and;
import static dev.sagebrush.search.TestJobs.filter;
import static dev.sagebrush.search.TestJobs.job;
import static dev.sagebrush.search.TestJobs.nested;
import static dev.sagebrush.search.TestJobs.or;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.Filter;
import software.amazon.awssdk.services.sagemaker.model.SearchExpression;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;

/** Filter semantics: every operator on every property type, lists, NestedFilters and SubExpressions. */
class SearchEvaluationTest {
    private TrainingJobIndex index;

    @BeforeEach
    void setUp() {
        index = new TrainingJobIndex(TestJobs.KEY);
        // a: completed, good auc, deep trees, reads train from 2026 and validation from 2025
        index.put(job("a").status("Completed").created(1_767_225_600L).networkIsolation(true).trainingSeconds(100)
                .instance("ml.m5.xlarge", 1).metric("validation:auc", 0.95).metric("train:loss", 0.1)
                .hp("max_depth", "6").hp("eta", "0.3").hp("objective", "binary:logistic")
                .tag("team", "ranking").env("MODE", "fast")
                .channel("train", "s3://data/2026/train/", "a1", "a2")
                .channel("validation", "s3://data/2025/validation/")
                .subnets("subnet-1", "subnet-2").build());
        // b: failed, no metrics, channels crossed: train from 2025, validation from 2026
        index.put(job("b").status("Failed").created(1_767_312_000L).networkIsolation(false).trainingSeconds(200)
                .instance("ml.c5.xlarge", 2).hp("max_depth", "8.5").hp("eta", "0.05")
                .tag("team", "search").tag("owner", "bob")
                .channel("train", "s3://data/2025/train/")
                .channel("validation", "s3://data/2026/validation/").build());
        // c: completed, mediocre auc, no tags, no channels
        index.put(job("c").status("Completed").created(1_767_398_400.5).trainingSeconds(300)
                .metric("validation:auc", 0.85).hp("max_depth", "10").hp("eta", "abc").build());
    }

    private List<String> find(SearchExpression e) {
        SearchRequest r = TestJobs.request(e).toBuilder().maxResults(100).build();
        return TestJobs.names(index.search(r));
    }

    private List<String> find(Filter f) { return find(and(f)); }

    @Test
    void textOperators() {
        assertThat(find(filter("TrainingJobStatus", "Equals", "Completed"))).containsExactly("a", "c");
        assertThat(find(filter("TrainingJobStatus", "Equals", "completed"))).isEmpty(); // case-sensitive
        assertThat(find(filter("TrainingJobStatus", "NotEquals", "Completed"))).containsExactly("b");
        assertThat(find(filter("TrainingJobName", "Contains", "b"))).containsExactly("b");
        assertThat(find(filter("TrainingJobStatus", "In", "Failed, Stopped"))).containsExactly("b");
        assertThat(find(filter("TrainingJobStatus", "In", "Completed,Failed"))).containsExactly("a", "b", "c");
        assertThat(find(filter("ResourceConfig.InstanceType", "Exists", null))).containsExactly("a", "b");
        assertThat(find(filter("ResourceConfig.InstanceType", "NotExists", null))).containsExactly("c");
    }

    @Test
    void defaultsValueMeansEqualsAndNameOnlyMeansExists() {
        assertThat(find(filter("TrainingJobStatus", null, "Failed"))).containsExactly("b");
        assertThat(find(filter("Tags.owner", null, null))).containsExactly("b");
    }

    @Test
    void numberOperators() {
        assertThat(find(filter("TrainingTimeInSeconds", "Equals", "200"))).containsExactly("b");
        assertThat(find(filter("TrainingTimeInSeconds", "Equals", "200.0"))).containsExactly("b");
        assertThat(find(filter("TrainingTimeInSeconds", "NotEquals", "200"))).containsExactly("a", "c");
        assertThat(find(filter("TrainingTimeInSeconds", "GreaterThan", "200"))).containsExactly("c");
        assertThat(find(filter("TrainingTimeInSeconds", "GreaterThanOrEqualTo", "200"))).containsExactly("b", "c");
        assertThat(find(filter("TrainingTimeInSeconds", "LessThan", "200"))).containsExactly("a");
        assertThat(find(filter("TrainingTimeInSeconds", "LessThanOrEqualTo", "200"))).containsExactly("a", "b");
        assertThat(find(filter("ResourceConfig.InstanceCount", "GreaterThan", "1.5"))).containsExactly("b");
        assertThat(find(filter("ResourceConfig.InstanceCount", "NotExists", null))).containsExactly("c");
    }

    @Test
    void timestampOperatorsAcceptTheDocumentedFormatIsoWithZoneAndEpochSeconds() {
        // a 2026-01-01T00:00:00Z, b 2026-01-02T00:00:00Z, c 2026-01-03T00:00:00.5Z
        assertThat(find(filter("CreationTime", "Equals", "2026-01-02T00:00:00"))).containsExactly("b");
        assertThat(find(filter("CreationTime", "NotEquals", "2026-01-02T00:00:00"))).containsExactly("a", "c");
        assertThat(find(filter("CreationTime", "GreaterThan", "2026-01-02T00:00:00"))).containsExactly("c");
        assertThat(find(filter("CreationTime", "GreaterThanOrEqualTo", "2026-01-02T00:00:00Z")))
                .containsExactly("b", "c");
        assertThat(find(filter("CreationTime", "LessThan", "2026-01-02T02:00:00+02:00"))).containsExactly("a");
        assertThat(find(filter("CreationTime", "LessThanOrEqualTo", "1767312000"))).containsExactly("a", "b");
        assertThat(find(filter("CreationTime", "Equals", "1767398400.5"))).containsExactly("c");
        assertThat(find(filter("TrainingEndTime", "NotExists", null))).containsExactly("a", "b", "c");
    }

    @Test
    void booleanOperators() {
        assertThat(find(filter("EnableNetworkIsolation", "Equals", "true"))).containsExactly("a");
        assertThat(find(filter("EnableNetworkIsolation", "Equals", "FALSE"))).containsExactly("b");
        assertThat(find(filter("EnableNetworkIsolation", "NotEquals", "true"))).containsExactly("b", "c");
        assertThat(find(filter("EnableNetworkIsolation", "Exists", null))).containsExactly("a", "b");
    }

    @Test
    void metrics() {
        assertThat(find(filter("Metrics.validation:auc", "GreaterThan", "0.9"))).containsExactly("a");
        assertThat(find(filter("Metrics.validation:auc", "LessThanOrEqualTo", "0.95"))).containsExactly("a", "c");
        assertThat(find(filter("Metrics.validation:auc", "Equals", "0.85"))).containsExactly("c");
        assertThat(find(filter("Metrics.validation:auc", "NotExists", null))).containsExactly("b");
        assertThat(find(filter("Metrics.train:loss", "Exists", null))).containsExactly("a");
        assertThat(find(filter("Metrics.never", "LessThan", "1"))).isEmpty();
        assertThat(find(filter("FinalMetricDataList.MetricName", "Equals", "train:loss"))).containsExactly("a");
    }

    @Test
    void hyperParametersCompareAsIntegersOrDecimalsFollowingTheValue() {
        // max_depth: a "6", b "8.5", c "10". An integer Value compares integer parts: 8.5 counts as 8.
        assertThat(find(filter("HyperParameters.max_depth", "LessThan", "8"))).containsExactly("a");
        assertThat(find(filter("HyperParameters.max_depth", "Equals", "8"))).containsExactly("b");
        assertThat(find(filter("HyperParameters.max_depth", "LessThanOrEqualTo", "8"))).containsExactly("a", "b");
        // a decimal Value compares decimals: 8.5 is not < 8.0, and 10 > 8.4 numerically (not as text)
        assertThat(find(filter("HyperParameters.max_depth", "LessThan", "8.0"))).containsExactly("a");
        assertThat(find(filter("HyperParameters.max_depth", "GreaterThan", "8.4"))).containsExactly("b", "c");
        assertThat(find(filter("HyperParameters.max_depth", "Equals", "8.5"))).containsExactly("b");
        // eta "abc" is not numeric: never matches a numeric comparison, but does match text operators
        assertThat(find(filter("HyperParameters.eta", "LessThan", "1"))).containsExactly("a", "b");
        assertThat(find(filter("HyperParameters.eta", "Equals", "abc"))).containsExactly("c");
        assertThat(find(filter("HyperParameters.objective", "Contains", "logistic"))).containsExactly("a");
        assertThat(find(filter("HyperParameters.objective", "In", "binary:logistic,reg:squarederror")))
                .containsExactly("a");
        assertThat(find(filter("HyperParameters.objective", "NotEquals", "binary:logistic")))
                .containsExactly("b", "c");
        assertThat(find(filter("HyperParameters", "Exists", null))).containsExactly("a", "b", "c");
    }

    @Test
    void tagsAndStringMaps() {
        assertThat(find(filter("Tags.team", "Equals", "ranking"))).containsExactly("a");
        assertThat(find(filter("Tags.team", "In", "ranking,search"))).containsExactly("a", "b");
        assertThat(find(filter("Tags.team", "NotEquals", "ranking"))).containsExactly("b", "c");
        assertThat(find(filter("Tags.owner", "Exists", null))).containsExactly("b");
        assertThat(find(filter("Tags", "NotExists", null))).containsExactly("c");
        assertThat(find(filter("Environment.MODE", "Equals", "fast"))).containsExactly("a");
    }

    @Test
    void aFilterOnAListMatchesIfAnyElementMatches() {
        assertThat(find(filter("InputDataConfig.ChannelName", "Equals", "validation"))).containsExactly("a", "b");
        assertThat(find(filter("VpcConfig.Subnets", "Equals", "subnet-2"))).containsExactly("a");
        assertThat(find(filter("InputDataConfig.DataSource.S3DataSource.AttributeNames", "Equals", "a2")))
                .containsExactly("a");
        // NotEquals is the complement of Equals: no element equals (and no list at all counts)
        assertThat(find(filter("InputDataConfig.ChannelName", "NotEquals", "train"))).containsExactly("c");
        assertThat(find(filter("InputDataConfig", "Exists", null))).containsExactly("a", "b");
    }

    @Test
    void nestedFiltersRequireTheSameElementWherePlainFiltersDoNot() {
        Filter train = filter("InputDataConfig.ChannelName", "Equals", "train");
        Filter from2026 = filter("InputDataConfig.DataSource.S3DataSource.S3Uri", "Contains", "s3://data/2026/");
        // plain filters: b has a train channel and (another) channel from 2026
        assertThat(find(and(train, from2026))).containsExactly("a", "b");
        // nested: only a's train channel itself reads from 2026
        assertThat(find(SearchExpression.builder().nestedFilters(nested("InputDataConfig", train, from2026)).build()))
                .containsExactly("a");
        Filter notTrain = filter("InputDataConfig.ChannelName", "NotEquals", "train");
        assertThat(find(SearchExpression.builder().nestedFilters(nested("InputDataConfig", notTrain, from2026))
                .build())).containsExactly("b");
    }

    @Test
    void subExpressionsCombineWithAndOr() {
        SearchExpression failedOrGoodAuc = or(filter("TrainingJobStatus", "Equals", "Failed"),
                filter("Metrics.validation:auc", "GreaterThan", "0.9"));
        assertThat(find(failedOrGoodAuc)).containsExactly("a", "b");
        SearchExpression andTeam = SearchExpression.builder().subExpressions(failedOrGoodAuc)
                .filters(filter("Tags.team", "Equals", "search")).build();
        assertThat(find(andTeam)).containsExactly("b");
        SearchExpression orOfAnds = SearchExpression.builder().operator("Or").subExpressions(
                and(filter("TrainingJobStatus", "Equals", "Completed"),
                        filter("HyperParameters.max_depth", "GreaterThan", "8")),
                and(filter("TrainingJobStatus", "Equals", "Failed"))).build();
        assertThat(find(orOfAnds)).containsExactly("b", "c");
    }

    @Test
    void noExpressionMatchesEverythingAndCrossAccountMatchesNothing() {
        SearchRequest all = SearchRequest.builder().resource("TrainingJob").build();
        assertThat(index.search(all).totalHits()).isEqualTo(3);
        assertThat(index.search(all.toBuilder().crossAccountFilterOption("CrossAccount").build()).totalHits())
                .isZero();
    }

    @Test
    void queryMatchesASingleDocument() {
        SearchQuery q = SearchQuery.compile(TestJobs.request(and(filter("Metrics.auc", "GreaterThan", "0.5"))));
        assertThat(q.matches(job("x").metric("auc", 0.7).build())).isTrue();
        assertThat(q.matches(job("y").metric("auc", 0.2).build())).isFalse();
    }
}
