package dev.sagebrush.validation;

import static dev.sagebrush.validation.Requests.rejects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.AlgorithmSpecification;
import software.amazon.awssdk.services.sagemaker.model.CreateNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceRequest;

/** Patterns run in linear time on RE2/J; the few RE2/J cannot compile are known, bounded and exact. */
class PatternEngineTest {
    private static final String NOTEBOOK_PATTERN = "^[a-zA-Z0-9](-*[a-zA-Z0-9])*$";

    @Test
    void hostileSixteenKilobyteValuesAreRejectedQuickly() {
        // Both values make java.util.regex throw StackOverflowError (its group loop recurses per repetition);
        // RE2/J answers in milliseconds. AWS reports the length and the pattern, so both are checked.
        String name = "a".repeat(16 * 1024) + "!";
        String repo = "a" + "-a".repeat(8 * 1024) + "!";
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            rejects("DescribeNotebookInstance", DescribeNotebookInstanceRequest.builder()
                    .notebookInstanceName(name).build())
                    .isEqualTo("2 validation errors detected: Value '" + name + "' at 'notebookInstanceName' failed "
                            + "to satisfy constraint: Member must have length less than or equal to 63; Value '" + name
                            + "' at 'notebookInstanceName' failed to satisfy constraint: Member must satisfy regular "
                            + "expression pattern: " + NOTEBOOK_PATTERN);
            rejects("CreateNotebookInstance", CreateNotebookInstanceRequest.builder().notebookInstanceName("nb")
                    .instanceType("ml.t3.medium").roleArn(Requests.ROLE).defaultCodeRepository(repo).build())
                    .contains("at 'defaultCodeRepository' failed to satisfy constraint: Member must have length less "
                            + "than or equal to 1024; ")
                    .endsWith("Member must satisfy regular expression pattern: "
                            + "^https://([^/]+)/?(.*)$|^[a-zA-Z0-9](-*[a-zA-Z0-9])*$");
        });
    }

    @Test
    void onlyKnownPatternsFallBackToJavaRegexAndAllOfThemAreLengthBounded() {
        Map<String, String> fallbacks = new TreeMap<>();
        ConstraintTable table = Validator.loadDefault().table();
        for (String op : table.operations.keySet()) {
            table.paths(op).forEach((path, spec) -> {
                if (spec.pattern != null && spec.pattern.backtracking) {
                    assertThat(spec.max).as("length bound of %s %s", op, path).isNotNull().isLessThanOrEqualTo(2048);
                    fallbacks.put(path, spec.pattern.shown);
                }
            });
        }
        // {1,2048} exceeds RE2's repeat limit of 1000; (?<!-) is a look-behind; \p{Alnum} is a Java-only class.
        assertThat(fallbacks.keySet()).containsExactly(
                "AlgorithmSpecification.AlgorithmName",
                "AlgorithmSpecification.TrainingImageConfig.TrainingRepositoryAuthConfig"
                        + ".TrainingRepositoryCredentialsProviderArn",
                "ModelPackageConfig.ModelPackageGroupArn",
                "ModelPackageConfig.SourceModelPackageArn",
                "ModelPackageVersionArn");
    }

    @Test
    void fallbackPatternKeepsJavaSemantics() {
        String pattern = "^(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:[a-z\\-]*\\/)?([a-zA-Z0-9]([a-zA-Z0-9-])"
                + "{0,62})(?<!-)$";
        rejects("CreateTrainingJob", Requests.trainingJob().algorithmSpecification(AlgorithmSpecification.builder()
                .algorithmName("my-algo-").trainingInputMode("File").build()).build())
                .isEqualTo("1 validation error detected: Value 'my-algo-' at 'algorithmSpecification.algorithmName' "
                        + "failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern);
        Requests.VALIDATOR.validate("CreateTrainingJob", Requests.trainingJob().algorithmSpecification(
                AlgorithmSpecification.builder().algorithmName("my-algo").trainingInputMode("File").build()).build());
    }

    @Test
    void fallbackPatternIsSkippedForValuesOverTheLengthLimit() {
        String name = "a".repeat(171) + "-";
        rejects("CreateTrainingJob", Requests.trainingJob().algorithmSpecification(AlgorithmSpecification.builder()
                .algorithmName(name).trainingInputMode("File").build()).build())
                .isEqualTo("1 validation error detected: Value '" + name + "' at 'algorithmSpecification.algorithmName' "
                        + "failed to satisfy constraint: Member must have length less than or equal to 170");
    }

    @Test
    void alternationIsMatchedAsAWholeValueNotAsAnchoredHalves() {
        // The model's "^1|2$" means "1 or 2" under whole-value matching, as in AWS's Java validator.
        for (String bad : new String[] {"12", "3"}) {
            rejects("CreateNotebookInstance", CreateNotebookInstanceRequest.builder().notebookInstanceName("nb")
                    .instanceType("ml.t3.medium").roleArn(Requests.ROLE)
                    .instanceMetadataServiceConfiguration(b -> b.minimumInstanceMetadataServiceVersion(bad)).build())
                    .endsWith("at 'instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion' failed "
                            + "to satisfy constraint: Member must satisfy regular expression pattern: ^1|2$");
        }
        Requests.VALIDATOR.validate("CreateNotebookInstance", CreateNotebookInstanceRequest.builder()
                .notebookInstanceName("nb").instanceType("ml.t3.medium").roleArn(Requests.ROLE)
                .instanceMetadataServiceConfiguration(b -> b.minimumInstanceMetadataServiceVersion("2")).build());
    }
}
