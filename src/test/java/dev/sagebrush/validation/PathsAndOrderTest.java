package dev.sagebrush.validation;

import static dev.sagebrush.validation.Requests.rejects;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.AddTagsRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.Filter;
import software.amazon.awssdk.services.sagemaker.model.InputConfig;
import software.amazon.awssdk.services.sagemaker.model.NeoVpcConfig;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;
import software.amazon.awssdk.services.sagemaker.model.SearchExpression;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;
import software.amazon.awssdk.services.sagemaker.model.Tag;
import software.amazon.awssdk.services.sagemaker.model.TargetPlatform;

/** Member paths (nested, list elements, maps, recursion) and the order of several violations. */
class PathsAndOrderTest {
    private static final String ARN = "arn:aws:sagemaker:us-east-1:123456789012:training-job/t";
    private static final String TAG_PATTERN = "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$";

    @Test
    void nestedStructureMembersAreDotted() {
        CreateCompilationJobRequest request = Requests.compilationJob().outputConfig(OutputConfig.builder()
                .s3OutputLocation("s3://b/o").targetPlatform(TargetPlatform.builder().os("WINDOWS").arch("X86_64")
                        .build()).build()).build();
        rejects("CreateCompilationJob", request)
                .isEqualTo("1 validation error detected: Value 'WINDOWS' at 'outputConfig.targetPlatform.os' failed "
                        + "to satisfy constraint: Member must satisfy enum value set: [ANDROID, LINUX]");
    }

    @Test
    void structureListElementsAreOneBasedMembers() {
        AddTagsRequest request = AddTagsRequest.builder().resourceArn(ARN).tags(
                Tag.builder().key("team").value("ml").build(),
                Tag.builder().key("owner").value("a&b").build(),
                Tag.builder().value("x").build()).build();
        rejects("AddTags", request)
                .isEqualTo("2 validation errors detected: Value 'a&b' at 'tags.2.member.value' failed to satisfy "
                        + "constraint: Member must satisfy regular expression pattern: " + TAG_PATTERN + "; "
                        + "Value null at 'tags.3.member.key' failed to satisfy constraint: Member must not be null");
    }

    @Test
    void scalarListElementsAreReportedOnceAtTheListWithAllElementRules() {
        CreateNotebookInstanceRequest request = CreateNotebookInstanceRequest.builder()
                .notebookInstanceName("nb").instanceType("ml.t3.medium").roleArn(Requests.ROLE)
                .securityGroupIds("sg-1", "sg_2", "sg 3").build();
        rejects("CreateNotebookInstance", request)
                .isEqualTo("1 validation error detected: Value '[sg-1, sg_2, sg 3]' at 'securityGroupIds' failed to "
                        + "satisfy constraint: Member must satisfy constraint: [Member must have length less than or "
                        + "equal to 32, Member must have length greater than or equal to 0, Member must satisfy "
                        + "regular expression pattern: ^[-0-9a-zA-Z]+$]");
    }

    @Test
    void scalarListElementEnum() {
        CreateNotebookInstanceRequest request = CreateNotebookInstanceRequest.builder()
                .notebookInstanceName("nb").instanceType("ml.t3.medium").roleArn(Requests.ROLE)
                .acceleratorTypesWithStrings("ml.eia9.huge").build();
        rejects("CreateNotebookInstance", request)
                .isEqualTo("1 validation error detected: Value '[ml.eia9.huge]' at 'acceleratorTypes' failed to "
                        + "satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
                        + "[ml.eia1.medium, ml.eia1.large, ml.eia1.xlarge, ml.eia2.medium, ml.eia2.large, "
                        + "ml.eia2.xlarge]]");
    }

    @Test
    void mapKeysThenMapValuesEachReportedOnceAtTheMap() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GOOD", "1");
        env.put("1BAD", "2");
        env.put("2BAD", "x".repeat(513));
        String shown = Violations.render(env);
        rejects("CreateTrainingJob", Requests.trainingJob().environment(env).build())
                .isEqualTo("2 validation errors detected: Value '" + shown + "' at 'environment' failed to satisfy "
                        + "constraint: Map keys must satisfy constraint: [Member must have length less than or equal "
                        + "to 512, Member must have length greater than or equal to 0, Member must satisfy regular "
                        + "expression pattern: ^[a-zA-Z_][a-zA-Z0-9_]*$]; Value '" + shown + "' at 'environment' "
                        + "failed to satisfy constraint: Map value must satisfy constraint: [Member must have length "
                        + "less than or equal to 512, Member must have length greater than or equal to 0, Member "
                        + "must satisfy regular expression pattern: ^[\\S\\s]*$]");
    }

    @Test
    void mapsPrintLikeJavaMaps() {
        rejects("CreateTrainingJob", Requests.trainingJob().environment(Map.of("9", "v")).build())
                .startsWith("1 validation error detected: Value '{9=v}' at 'environment' failed to satisfy "
                        + "constraint: Map keys must satisfy constraint: [");
    }

    @Test
    void missingRequiredStructureIsNull() {
        rejects("CreateCompilationJob", Requests.compilationJob().outputConfig((OutputConfig) null).build())
                .isEqualTo("1 validation error detected: Value null at 'outputConfig' failed to satisfy constraint: "
                        + "Member must not be null");
    }

    @Test
    void requiredMembersOfAnAbsentOptionalStructureAreNotChecked() {
        // VpcConfig is optional: absent, its required SecurityGroupIds/Subnets do not apply ...
        Requests.VALIDATOR.validate("CreateCompilationJob", Requests.compilationJob().build());
        // ... present, they do.
        rejects("CreateCompilationJob", Requests.compilationJob().vpcConfig(NeoVpcConfig.builder().build()).build())
                .isEqualTo("2 validation errors detected: Value null at 'vpcConfig.securityGroupIds' failed to "
                        + "satisfy constraint: Member must not be null; Value null at 'vpcConfig.subnets' failed to "
                        + "satisfy constraint: Member must not be null");
    }

    @Test
    void severalViolationsFollowModelMemberOrderDepthFirst() {
        CreateCompilationJobRequest request = CreateCompilationJobRequest.builder()
                .compilationJobName("bad_name")
                .inputConfig(InputConfig.builder().s3Uri("ftp://x").framework("JAX").build())
                .build();
        rejects("CreateCompilationJob", request).isEqualTo("6 validation errors detected: "
                + "Value 'bad_name' at 'compilationJobName' failed to satisfy constraint: Member must satisfy regular "
                + "expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$; "
                + "Value null at 'roleArn' failed to satisfy constraint: Member must not be null; "
                + "Value 'ftp://x' at 'inputConfig.s3Uri' failed to satisfy constraint: Member must satisfy regular "
                + "expression pattern: ^(https|s3)://([^/]+)/?(.*)$; "
                + "Value 'JAX' at 'inputConfig.framework' failed to satisfy constraint: Member must satisfy enum value "
                + "set: [TENSORFLOW, KERAS, MXNET, ONNX, PYTORCH, XGBOOST, TFLITE, DARKNET, SKLEARN]; "
                + "Value null at 'outputConfig' failed to satisfy constraint: Member must not be null; "
                + "Value null at 'stoppingCondition' failed to satisfy constraint: Member must not be null");
    }

    @Test
    void recursiveSearchExpressionsUseTheSameRules() {
        SearchExpression inner = SearchExpression.builder()
                .filters(Filter.builder().name("").operator("Equals").value("x").build()).build();
        SearchRequest request = SearchRequest.builder().resource("TrainingJob")
                .searchExpression(SearchExpression.builder().subExpressions(inner).operator("Xor").build()).build();
        rejects("Search", request).isEqualTo("3 validation errors detected: "
                + "Value '' at 'searchExpression.subExpressions.1.member.filters.1.member.name' failed to satisfy "
                + "constraint: Member must have length greater than or equal to 1; "
                + "Value '' at 'searchExpression.subExpressions.1.member.filters.1.member.name' failed to satisfy "
                + "constraint: Member must satisfy regular expression pattern: ^.+$; "
                + "Value 'Xor' at 'searchExpression.operator' failed to satisfy constraint: Member must satisfy enum "
                + "value set: [And, Or]");
    }

    @Test
    void memberPathsLowerOnlyTheFirstLetter() {
        rejects("CreateTrainingJob", Requests.trainingJob().resourceConfig(b -> b.instanceType("ml.m5.large")
                .instanceCount(1).volumeSizeInGB(-1)).build())
                .isEqualTo("1 validation error detected: Value '-1' at 'resourceConfig.volumeSizeInGB' failed to "
                        + "satisfy constraint: Member must have value greater than or equal to 0");
        rejects("CreateNotebookInstance", CreateNotebookInstanceRequest.builder().notebookInstanceName("nb")
                .instanceType("ml.t3.medium").roleArn(Requests.ROLE).additionalCodeRepositories(List.of("", "", "", ""))
                .build())
                .startsWith("2 validation errors detected: Value '[, , , ]' at 'additionalCodeRepositories' failed "
                        + "to satisfy constraint: Member must have length less than or equal to 3; ");
    }
}
