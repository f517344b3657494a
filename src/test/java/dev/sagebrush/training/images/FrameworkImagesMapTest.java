package dev.sagebrush.training.images;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.training.builtin.SagemakerXgboostImages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The default map ({@code training/container/framework-images.map}) against the URIs the SageMaker Python SDK's
 * {@code image_uris.retrieve} returns, and against the images {@code images build} makes: every target is a built name.
 */
class FrameworkImagesMapTest {
    record Line(Pattern pattern, String image) {}

    static List<Line> load() throws IOException {
        try (InputStream in = FrameworkImagesMapTest.class.getResourceAsStream(
                "/dev/sagebrush/training/container/framework-images.map")) {
            List<Line> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) continue;
                String[] w = l.split("\\s+");
                assertThat(w).as(l).hasSize(2);
                String regex = Arrays.stream(w[0].split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
                out.add(new Line(Pattern.compile(regex), w[1]));
            }
            return out;
        }
    }

    static Optional<String> resolve(String uri) throws IOException {
        return load().stream().filter(l -> l.pattern().matcher(uri).matches()).map(Line::image).findFirst();
    }

    @Test
    void everyTargetIsAnImageThatImagesBuildMakes() throws IOException {
        List<String> built = Arrays.stream(FrameworkImage.values()).map(FrameworkImage::imageName).toList();
        assertThat(load()).isNotEmpty().allSatisfy(l -> assertThat(built).contains(l.image()));
    }

    @ParameterizedTest
    @CsvSource({
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3, sklearn",
        "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:0.23-1-cpu-py3, sklearn",
        "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-scikit-learn:1.0-1-cpu-py3, sklearn",
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:1.13.1-cpu-py39, pytorch",
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.0.0-cpu-py310, pytorch",
        "727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn/pytorch-training:1.8.1-cpu-py36, pytorch",
        "626614931356.dkr.ecr.af-south-1.amazonaws.com/pytorch-training:1.12.0-cpu-py38, pytorch",
        "520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-pytorch:1.0.0-cpu-py3, pytorch",
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1, xgboost",
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:0.90-2-cpu-py3, xgboost",
    })
    void sdkUrisMapToTheirFrameworkImage(String uri, String framework) throws IOException {
        assertThat(resolve(uri)).contains(FrameworkImage.byId(framework).orElseThrow().imageName());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.0.0-gpu-py310",
        "520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-pytorch:1.0.0-cpu-py2",
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1-arm64",
        "111111111111.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.0.0-cpu-py310",
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.11.0-cpu-py39",
    })
    void gpuOtherAccountsAndOtherFrameworksAreNotMapped(String uri) throws IOException {
        assertThat(resolve(uri)).isEmpty();
    }

    @Test
    void everyBuiltinXgboostUriIsServedByTheXgboostImage() throws IOException {
        for (String uri : SagemakerXgboostImages.get().allUris()) {
            assertThat(resolve(uri)).as(uri).contains(FrameworkImage.XGBOOST.imageName());
        }
    }

    @Test
    void imageNamesAreValidTagsAndRecipesHaveStableHashes() {
        assertThat(FrameworkImage.SKLEARN.imageName()).isEqualTo("localhost/sagebrush/sklearn:1.2.1-dfsg-1");
        assertThat(FrameworkImage.PYTORCH.imageName()).isEqualTo("localhost/sagebrush/pytorch:1.13.1-dfsg-4");
        assertThat(FrameworkImage.XGBOOST.packages()).contains("python3-xgboost=1.7.4-1", "python3-packaging");
        for (FrameworkImage f : FrameworkImage.values()) {
            assertThat(f.recipeHash()).matches("[0-9a-f]{64}").isEqualTo(f.recipeHash());
        }
        assertThat(FrameworkImage.SKLEARN.recipeHash()).isNotEqualTo(FrameworkImage.XGBOOST.recipeHash());
    }
}
