package dev.sagebrush.training.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageMappingTest {
    final ImageMapping m = ImageMapping.parse(List.of(
            "# comment", "",
            "*.dkr.ecr.*.amazonaws.com/sagemaker-scikit-learn:*   localhost/sagebrush/sklearn:1",
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1   localhost/exact:1",
            "registry.example.com/team/*   localhost/team:latest",
            "registry.example.com/*   localhost/other:latest"), "test");

    @Test
    void anExactLineWinsThenTheFirstMatchingPattern() {
        assertThat(m.resolve("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1"))
                .contains("localhost/exact:1");
        assertThat(m.resolve("246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.0-1-cpu-py3"))
                .contains("localhost/sagebrush/sklearn:1");
        assertThat(m.resolve("registry.example.com/team/a:1")).contains("localhost/team:latest");
        assertThat(m.resolve("registry.example.com/b:1")).contains("localhost/other:latest");
        assertThat(m.resolve("docker.io/library/python:3")).isEmpty();
        assertThat(m.resolve(null)).isEmpty();
    }

    @Test
    void starMatchesAnyRunAndEverythingElseIsLiteral() {
        assertThat(ImageMapping.glob("a.b*").matcher("a.bxyz").matches()).isTrue();
        assertThat(ImageMapping.glob("a.b*").matcher("axbxyz").matches()).isFalse();
        assertThat(ImageMapping.glob("*").matcher("").matches()).isTrue();
    }

    @Test
    void malformedLinesAndOptionLikeImagesAreRefused() {
        assertThatThrownBy(() -> ImageMapping.parse(List.of("only-one-word"), "f"))
                .hasMessageStartingWith("f line 1: expected");
        assertThatThrownBy(() -> ImageMapping.parse(List.of("x --privileged"), "f"))
                .hasMessageContaining("is not an image name");
    }

    @Test
    void jobNetworkAddressesSkipTheGateway() throws Exception {
        assertThat(JobNetwork.addresses("10.89.3.0/24", List.of("algo-1", "algo-2")))
                .isEqualTo(Map.of("algo-1", "10.89.3.2", "algo-2", "10.89.3.3"));
        assertThatThrownBy(() -> JobNetwork.addresses("10.0.0.0/30", List.of("a", "b")))
                .hasMessageContaining("too small");
    }

    @Test
    void theOperatorsFileIsReadAgainWhenItChangesAndABrokenEditKeepsTheLastGoodMapping(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = dir.resolve("images.map");
        java.nio.file.Files.writeString(f, "registry.example.com/a:1 localhost/a:1\n");
        var file = ContainerImages.operatorMapping(f);
        assertThat(file.get().resolve("registry.example.com/b:1")).isEmpty();
        java.nio.file.Files.writeString(f, "registry.example.com/* localhost/any:1\n");
        assertThat(file.get().resolve("registry.example.com/b:1")).contains("localhost/any:1");
        java.nio.file.Files.writeString(f, "registry.example.com/* -not-an-image\n");
        assertThat(file.get().resolve("registry.example.com/b:1")).contains("localhost/any:1");
        assertThat(file.get().source()).isEqualTo(f.toString());
    }
}
