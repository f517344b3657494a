package dev.sagebrush.search;

import static dev.sagebrush.search.TestJobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.GetSearchSuggestionsRequest;
import software.amazon.awssdk.services.sagemaker.model.PropertyNameQuery;
import software.amazon.awssdk.services.sagemaker.model.PropertyNameSuggestion;
import software.amazon.awssdk.services.sagemaker.model.SuggestionQuery;

class SearchSuggestionsTest {
    private final TrainingJobIndex index = new TrainingJobIndex(TestJobs.KEY);

    private List<String> suggest(String hint) {
        GetSearchSuggestionsRequest r = GetSearchSuggestionsRequest.builder().resource("TrainingJob")
                .suggestionQuery(SuggestionQuery.builder().propertyNameQuery(
                        PropertyNameQuery.builder().propertyNameHint(hint).build()).build()).build();
        return index.getSearchSuggestions(r).propertyNameSuggestions().stream()
                .map(PropertyNameSuggestion::propertyName).toList();
    }

    @Test
    void suggestsStaticAndPresentDynamicNamesByPrefix() {
        index.put(job("a").metric("validation:auc", 1).metric("train:loss", 2).hp("eta", "0.1").tag("team", "x")
                .build());
        index.put(job("b").metric("validation:auc", 1).hp("max_depth", "3").build());
        assertThat(suggest("Metrics.")).containsExactly("Metrics.train:loss", "Metrics.validation:auc");
        assertThat(suggest("Metrics.v")).containsExactly("Metrics.validation:auc");
        assertThat(suggest("HyperParameters")).containsExactly("HyperParameters", "HyperParameters.eta",
                "HyperParameters.max_depth");
        assertThat(suggest("Tags")).containsExactly("Tags", "Tags.team");
        assertThat(suggest("InputDataConfig.DataSource.S3DataSource.S3")).containsExactly(
                "InputDataConfig.DataSource.S3DataSource.S3DataDistributionType",
                "InputDataConfig.DataSource.S3DataSource.S3DataType",
                "InputDataConfig.DataSource.S3DataSource.S3Uri");
        assertThat(suggest("")).contains("TrainingJobName", "Metrics.train:loss").doesNotContain("Metrics");
        assertThat(suggest("metrics.")).isEmpty(); // property names are case-sensitive

        // names disappear with the last job that had them
        index.remove(TestJobs.ARN_PREFIX + "a");
        assertThat(suggest("Metrics.")).containsExactly("Metrics.validation:auc");
        assertThat(suggest("Tags.")).isEmpty();
        index.put(job("b").build()); // replacing b drops its names too
        assertThat(suggest("Metrics.")).isEmpty();
        assertThat(suggest("HyperParameters.")).isEmpty();
    }

    @Test
    void validatesTheRequest() {
        assertThatThrownBy(() -> suggest("x".repeat(101))).hasMessageEndingWith(
                "at 'suggestionQuery.propertyNameQuery.propertyNameHint' failed to satisfy constraint: "
                        + "Member must have length less than or equal to 100");
        assertThatThrownBy(() -> index.getSearchSuggestions(GetSearchSuggestionsRequest.builder()
                .resource("Endpoint").build())).hasMessageStartingWith("Resource 'Endpoint' is not supported");
        assertThat(index.getSearchSuggestions(GetSearchSuggestionsRequest.builder().resource("TrainingJob").build())
                .propertyNameSuggestions()).hasSizeGreaterThan(100);
    }
}
