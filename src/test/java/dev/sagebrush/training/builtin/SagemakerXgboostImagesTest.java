package dev.sagebrush.training.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.training.builtin.SagemakerXgboostImages.ModelFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.AlgorithmSpecification;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;

class SagemakerXgboostImagesTest {
    final SagemakerXgboostImages images = SagemakerXgboostImages.get();

    /** URIs as sagemaker.image_uris.retrieve("xgboost", region, version) returns them. */
    @ParameterizedTest
    @CsvSource({
            "us-east-1,      1.7-1,  683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1,             BINARY",
            "us-east-1,      1.3-1,  683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.3-1,             BINARY",
            "us-west-2,      1.2-2,  246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.2-2,             PICKLE",
            "us-west-2,      0.90-1, 246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:0.90-1-cpu-py3,    PICKLE",
            "eu-west-1,      1.0-1,  141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3,     PICKLE",
            "cn-north-1,     1.5-1,  450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.5-1,         BINARY",
            "us-gov-west-1,  1.7-1,  414596584902.dkr.ecr.us-gov-west-1.amazonaws.com/sagemaker-xgboost:1.7-1,         BINARY",
            "us-iso-east-1,  1.7-1,  833128469047.dkr.ecr.us-iso-east-1.c2s.ic.gov/sagemaker-xgboost:1.7-1,            BINARY",
            "us-isob-east-1, 0.90-2, 281123927165.dkr.ecr.us-isob-east-1.sc2s.sgov.gov/sagemaker-xgboost:0.90-2-cpu-py3, PICKLE",
            "us-isof-south-1, 1.7-1, 124985052026.dkr.ecr.us-isof-south-1.csp.hci.ic.gov/sagemaker-xgboost:1.7-1,      BINARY",
            "il-central-1,   1.5-1,  898809789911.dkr.ecr.il-central-1.amazonaws.com/sagemaker-xgboost:1.5-1,          BINARY",
    })
    void retrieveUrisResolve(String region, String version, String uri, ModelFormat format) {
        assertThat(images.uri(region, version)).contains(uri);
        SagemakerXgboostImages.Image image = images.resolve(uri).orElseThrow();
        assertThat(image.region()).isEqualTo(region);
        assertThat(image.version().version()).isEqualTo(version);
        assertThat(image.version().format()).isEqualTo(format);
    }

    @Test
    void everyRegionAndVersionIsThere() {
        assertThat(images.versions()).extracting(SagemakerXgboostImages.Version::version)
                .containsExactly("0.90-1", "0.90-2", "1.0-1", "1.2-1", "1.2-2", "1.3-1", "1.5-1", "1.7-1");
        List<String> all = images.allUris();
        assertThat(all).hasSize(37 * 8).doesNotHaveDuplicates();
        assertThat(all).allSatisfy(u -> assertThat(images.resolve(u)).isPresent());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",     // not AWS's account
            "683313688378.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1",     // another region's account
            "683313688378.dkr.ecr.us-east-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1",  // wrong partition suffix
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:2.1-0",     // inference-only version
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:0.90-1",    // retrieve adds -cpu-py3
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.5-1-arm64",
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.7-1",
            "811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1",                   // the legacy algorithm
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost",
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost@sha256:c764382b16cd",
            "sagemaker-xgboost:1.7-1",
            "evil.683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            "",
    })
    void otherImagesAreNotTheBuiltinAlgorithm(String image) {
        assertThat(images.resolve(image)).isEmpty();
        assertThat(BuiltinAlgorithms.resolve(image)).isEmpty();
    }

    @Test
    void theCommandRunsOurScriptWithTheVersion() {
        BuiltinAlgorithm a = BuiltinAlgorithms.resolve(
                "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3").orElseThrow();
        assertThat(a.command()).containsExactly("/usr/bin/python3", "-I", "-B", "code/sagebrush_xgboost_train.py",
                "--sagemaker-xgboost-version", "1.0-1");
    }

    @Test
    void jobsWithoutMetricDefinitionsGetTheAlgorithms() {
        AlgorithmSpecification bare = AlgorithmSpecification.builder().trainingInputMode("File")
                .trainingImage("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1").build();
        AlgorithmSpecification filled = BuiltinAlgorithms.withBuiltinMetrics(bare);
        assertThat(filled.metricDefinitions()).hasSize(37).hasSizeLessThanOrEqualTo(40)
                .contains(MetricDefinition.builder().name("validation:auc")
                        .regex(".*\\[[0-9]+\\].*#011validation-auc:([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*").build());
        assertThat(filled.metricDefinitions()).extracting(MetricDefinition::name).doesNotHaveDuplicates();

        AlgorithmSpecification own = bare.toBuilder()
                .metricDefinitions(MetricDefinition.builder().name("mine").regex("x=(\\S+)").build()).build();
        assertThat(BuiltinAlgorithms.withBuiltinMetrics(own)).isEqualTo(own);
        AlgorithmSpecification other = bare.toBuilder().trainingImage("registry.example.com/x:1").build();
        assertThat(BuiltinAlgorithms.withBuiltinMetrics(other)).isEqualTo(other);
        assertThat(BuiltinAlgorithms.withBuiltinMetrics(null)).isNull();
    }
}
