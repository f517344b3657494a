package dev.sagebrush.validation;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.errors.AwsException;
import org.assertj.core.api.AbstractStringAssert;
import org.assertj.core.api.Assertions;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.sagemaker.model.CreateCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.InputConfig;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;
import software.amazon.awssdk.services.sagemaker.model.OutputDataConfig;
import software.amazon.awssdk.services.sagemaker.model.AlgorithmSpecification;
import software.amazon.awssdk.services.sagemaker.model.ResourceConfig;
import software.amazon.awssdk.services.sagemaker.model.StoppingCondition;

/** Valid requests to start from, and the assertion every test uses. */
final class Requests {
    static final Validator VALIDATOR = Validator.loadDefault();
    static final String ROLE = "arn:aws:iam::123456789012:role/SageMakerRole";

    private Requests() {
    }

    static CreateCompilationJobRequest.Builder compilationJob() {
        return CreateCompilationJobRequest.builder()
                .compilationJobName("xgb-rk3399")
                .roleArn(ROLE)
                .inputConfig(InputConfig.builder().s3Uri("s3://models/xgb/model.tar.gz").framework("XGBOOST").build())
                .outputConfig(OutputConfig.builder().s3OutputLocation("s3://models/out").targetDevice("rk3399").build())
                .stoppingCondition(StoppingCondition.builder().maxRuntimeInSeconds(900).build());
    }

    static CreateTrainingJobRequest.Builder trainingJob() {
        return CreateTrainingJobRequest.builder()
                .trainingJobName("train-1")
                .roleArn(ROLE)
                .algorithmSpecification(AlgorithmSpecification.builder()
                        .trainingImage("local/xgboost:1.7").trainingInputMode("File").build())
                .outputDataConfig(OutputDataConfig.builder().s3OutputPath("s3://models/train").build())
                .resourceConfig(ResourceConfig.builder().instanceType("ml.m5.large").instanceCount(1)
                        .volumeSizeInGB(10).build())
                .stoppingCondition(StoppingCondition.builder().maxRuntimeInSeconds(3600).build());
    }

    /** Asserts the request is rejected as AWS would, and returns the message for exact comparison. */
    static AbstractStringAssert<?> rejects(String operation, SdkPojo request) {
        AwsException[] caught = new AwsException[1];
        assertThatThrownBy(() -> VALIDATOR.validate(operation, request))
                .isInstanceOfSatisfying(AwsException.class, e -> caught[0] = e);
        Assertions.assertThat(caught[0].errorType()).isEqualTo("ValidationException");
        Assertions.assertThat(caught[0].httpStatus()).isEqualTo(400);
        return Assertions.assertThat(caught[0].getMessage());
    }
}
