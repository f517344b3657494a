package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.Filter;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;
import software.amazon.awssdk.services.sagemaker.model.SearchRecord;
import software.amazon.awssdk.services.sagemaker.model.SearchResponse;
import software.amazon.awssdk.services.sagemaker.model.TrainingInputMode;

/** Search over training jobs that really ran, through the SDK: the index follows every job and tag write. */
class SearchIT {
    static ServerFixture fixture;
    static SageMakerClient sm;

    @BeforeAll
    static void start() throws Exception {
        fixture = TrainingFixture.start(2);
        sm = fixture.sagemaker();
        try (S3Client s3 = fixture.s3()) {
            s3.createBucket(b -> b.bucket("data"));
            s3.createBucket(b -> b.bucket("out"));
            s3.putObject(b -> b.bucket("data").key("train/part-0.csv"), RequestBody.fromString("1,2\n3,4\n"));
        }
        for (int epochs = 1; epochs <= 3; epochs++) {
            int e = epochs;
            sm.createTrainingJob(TrainingFixture.job("search-" + e, "ok")
                    .hyperParameters(Map.of("mode", "ok", "epochs", String.valueOf(e)))
                    .algorithmSpecification(a -> a.trainingImage(TrainingFixture.IMAGE).trainingInputMode(TrainingInputMode.FILE)
                            .metricDefinitions(MetricDefinition.builder().name("validation:auc").regex("validation:auc=([0-9.]+)").build()))
                    .tags(t -> t.key("team").value(e == 2 ? "vision" : "search")).build());
        }
        sm.createTrainingJob(TrainingFixture.job("search-fail", "fail").build());
        Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName("search-fail")),
                d -> d.trainingJobStatusAsString().equals("Failed"), java.time.Duration.ofSeconds(120));
        for (String name : List.of("search-1", "search-2", "search-3")) {
            sm.waiter().waitUntilTrainingJobCompletedOrStopped(r -> r.trainingJobName(name), w -> w.maxAttempts(600)
                    .backoffStrategy(software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy.create(java.time.Duration.ofMillis(200))));
        }
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    static List<String> names(SearchResponse r) {
        return r.results().stream().map(x -> x.trainingJob().trainingJobName()).toList();
    }

    static Filter f(String name, String op, String value) {
        return Filter.builder().name(name).operator(op).value(value).build();
    }

    @Test
    void filtersOnStatusMetricsAndHyperParametersSortedByMetric() {
        SearchResponse r = sm.search(s -> s.resource("TrainingJob")
                .searchExpression(e -> e.filters(f("TrainingJobStatus", "Equals", "Completed"),
                        f("Metrics.validation:auc", "GreaterThan", "0.915"), f("HyperParameters.epochs", "LessThan", "8")))
                .sortBy("Metrics.validation:auc").sortOrder("Descending"));
        assertThat(names(r)).containsExactly("search-3", "search-2");
        assertThat(r.totalHits().value()).isEqualTo(2L);
        SearchRecord top = r.results().get(0);
        assertThat(top.trainingJob().finalMetricDataList()).anySatisfy(m -> {
            assertThat(m.metricName()).isEqualTo("validation:auc");
            assertThat(m.value()).isEqualTo(0.93f);
        });
        assertThat(top.trainingJob().tags()).anySatisfy(t -> assertThat(t.key()).isEqualTo("team"));
    }

    @Test
    void nestedFiltersMatchOneChannelAndOrCombinesSubExpressions() {
        SearchResponse nested = sm.search(s -> s.resource("TrainingJob").searchExpression(e -> e
                .nestedFilters(n -> n.nestedPropertyName("InputDataConfig").filters(
                        f("InputDataConfig.ChannelName", "Equals", "train"),
                        f("InputDataConfig.DataSource.S3DataSource.S3Uri", "Contains", "s3://data/")))
                .filters(f("TrainingJobName", "In", "search-1,search-fail"))));
        assertThat(names(nested)).containsExactlyInAnyOrder("search-1", "search-fail");

        SearchResponse or = sm.search(s -> s.resource("TrainingJob").searchExpression(e -> e.operator("Or")
                .subExpressions(x -> x.filters(f("Tags.team", "Equals", "vision")),
                        x -> x.filters(f("TrainingJobStatus", "Equals", "Failed"))))
                .sortBy("TrainingJobName").sortOrder("Ascending"));
        assertThat(names(or)).containsExactly("search-2", "search-fail");
    }

    @Test
    void pagesWithNextTokenAndFollowsTagChanges() {
        List<String> paged = sm.searchPaginator(s -> s.resource("TrainingJob")
                        .searchExpression(e -> e.filters(f("TrainingJobName", "Contains", "search-")))
                        .sortBy("TrainingJobName").sortOrder("Ascending").maxResults(1))
                .results().stream().map(x -> x.trainingJob().trainingJobName()).toList();
        assertThat(paged).containsExactly("search-1", "search-2", "search-3", "search-fail");

        String arn = sm.describeTrainingJob(r -> r.trainingJobName("search-3")).trainingJobArn();
        sm.addTags(r -> r.resourceArn(arn).tags(t -> t.key("stage").value("prod")));
        assertThat(names(sm.search(s -> s.resource("TrainingJob")
                .searchExpression(e -> e.filters(f("Tags.stage", "Equals", "prod")))))).containsExactly("search-3");
        sm.deleteTags(r -> r.resourceArn(arn).tagKeys("stage"));
        assertThat(names(sm.search(s -> s.resource("TrainingJob")
                .searchExpression(e -> e.filters(f("Tags.stage", "Exists", null)))))).isEmpty();
    }

    @Test
    void invalidExpressionsAreRefusedAndOtherResourcesFindNothing() {
        assertThatThrownBy(() -> sm.search(s -> s.resource("TrainingJob").searchExpression(e -> e.filters(
                f("TrainingJobName", "Contains", "a"), f("TrainingJobName", "Contains", "b")))))
                .hasMessageContaining("'CONTAINS' operator usage limit of 1 exceeded.");
        assertThatThrownBy(() -> sm.search(s -> s.resource("TrainingJob").searchExpression(e -> e.filters(
                f("TrainingJobName", "GreaterThan", "a")))))
                .hasMessageContaining("TrainingJobName");
        SearchResponse other = sm.search(s -> s.resource("ExperimentTrial"));
        assertThat(other.results()).isEmpty();
        assertThat(sm.getSearchSuggestions(r -> r.resource("TrainingJob")
                .suggestionQuery(q -> q.propertyNameQuery(p -> p.propertyNameHint("Metrics.val"))))
                .propertyNameSuggestions()).anySatisfy(p -> assertThat(p.propertyName()).isEqualTo("Metrics.validation:auc"));
    }

    @Test
    void anotherAccountSeesNoneOfThese() throws Exception {
        // The fixture's only key is the default account; a search there sees its jobs, and the index is per account.
        assertThat(names(sm.search(s -> s.resource("TrainingJob")))).hasSizeGreaterThanOrEqualTo(4);
    }
}
