package dev.sagebrush.compilation.reference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ONNX reference on the fixture models (ONNX Runtime: describe, run), its natives, the verification compare. */
class ReferenceUnitTest {
    @TempDir Path tmp;

    Path fixture(String name) throws Exception {
        Path p = tmp.resolve(name);
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("fixtures/onnx/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    @Test
    void describeReportsSymbolicDimsByName() throws Exception {
        OrtModels.Description d = OrtModels.describe(fixture("convnet.onnx"));
        assertThat(d.inputs()).singleElement().satisfies(i -> {
            assertThat(i.name()).isEqualTo("image");
            assertThat(i.dtype()).isEqualTo("float32");
            assertThat(i.describeShape()).isEqualTo("[batch, 3, 32, 32]");
        });
        assertThat(d.outputs()).singleElement().satisfies(o -> assertThat(o.describeShape()).isEqualTo("[batch, 10]"));
        assertThat(d.unsupported()).isEmpty();
    }

    @Test
    void theReferenceRunsTheOriginalAtTheConfiguredShape() throws Exception {
        Path model = fixture("convnet.onnx");
        InputShapes.Resolved shapes = InputShapes.resolve(OrtModels.describe(model).inputs(), "{\"image\": [2, 3, 32, 32]}");
        List<List<Tensor>> inputs = RandomInputs.generate(OrtModels.describe(model).inputs(), shapes.shapes());
        List<List<Tensor>> want = OrtModels.run(model, OptLevel.NO_OPT, inputs);
        List<List<Tensor>> again = OrtModels.run(model, OptLevel.ALL_OPT, inputs);
        OutputComparison v = OutputComparison.compare(want, again);
        assertThat(v.passed()).as(v.detail()).isTrue();
        assertThat(v.values()).isEqualTo(3 * 2 * 10);
        assertThat(want.get(0).get(0).shape()).containsExactly(2, 10);
    }

    @Test
    void comparisonCatchesADifferenceAboveTolerance() {
        Tensor a = new Tensor("y", 1, new long[] {2}, floats(1f, 2f));
        Tensor b = new Tensor("y", 1, new long[] {2}, floats(1f, 2.0001f));
        OutputComparison v = OutputComparison.compare(List.of(List.of(a)), List.of(List.of(b)));
        assertThat(v.passed()).isFalse();
        assertThat(v.mismatches()).isEqualTo(1);
        assertThat(v.detail()).contains("output \"y\" element 1");
        Tensor c = new Tensor("y", 1, new long[] {2}, floats(1f, 2.00001f));
        assertThat(OutputComparison.compare(List.of(List.of(a)), List.of(List.of(c))).passed()).isTrue();
    }

    @Test
    void theJarsLinuxX64LibrariesAreExtractedOnce() throws Exception {
        OrtLibraries r = new OrtLibraries(tmp.resolve("cache"));
        Path dir = r.javaNativeDir();
        Path lib = dir.resolve("libonnxruntime.so");
        byte[] head = Files.readAllBytes(lib);
        assertThat(head[18] & 0xff).isEqualTo(62);  // EM_X86_64
        assertThat(dir.resolve("libonnxruntime4j_jni.so")).isRegularFile();
        assertThat(r.javaNativeDir()).isEqualTo(dir);
    }



    static byte[] floats(float... v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }
}
