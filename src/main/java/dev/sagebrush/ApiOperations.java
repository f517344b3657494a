package dev.sagebrush;

import dev.sagebrush.compilation.CompilationJobListing;
import dev.sagebrush.compilation.CompilationJobs;
import dev.sagebrush.notebook.LifecycleConfigs;
import dev.sagebrush.notebook.NotebookInstanceListing;
import dev.sagebrush.notebook.NotebookInstances;
import dev.sagebrush.protocol.Operation;
import dev.sagebrush.protocol.OperationTable;
import dev.sagebrush.search.Searches;
import dev.sagebrush.tags.Tags;
import dev.sagebrush.training.TrainingJobListing;
import dev.sagebrush.training.TrainingJobs;
import software.amazon.awssdk.services.sagemaker.model.AddTagsRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DeleteTagsRequest;
import software.amazon.awssdk.services.sagemaker.model.GetSearchSuggestionsRequest;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.ListTagsRequest;
import software.amazon.awssdk.services.sagemaker.model.ListTrainingJobsRequest;
import software.amazon.awssdk.services.sagemaker.model.StopTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateNotebookInstanceLifecycleConfigRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.CreatePresignedNotebookInstanceUrlRequest;
import software.amazon.awssdk.services.sagemaker.model.DeleteNotebookInstanceLifecycleConfigRequest;
import software.amazon.awssdk.services.sagemaker.model.DeleteNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceLifecycleConfigRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.ListNotebookInstanceLifecycleConfigsRequest;
import software.amazon.awssdk.services.sagemaker.model.ListNotebookInstancesRequest;
import software.amazon.awssdk.services.sagemaker.model.StartNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.StopNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.UpdateNotebookInstanceLifecycleConfigRequest;
import software.amazon.awssdk.services.sagemaker.model.UpdateNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.DeleteCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.ListCompilationJobsRequest;
import software.amazon.awssdk.services.sagemaker.model.StopCompilationJobRequest;

/** The whole API surface on one screen: every SageMaker operation Sagebrush answers, and the method that does. */
final class ApiOperations {
    private ApiOperations() {}

    static OperationTable table(CompilationJobs compilation, CompilationJobListing compilationListing,
                                TrainingJobs training, TrainingJobListing trainingListing, Tags tags,
                                Searches searches, NotebookInstances notebooks, NotebookInstanceListing notebookListing,
                                LifecycleConfigs lifecycleConfigs) {
        return new OperationTable()
                // Compilation jobs (SageMaker Neo)
                .add(Operation.of("CreateCompilationJob", CreateCompilationJobRequest::builder, compilation::create))
                .add(Operation.of("DescribeCompilationJob", DescribeCompilationJobRequest::builder, compilation::describe))
                .add(Operation.of("ListCompilationJobs", ListCompilationJobsRequest::builder, compilationListing::list))
                .add(Operation.noOutput("StopCompilationJob", StopCompilationJobRequest::builder, compilation::stop))
                .add(Operation.noOutput("DeleteCompilationJob", DeleteCompilationJobRequest::builder, compilation::delete))
                // Training jobs
                .add(Operation.of("CreateTrainingJob", CreateTrainingJobRequest::builder, training::create))
                .add(Operation.of("DescribeTrainingJob", DescribeTrainingJobRequest::builder, training::describeWire)
                        .inMemory(training::describeWireInMemory))
                .add(Operation.of("ListTrainingJobs", ListTrainingJobsRequest::builder, trainingListing::list))
                .add(Operation.noOutput("StopTrainingJob", StopTrainingJobRequest::builder, training::stop))
                // Tags, for every resource kind, by ARN
                .add(Operation.of("AddTags", AddTagsRequest::builder, tags::addTags))
                .add(Operation.of("ListTags", ListTagsRequest::builder, tags::listTags))
                .add(Operation.of("DeleteTags", DeleteTagsRequest::builder, tags::deleteTags))
                // Search
                .add(Operation.of("Search", SearchRequest::builder, searches::searchWire))
                .add(Operation.of("GetSearchSuggestions", GetSearchSuggestionsRequest::builder, searches::getSearchSuggestions))
                // Notebook instances
                .add(Operation.of("CreateNotebookInstance", CreateNotebookInstanceRequest::builder, notebooks::create))
                .add(Operation.of("DescribeNotebookInstance", DescribeNotebookInstanceRequest::builder, notebooks::describe))
                .add(Operation.of("UpdateNotebookInstance", UpdateNotebookInstanceRequest::builder, notebooks::update))
                .add(Operation.of("ListNotebookInstances", ListNotebookInstancesRequest::builder, notebookListing::list))
                .add(Operation.noOutput("StartNotebookInstance", StartNotebookInstanceRequest::builder, notebooks::start))
                .add(Operation.noOutput("StopNotebookInstance", StopNotebookInstanceRequest::builder, notebooks::stop))
                .add(Operation.noOutput("DeleteNotebookInstance", DeleteNotebookInstanceRequest::builder, notebooks::delete))
                .add(Operation.of("CreatePresignedNotebookInstanceUrl", CreatePresignedNotebookInstanceUrlRequest::builder,
                        notebooks::createPresignedUrl))
                // Notebook instance lifecycle configs
                .add(Operation.of("CreateNotebookInstanceLifecycleConfig",
                        CreateNotebookInstanceLifecycleConfigRequest::builder, lifecycleConfigs::create))
                .add(Operation.of("DescribeNotebookInstanceLifecycleConfig",
                        DescribeNotebookInstanceLifecycleConfigRequest::builder, lifecycleConfigs::describe))
                .add(Operation.of("UpdateNotebookInstanceLifecycleConfig",
                        UpdateNotebookInstanceLifecycleConfigRequest::builder, lifecycleConfigs::update))
                .add(Operation.of("ListNotebookInstanceLifecycleConfigs",
                        ListNotebookInstanceLifecycleConfigsRequest::builder, lifecycleConfigs::list))
                .add(Operation.noOutput("DeleteNotebookInstanceLifecycleConfig",
                        DeleteNotebookInstanceLifecycleConfigRequest::builder, lifecycleConfigs::delete));
    }
}
