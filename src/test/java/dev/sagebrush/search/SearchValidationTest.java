package dev.sagebrush.search;

import static dev.sagebrush.search.TestJobs.and;
import static dev.sagebrush.search.TestJobs.filter;
import static dev.sagebrush.search.TestJobs.nested;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.errors.AwsException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.Filter;
import software.amazon.awssdk.services.sagemaker.model.SearchExpression;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;

/** Request validation: limits, operators per type, value formats and names, with their exact messages. */
class SearchValidationTest {

    private static AbstractThrowableAssert<?, ? extends Throwable> rejects(SearchRequest request) {
        return assertThatThrownBy(() -> SearchQuery.compile(request))
                .isInstanceOf(AwsException.class)
                .satisfies(e -> assertThat(((AwsException) e).errorType()).isEqualTo("ValidationException"));
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> rejects(SearchExpression e) {
        return rejects(TestJobs.request(e));
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> rejects(Filter f) {
        return rejects(and(f));
    }

    private static List<Filter> filters(int n) {
        List<Filter> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(filter("TrainingJobName", "Equals", "j" + i));
        }
        return list;
    }

    @Test
    void listLimits() {
        rejects(SearchExpression.builder().filters(filters(21)).build()).hasMessage("1 validation error detected: "
                + "Value with 21 items at 'searchExpression.filters' failed to satisfy constraint: "
                + "Member must have length less than or equal to 20");
        rejects(SearchExpression.builder().filters(Collections.emptyList()).build()).hasMessage("1 validation error "
                + "detected: Value with 0 items at 'searchExpression.filters' failed to satisfy constraint: "
                + "Member must have length greater than or equal to 1");
        SearchExpression nested21 = SearchExpression.builder().nestedFilters(
                nested("InputDataConfig", filters(21).stream().map(f -> filter("InputDataConfig.ChannelName",
                        "Equals", f.value())).toArray(Filter[]::new))).build();
        rejects(nested21).hasMessage("1 validation error detected: Value with 21 items at "
                + "'searchExpression.nestedFilters.1.member.filters' failed to satisfy constraint: "
                + "Member must have length less than or equal to 20");
        List<SearchExpression> subs = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            subs.add(and(filter("TrainingJobName", "Equals", "x")));
        }
        rejects(SearchExpression.builder().subExpressions(subs).build()).hasMessageContaining(
                "at 'searchExpression.subExpressions' failed to satisfy constraint: "
                        + "Member must have length less than or equal to 20");
        assertThat(SearchQuery.compile(TestJobs.request(SearchExpression.builder().filters(filters(20)).build())))
                .isNotNull();
    }

    @Test
    void totalOfFiltersNestedFiltersAndSubExpressionsIsAtMost50() {
        // 2 sub-expressions (2) with 20 filters each (40) + 8 top-level filters = 50: allowed
        SearchExpression ok = SearchExpression.builder().filters(filters(8)).subExpressions(
                SearchExpression.builder().filters(filters(20)).build(),
                SearchExpression.builder().filters(filters(20)).build()).build();
        assertThat(SearchQuery.compile(TestJobs.request(ok))).isNotNull();
        SearchExpression tooMany = ok.toBuilder().filters(filters(9)).build();
        rejects(tooMany).hasMessage("The SearchExpression contains 51 Filters, NestedFilters and SubExpressions; "
                + "the limit is 50.");
    }

    @Test
    void anExpressionNeedsAtLeastOneList() {
        rejects(SearchExpression.builder().build()).hasMessage("The SearchExpression at 'searchExpression' must "
                + "contain at least one of Filters, NestedFilters or SubExpressions.");
        rejects(SearchExpression.builder().subExpressions(SearchExpression.builder().operator("Or").build()).build())
                .hasMessage("The SearchExpression at 'searchExpression.subExpressions.1.member' must contain at "
                        + "least one of Filters, NestedFilters or SubExpressions.");
    }

    @Test
    void onlyOneContainsPerRequest() {
        rejects(and(filter("TrainingJobName", "Contains", "a"), filter("RoleArn", "Contains", "b")))
                .hasMessage("'CONTAINS' operator usage limit of 1 exceeded.");
        rejects(SearchExpression.builder().filters(filter("TrainingJobName", "Contains", "a"))
                .subExpressions(and(filter("RoleArn", "Contains", "b"))).build())
                .hasMessage("'CONTAINS' operator usage limit of 1 exceeded.");
    }

    @Test
    void unknownPropertyNames() {
        rejects(filter("TrainingJobNam", "Equals", "x")).hasMessage("Unknown property name: TrainingJobNam");
        rejects(filter("Metrics", "Exists", null)).hasMessage("Unknown property name: Metrics");
        rejects(filter("Metrics.", "Exists", null)).hasMessage("Unknown property name: Metrics.");
        rejects(TestJobs.request(and(filter("TrainingJobName", "Equals", "x"))).toBuilder().sortBy("Nope").build())
                .hasMessage("Unknown property name: Nope");
        rejects(SearchExpression.builder().nestedFilters(nested("Channels",
                filter("Channels.Name", "Equals", "x"))).build()).hasMessage("Unknown property name: Channels");
    }

    @Test
    void operatorsMustSuitTheType() {
        rejects(filter("TrainingJobName", "GreaterThan", "a"))
                .hasMessage("Operator 'GreaterThan' is not supported for text property 'TrainingJobName'.");
        rejects(filter("Tags.team", "LessThan", "a"))
                .hasMessage("Operator 'LessThan' is not supported for text property 'Tags.team'.");
        rejects(filter("HyperParameters.optimizer", "GreaterThan", "adam")).hasMessage(
                "Operator 'GreaterThan' is not supported for the text value 'adam' of property "
                        + "'HyperParameters.optimizer'.");
        rejects(filter("CreationTime", "Contains", "2026")).hasMessage("Operator 'Contains' is only supported for "
                + "text properties; 'CreationTime' is a timestamp property.");
        rejects(filter("Metrics.auc", "In", "1,2"))
                .hasMessage("Operator 'In' is only supported for text properties; 'Metrics.auc' is a number property.");
        rejects(filter("EnableNetworkIsolation", "GreaterThan", "true"))
                .hasMessage("Operator 'GreaterThan' is not supported for boolean property 'EnableNetworkIsolation'.");
        rejects(filter("InputDataConfig", "Equals", "x")).hasMessage(
                "Property 'InputDataConfig' is a list; only the Exists and NotExists operators apply to it.");
        rejects(filter("TrainingJobName", "Equals", null).toBuilder().operator("Equals").build())
                .hasMessage("Operator 'Equals' on property 'TrainingJobName' requires a Value.");
        rejects(filter("TrainingJobName", "Like", "x")).hasMessage("1 validation error detected: Value 'Like' at "
                + "'searchExpression.filters.1.member.operator' failed to satisfy constraint: Member must satisfy "
                + "enum value set: [Equals, NotEquals, GreaterThan, GreaterThanOrEqualTo, LessThan, "
                + "LessThanOrEqualTo, Contains, Exists, NotExists, In]");
    }

    @Test
    void malformedValues() {
        rejects(filter("Metrics.auc", "GreaterThan", "0.9x"))
                .hasMessage("Value '0.9x' of property 'Metrics.auc' must be an integer or decimal number.");
        rejects(filter("TrainingTimeInSeconds", "Equals", "NaN"))
                .hasMessage("Value 'NaN' of property 'TrainingTimeInSeconds' must be an integer or decimal number.");
        rejects(filter("CreationTime", "GreaterThan", "2026-13-01T00:00:00")).hasMessage("Value "
                + "'2026-13-01T00:00:00' of property 'CreationTime' must be a timestamp in the format "
                + "YYYY-mm-ddTHH:MM:SS.");
        rejects(filter("CreationTime", "GreaterThan", "yesterday")).hasMessageContaining("must be a timestamp");
        rejects(filter("EnableManagedSpotTraining", "Equals", "yes"))
                .hasMessage("Value 'yes' of property 'EnableManagedSpotTraining' must be true or false.");
    }

    @Test
    void nestedFiltersNameAListAndOnlyItsProperties() {
        rejects(SearchExpression.builder().nestedFilters(nested("ResourceConfig",
                filter("ResourceConfig.InstanceType", "Equals", "x"))).build()).hasMessage("NestedPropertyName "
                + "'ResourceConfig' is not a list property; NestedFilters apply to lists such as InputDataConfig.");
        rejects(SearchExpression.builder().nestedFilters(nested("InputDataConfig",
                filter("TrainingJobName", "Equals", "x"))).build()).hasMessage("Filter name 'TrainingJobName' is "
                + "not a property of the nested property 'InputDataConfig'.");
    }

    @Test
    void requestLevelMembers() {
        rejects(SearchRequest.builder().resource("Model").build()).hasMessage("Resource 'Model' is not supported by "
                + "this server; Search supports Resource TrainingJob.");
        rejects(SearchRequest.builder().build()).hasMessage("1 validation error detected: Value null at 'resource' "
                + "failed to satisfy constraint: Member must not be null");
        rejects(SearchRequest.builder().resource("TrainingJob").sortOrder("Up").build()).hasMessage("1 validation "
                + "error detected: Value 'Up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum "
                + "value set: [Ascending, Descending]");
        rejects(SearchRequest.builder().resource("TrainingJob").sortBy("InputDataConfig").build()).hasMessage(
                "Cannot sort by 'InputDataConfig': it is a list, not a text, number, timestamp or boolean property.");
        assertThatThrownBy(() -> PageRequest.from(SearchRequest.builder().maxResults(101).build()))
                .hasMessage("1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
                        + "Member must have value less than or equal to 100");
        assertThatThrownBy(() -> PageRequest.from(SearchRequest.builder().maxResults(0).build()))
                .hasMessage("1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: "
                        + "Member must have value greater than or equal to 1");
        assertThat(PageRequest.from(SearchRequest.builder().build()).maxResults()).isEqualTo(10);
    }

    @Test
    void everyCatalogueNameIsAcceptedWithExists() {
        for (Property p : PropertyCatalogue.trainingJob().all()) {
            if (p.type() != PropertyType.METRICS) {
                assertThat(SearchQuery.compile(TestJobs.request(and(filter(p.name(), "Exists", null))))).isNotNull();
            }
        }
        assertThat(PropertyCatalogue.trainingJob().byName("InputDataConfig.DataSource.S3DataSource.S3Uri").type())
                .isEqualTo(PropertyType.TEXT);
        assertThat(PropertyCatalogue.trainingJob().resolve("Metrics.validation:auc.mean").key())
                .isEqualTo("validation:auc.mean");
    }
}
