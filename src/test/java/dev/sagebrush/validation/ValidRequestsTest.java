package dev.sagebrush.validation;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.sagemaker.model.AddTagsRequest;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.CreateNotebookInstanceLifecycleConfigRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.DeleteTagsRequest;
import software.amazon.awssdk.services.sagemaker.model.Filter;
import software.amazon.awssdk.services.sagemaker.model.GetSearchSuggestionsRequest;
import software.amazon.awssdk.services.sagemaker.model.ListCompilationJobsRequest;
import software.amazon.awssdk.services.sagemaker.model.ListNotebookInstancesRequest;
import software.amazon.awssdk.services.sagemaker.model.ListTrainingJobsRequest;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;
import software.amazon.awssdk.services.sagemaker.model.NestedFilters;
import software.amazon.awssdk.services.sagemaker.model.NotebookInstanceLifecycleHook;
import software.amazon.awssdk.services.sagemaker.model.SearchExpression;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;
import software.amazon.awssdk.services.sagemaker.model.Tag;

/** Requests real clients send pass untouched. */
class ValidRequestsTest {
    private static void passes(String operation, SdkPojo request) {
        assertThatCode(() -> Requests.VALIDATOR.validate(operation, request)).doesNotThrowAnyException();
    }

    @Test
    void compilationJob() {
        passes("CreateCompilationJob", Requests.compilationJob()
                .tags(Tag.builder().key("team").value("").build()).build());
    }

    @Test
    void trainingJobWithNestedListsAndMaps() {
        passes("CreateTrainingJob", Requests.trainingJob()
                .hyperParameters(Map.of("num_round", "128", "eta", "0.001"))
                .environment(Map.of("MODE", "fast"))
                .algorithmSpecification(b -> b.trainingImage("local/xgboost:1.7").trainingInputMode("File")
                        .metricDefinitions(MetricDefinition.builder().name("train:rmse").regex("rmse=([0-9.]+)")
                                .build()))
                .inputDataConfig(Channel.builder().channelName("train").dataSource(d -> d.s3DataSource(s -> s
                        .s3DataType("S3Prefix").s3Uri("s3://data/train/"))).build())
                .build());
    }

    @Test
    void notebooksAndLifecycleConfigs() {
        passes("CreateNotebookInstance", CreateNotebookInstanceRequest.builder().notebookInstanceName("my-nb")
                .instanceType("ml.t3.medium").roleArn(Requests.ROLE).volumeSizeInGB(5).rootAccess("Disabled")
                .platformIdentifier("notebook-al2-v3").defaultCodeRepository("https://github.com/a/b.git").build());
        passes("CreateNotebookInstanceLifecycleConfig", CreateNotebookInstanceLifecycleConfigRequest.builder()
                .notebookInstanceLifecycleConfigName("lcc")
                .onStart(NotebookInstanceLifecycleHook.builder().content("IyEvYmluL2Jhc2gK").build()).build());
    }

    @Test
    void listsWithoutParameters() {
        passes("ListCompilationJobs", ListCompilationJobsRequest.builder().build());
        passes("ListNotebookInstances", ListNotebookInstancesRequest.builder().build());
        passes("ListTrainingJobs", ListTrainingJobsRequest.builder().maxResults(100).statusEquals("Completed").build());
    }

    @Test
    void searchAndTags() {
        passes("Search", SearchRequest.builder().resource("TrainingJob").searchExpression(SearchExpression.builder()
                .filters(Filter.builder().name("TrainingJobStatus").operator("Equals").value("Completed").build())
                .nestedFilters(NestedFilters.builder().nestedPropertyName("InputDataConfig")
                        .filters(Filter.builder().name("InputDataConfig.ChannelName").value("train").build()).build())
                .subExpressions(SearchExpression.builder().filters(Filter.builder().name("Tags.team")
                        .operator("Exists").build()).build())
                .build()).sortBy("Metrics.train:rmse").maxResults(10).build());
        passes("GetSearchSuggestions", GetSearchSuggestionsRequest.builder().resource("TrainingJob")
                .suggestionQuery(q -> q.propertyNameQuery(p -> p.propertyNameHint("Hyper"))).build());
        String arn = "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/my-nb";
        passes("AddTags", AddTagsRequest.builder().resourceArn(arn)
                .tags(Tag.builder().key("cost center").value("ML/R&D".replace("&", "+")).build()).build());
        passes("DeleteTags", DeleteTagsRequest.builder().resourceArn(arn).tagKeys("cost center").build());
    }

    @Test
    void unknownOperationIsAWiringBug() {
        assertThatThrownBy(() -> Requests.VALIDATOR.validate("CreateEndpoint", ListCompilationJobsRequest.builder()
                .build())).isInstanceOf(IllegalArgumentException.class);
    }
}
