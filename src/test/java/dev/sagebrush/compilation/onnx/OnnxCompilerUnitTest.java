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

/** The ONNX compiler's pieces on the fixture models: the ORT reference (describe, run), targets, verification compare. */
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
    void theReferenceRunsTheOriginalAtTheConfiguredShape() throws Exception {
        Path model = fixture("convnet.onnx");
        InputShapes.Resolved shapes = InputShapes.resolve(OrtModels.describe(model).inputs(), "{\"image\": [2, 3, 32, 32]}");
        List<List<Tensor>> inputs = RandomInputs.generate(OrtModels.describe(model).inputs(), shapes.shapes());
        List<List<Tensor>> want = OrtModels.run(model, OptLevel.NO_OPT, inputs);
        List<List<Tensor>> again = OrtModels.run(model, OptLevel.ALL_OPT, inputs);
        OnnxVerification v = OnnxVerification.compare(want, again);
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
    void targetsWithoutACpuPathFailNamingWhyAndAcceleratorsGetTheirHostCpu() {
        assertThat(OnnxTvmCompiler.checkTarget(target("ml_c5"), "ONNX", List.of())).isEqualTo(TargetArch.X86_64);
        // GPU and NPU devices get code for their host CPU (the manifest says so)
        assertThat(OnnxTvmCompiler.checkTarget(target("ml_p3"), "ONNX", List.of())).isEqualTo(TargetArch.X86_64);
        assertThatThrownBy(() -> OnnxTvmCompiler.checkTarget(target("x86_win64"), "ONNX", List.of()))
                .hasMessageStartingWith("ClientError: CompilationError: Target x86_win64 is not supported")
                .hasMessageContaining("Windows");
    }

    @Test
    void aHostWithoutTvmRefusesNeuralNetworksNamingWhatIsMissing() {
        // org.bytedeco:tvm has natives for linux-x86_64 only: on an aarch64 server this is what missing() says
        List<String> missing = dev.sagebrush.compilation.tvm.TvmCompilerAccess.missing("aarch64");
        assertThat(missing).anySatisfy(m -> assertThat(m).contains("linux-x86_64 hosts only")
                .contains("this host is aarch64"));
        for (String framework : List.of("ONNX", "PYTORCH", "TFLITE")) {
            assertThatThrownBy(() -> OnnxTvmCompiler.checkTarget(target("rk3399"), framework, missing))
                    .isInstanceOf(dev.sagebrush.compilation.CompilationFailure.class)
                    .hasMessageStartingWith("ClientError: CompilationError: This server compiles " + framework
                            + " models with TVM, which it cannot run: TVM (org.bytedeco:tvm 0.18.0-1.5.11) ships "
                            + "natives for linux-x86_64 hosts only, and this host is aarch64");
        }
        assertThat(dev.sagebrush.compilation.tvm.TvmCompilerAccess.missing("amd64"))
                .noneMatch(m -> m.contains("linux-x86_64 hosts only"));
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


    static dev.sagebrush.compilation.CompilationTarget target(String device) {
        return CompilationTargets.of(OutputConfig.builder().targetDevice(device).build());
    }

    static byte[] floats(float... v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }
}
