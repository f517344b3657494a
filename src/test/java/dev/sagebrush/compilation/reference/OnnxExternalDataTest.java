package dev.sagebrush.compilation.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.compilation.CompilationFailure;
import dev.sagebrush.testsupport.OnnxWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxExternalDataTest {
    @TempDir Path tmp;

    Path model(OnnxWriter... tensors) throws Exception {
        OnnxWriter graph = OnnxWriter.graph(new OnnxWriter[] {
                OnnxWriter.node("Add", new String[] {"x", "w"}, new String[] {"y"})}, tensors,
                OnnxWriter.valueInfo("x", OnnxWriter.FLOAT, 1, 4), OnnxWriter.valueInfo("y", OnnxWriter.FLOAT, 1, 4));
        Path dir = Files.createDirectories(tmp.resolve("model").resolve("sub"));
        Path m = dir.resolve("model.onnx");
        Files.write(m, OnnxWriter.model(graph));
        return m;
    }

    static OnnxWriter external(String name, String location, String length) {
        return OnnxWriter.externalTensor(name, OnnxWriter.FLOAT, new long[] {4},
                length == null ? Map.of("location", location) : Map.of("location", location, "length", length));
    }

    @Test
    void findsExternalTensorsInInitializers() throws Exception {
        Path m = model(external("w", "w.bin", "16"));
        assertThat(OnnxExternalData.references(m)).containsExactly(
                new OnnxExternalData.Reference("w", "w.bin", null, 16L));
    }

    @Test
    void acceptsAFileInsideTheArchiveAndRefusesEverythingElse() throws Exception {
        Path root = tmp.resolve("model");
        Files.createDirectories(root.resolve("sub"));
        Files.write(root.resolve("sub").resolve("w.bin"), new byte[16]);
        Files.write(root.resolve("top.bin"), new byte[16]);
        Files.createSymbolicLink(root.resolve("sub").resolve("link.bin"), Path.of("/etc/passwd"));
        assertThatCode(() -> OnnxExternalData.check(model(external("w", "w.bin", "16")), root)).doesNotThrowAnyException();
        assertThat(problem("/etc/passwd", root)).isEqualTo("is an absolute path");
        assertThat(problem("../top.bin", root)).isEqualTo("leaves the model's directory");
        assertThat(problem("link.bin", root)).isEqualTo("is a link");
        assertThat(problem("missing.bin", root)).isEqualTo("is not a file in the model archive");
        assertThat(problem("*/_ORT_MEM_ADDR_/*", root)).isEqualTo("is not a file in the model archive");
        assertThatThrownBy(() -> OnnxExternalData.check(model(external("weights", "w.bin", "17")), root))
                .isInstanceOf(CompilationFailure.class)
                .hasMessageStartingWith("ClientError: InputConfiguration: The ONNX model's tensor \"weights\"")
                .hasMessageContaining("beyond the end of the file");
    }

    String problem(String location, Path root) throws Exception {
        return OnnxExternalData.problem(new OnnxExternalData.Reference("w", location, null, null),
                root.resolve("sub"), root);
    }

    @Test
    void garbageIsLeftToOnnxRuntimeToRefuse() throws Exception {
        Path m = tmp.resolve("garbage.onnx");
        Files.write(m, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 0x3a, 0x7f});
        assertThat(OnnxExternalData.references(m)).isEmpty();
    }
}
