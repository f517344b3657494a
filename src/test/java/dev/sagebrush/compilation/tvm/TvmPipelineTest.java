package dev.sagebrush.compilation.tvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.compilation.CompilationTarget;
import dev.sagebrush.compilation.CompilationTargets;
import dev.sagebrush.compilation.toolchain.TargetArch;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;

/** Which targets the TVM tier takes, and how a host without TVM refuses ONNX, PYTORCH and TFLITE jobs. */
class TvmPipelineTest {
    @Test
    void targetsWithoutACpuPathFailNamingWhyAndAcceleratorsGetTheirHostCpu() {
        assertThat(TvmPipeline.checkTarget(target("ml_c5"), "ONNX", List.of())).isEqualTo(TargetArch.X86_64);
        // GPU and NPU devices get code for their host CPU (the manifest says so)
        assertThat(TvmPipeline.checkTarget(target("ml_p3"), "ONNX", List.of())).isEqualTo(TargetArch.X86_64);
        assertThatThrownBy(() -> TvmPipeline.checkTarget(target("x86_win64"), "ONNX", List.of()))
                .hasMessageStartingWith("ClientError: CompilationError: Target x86_win64 is not supported")
                .hasMessageContaining("Windows");
    }

    @Test
    void aHostWithoutTvmRefusesNeuralNetworksNamingWhatIsMissing() {
        // org.bytedeco:tvm has natives for linux-x86_64 only: on an aarch64 server this is what missing() says
        List<String> missing = TvmCompiler.missing("aarch64");
        assertThat(missing).anySatisfy(m -> assertThat(m).contains("linux-x86_64 hosts only")
                .contains("this host is aarch64"));
        for (String framework : List.of("ONNX", "PYTORCH", "TFLITE")) {
            assertThatThrownBy(() -> TvmPipeline.checkTarget(target("rk3399"), framework, missing))
                    .isInstanceOf(dev.sagebrush.compilation.CompilationFailure.class)
                    .hasMessageStartingWith("ClientError: CompilationError: This server compiles " + framework
                            + " models with TVM, which it cannot run: TVM (org.bytedeco:tvm 0.18.0-1.5.11) ships "
                            + "natives for linux-x86_64 hosts only, and this host is aarch64");
        }
        assertThat(TvmCompiler.missing("amd64"))
                .noneMatch(m -> m.contains("linux-x86_64 hosts only"));
    }

    static CompilationTarget target(String device) {
        return CompilationTargets.of(OutputConfig.builder().targetDevice(device).build());
    }
}
