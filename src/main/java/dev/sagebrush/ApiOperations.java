package dev.sagebrush;

import dev.sagebrush.compilation.CompilationJobListing;
import dev.sagebrush.compilation.CompilationJobs;
import dev.sagebrush.protocol.Operation;
import dev.sagebrush.protocol.OperationTable;
import software.amazon.awssdk.services.sagemaker.model.CreateCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DeleteCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.ListCompilationJobsRequest;
import software.amazon.awssdk.services.sagemaker.model.StopCompilationJobRequest;

/** The whole API surface on one screen: every SageMaker operation Sagebrush answers, and the method that does. */
final class ApiOperations {
    private ApiOperations() {}

    static OperationTable table(CompilationJobs compilation, CompilationJobListing compilationListing) {
        return new OperationTable()
                // Compilation jobs (SageMaker Neo)
                .add(Operation.of("CreateCompilationJob", CreateCompilationJobRequest::builder, compilation::create))
                .add(Operation.of("DescribeCompilationJob", DescribeCompilationJobRequest::builder, compilation::describe))
                .add(Operation.of("ListCompilationJobs", ListCompilationJobsRequest::builder, compilationListing::list))
                .add(Operation.noOutput("StopCompilationJob", StopCompilationJobRequest::builder, compilation::stop))
                .add(Operation.noOutput("DeleteCompilationJob", DeleteCompilationJobRequest::builder, compilation::delete));
    }
}
