package dev.sagebrush.validation;

import static dev.sagebrush.validation.Requests.rejects;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.AlgorithmSpecification;
import software.amazon.awssdk.services.sagemaker.model.InputConfig;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;
import software.amazon.awssdk.services.sagemaker.model.SearchExpression;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;
import software.amazon.awssdk.services.sagemaker.model.TargetPlatform;

/** The declared cross-member rules of cross-member-rules.tsv. */
class CrossMemberRulesTest {
    private static final TargetPlatform LINUX_ARM64 = TargetPlatform.builder().os("LINUX").arch("ARM64").build();

    @Test
    void targetDeviceAndTargetPlatformTogether() {
        rejects("CreateCompilationJob", Requests.compilationJob().outputConfig(OutputConfig.builder()
                .s3OutputLocation("s3://b/o").targetDevice("rk3399").targetPlatform(LINUX_ARM64).build()).build())
                .isEqualTo("Only one of TargetDevice and TargetPlatform can be specified.");
    }

    @Test
    void neitherTargetDeviceNorTargetPlatform() {
        rejects("CreateCompilationJob", Requests.compilationJob()
                .outputConfig(OutputConfig.builder().s3OutputLocation("s3://b/o").build()).build())
                .isEqualTo("One of TargetDevice or TargetPlatform must be specified.");
    }

    @Test
    void targetPlatformAlonePasses() {
        Requests.VALIDATOR.validate("CreateCompilationJob", Requests.compilationJob().outputConfig(OutputConfig
                .builder().s3OutputLocation("s3://b/o").targetPlatform(LINUX_ARM64).build()).build());
    }

    @Test
    void memberConstraintsAreAnsweredBeforeRules() {
        rejects("CreateCompilationJob", Requests.compilationJob().compilationJobName("bad_name")
                .outputConfig(OutputConfig.builder().s3OutputLocation("s3://b/o").build()).build())
                .startsWith("1 validation error detected: Value 'bad_name' at 'compilationJobName'");
    }

    @Test
    void inputConfigOrModelPackage() {
        rejects("CreateCompilationJob", Requests.compilationJob().inputConfig((InputConfig) null).build())
                .isEqualTo("One of ModelPackageVersionArn or InputConfig must be specified.");
        rejects("CreateCompilationJob", Requests.compilationJob()
                .modelPackageVersionArn("arn:aws:sagemaker:us-east-1:123456789012:model-package/pkg/1").build())
                .isEqualTo("Only one of ModelPackageVersionArn and InputConfig can be specified.");
    }

    @Test
    void trainingImageOrAlgorithmName() {
        rejects("CreateTrainingJob", Requests.trainingJob().algorithmSpecification(AlgorithmSpecification.builder()
                .trainingInputMode("File").build()).build())
                .isEqualTo("One of TrainingImage or AlgorithmName must be specified.");
        rejects("CreateTrainingJob", Requests.trainingJob().algorithmSpecification(AlgorithmSpecification.builder()
                .trainingInputMode("File").trainingImage("img").algorithmName("algo").build()).build())
                .isEqualTo("Only one of TrainingImage and AlgorithmName can be specified.");
    }

    @Test
    void emptySearchExpressionAtAnyDepth() {
        String message = "A SearchExpression must contain at least one of Filters, NestedFilters or SubExpressions.";
        rejects("Search", SearchRequest.builder().resource("TrainingJob")
                .searchExpression(SearchExpression.builder().build()).build())
                .isEqualTo(message);
        rejects("Search", SearchRequest.builder().resource("TrainingJob").searchExpression(SearchExpression.builder()
                .subExpressions(SearchExpression.builder().operator("Or").build()).build()).build())
                .isEqualTo(message);
    }
}
