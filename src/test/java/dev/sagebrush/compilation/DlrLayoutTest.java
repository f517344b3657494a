package dev.sagebrush.compilation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DlrLayoutTest {
    @TempDir Path dir;

    @Test
    void metaSaysCpuAndDescribesTheTensorsAsDlrReadsThem() throws Exception {
        Path p = DlrLayout.writeMeta(dir, "rk3399",
                new DlrLayout.Tensor[] {new DlrLayout.Tensor("data", "float32", new long[] {-1, 50})},
                new DlrLayout.Tensor[] {new DlrLayout.Tensor(null, "float32", new long[] {-1, 3})}, false);
        assertThat(p.getFileName().toString()).isEqualTo("compiled.meta");
        JsonNode m = new ObjectMapper().readTree(p.toFile());
        assertThat(m.path("Requirements").path("TargetDeviceType").asText()).isEqualTo("cpu");
        assertThat(m.path("Requirements").path("TargetDevice").asText()).isEqualTo("rk3399");
        assertThat(m.path("Model").path("Inputs").get(0).path("name").asText()).isEqualTo("data");
        assertThat(m.path("Model").path("Inputs").get(0).path("shape").toString()).isEqualTo("[-1,50]");
        assertThat(m.path("Model").path("Outputs").get(0).has("name")).isFalse();
        assertThat(m.path("Model").path("SparseInput").asText()).isEqualTo("0");
        assertThat(DlrLayout.MANIFEST).startsWith(DlrLayout.SUBFOLDER + "/");
    }
}
