package dev.sagebrush.compilation.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.sagebrush.compilation.CompilationTargets;
import dev.sagebrush.compilation.toolchain.TargetArch;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;

/** The ONNX compiler's pieces on the fixture models: ORT describe/optimize/run, targets, verification compare. */
class OnnxCompilerUnitTest {
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
    void optimizedOrtModelHasTheConfiguredShapeBakedInAndMatchesTheOriginal() throws Exception {
        Path model = fixture("convnet.onnx");
        Path ort = tmp.resolve("model.ort");
        InputShapes.Resolved shapes = InputShapes.resolve(OrtModels.describe(model).inputs(), "{\"image\": [2, 3, 32, 32]}");
        OrtModels.optimize(model, ort, shapes.dimValues(), OnnxModelCompiler.LEVEL);
        byte[] bytes = Files.readAllBytes(ort);
        assertThat(new String(bytes, 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ORTM");
        OrtModels.Description compiled = OrtModels.describe(ort);
        assertThat(compiled.inputs().get(0).shape()).containsExactly(2, 3, 32, 32);

        List<List<Tensor>> inputs = RandomInputs.generate(OrtModels.describe(model).inputs(), shapes.shapes());
        List<List<Tensor>> want = OrtModels.run(model, OptLevel.NO_OPT, inputs);
        List<List<Tensor>> got = OrtModels.run(ort, OptLevel.ALL_OPT, inputs);
        OnnxVerification v = OnnxVerification.compare(want, got);
        assertThat(v.passed()).as(v.detail()).isTrue();
        assertThat(v.values()).isEqualTo(3 * 2 * 10);
        assertThat(want.get(0).get(0).shape()).containsExactly(2, 10);
    }

    @Test
    void comparisonCatchesADifferenceAboveTolerance() {
        Tensor a = new Tensor("y", 1, new long[] {2}, floats(1f, 2f));
        Tensor b = new Tensor("y", 1, new long[] {2}, floats(1f, 2.0001f));
        OnnxVerification v = OnnxVerification.compare(List.of(List.of(a)), List.of(List.of(b)));
        assertThat(v.passed()).isFalse();
        assertThat(v.mismatches()).isEqualTo(1);
        assertThat(v.detail()).contains("output \"y\" element 1");
        Tensor c = new Tensor("y", 1, new long[] {2}, floats(1f, 2.00001f));
        assertThat(OnnxVerification.compare(List.of(List.of(a)), List.of(List.of(c))).passed()).isTrue();
    }

    @Test
    void targetsWithoutAnOnnxPathFailNamingWhy() {
        assertThat(OnnxModelCompiler.checkTarget(target("ml_c5"))).isEqualTo(TargetArch.X86_64);
        assertThatThrownBy(() -> OnnxModelCompiler.checkTarget(target("rasp3b")))
                .hasMessageStartingWith("ClientError: CompilationError: Target rasp3b is 32-bit ARM")
                .hasMessageContaining("no 32-bit ARM build").hasMessageContaining("no TVM backend");
        assertThatThrownBy(() -> OnnxModelCompiler.checkTarget(target("ml_p3")))
                .hasMessageContaining("no CUDA/TensorRT code generator on this server");
        assertThatThrownBy(() -> OnnxModelCompiler.checkTarget(target("ml_inf1")))
                .hasMessageContaining("no AWS Neuron code generator");
        assertThatThrownBy(() -> OnnxModelCompiler.checkTarget(target("jetson_nano")))
                .hasMessageContaining("CUDA/TensorRT").hasMessageContaining("Arch: ARM64");
        assertThatThrownBy(() -> OnnxModelCompiler.checkTarget(target("x86_win64")))
                .hasMessageContaining("Windows");
        assertThatThrownBy(() -> OnnxModelCompiler.checkTarget(CompilationTargets.of(OutputConfig.builder()
                .targetPlatform(p -> p.os("LINUX").arch("ARM_EABIHF")).build())))
                .hasMessageContaining("32-bit ARM");
        assertThatThrownBy(() -> OnnxModelCompiler.checkTarget(CompilationTargets.of(OutputConfig.builder()
                .targetPlatform(p -> p.os("LINUX").arch("X86_64").accelerator("NVIDIA")).build())))
                .hasMessageContaining("no CUDA/TensorRT code generator");
    }

    @Test
    void theJarsAarch64LibraryIsExtractedOnce() throws Exception {
        OrtNativeRunner r = new OrtNativeRunner(tmp.resolve("cache"));
        Path lib = r.nativeLibrary("linux-aarch64");
        byte[] head = Files.readAllBytes(lib);
        assertThat(head[18] & 0xff).isEqualTo(183);  // EM_AARCH64
        assertThat(r.nativeLibrary("linux-aarch64")).isEqualTo(lib);
        assertThat(OrtNativeRunner.ortPlatform(TargetArch.ARMV7HF)).isNull();
    }


    static dev.sagebrush.compilation.CompilationTarget target(String device) {
        return CompilationTargets.of(OutputConfig.builder().targetDevice(device).build());
    }

    static byte[] floats(float... v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }
}
