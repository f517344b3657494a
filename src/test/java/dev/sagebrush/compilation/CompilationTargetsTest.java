package dev.sagebrush.compilation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.compilation.toolchain.TargetArch;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;
import software.amazon.awssdk.services.sagemaker.model.TargetDevice;

class CompilationTargetsTest {
    @Test
    void everyTargetDeviceOfTheModelIsInTheTable() {
        String[] model = Arrays.stream(TargetDevice.values()).filter(d -> d != TargetDevice.UNKNOWN_TO_SDK_VERSION)
                .map(TargetDevice::toString).toArray(String[]::new);
        assertThat(CompilationTargets.devices().keySet()).containsExactlyInAnyOrder(model);
        assertThat(CompilationTargets.devices()).hasSize(37);
    }

    @Test
    void issueDevicesMapToTheirArchitectures() {
        assertThat(arch("ml_c5")).contains(TargetArch.X86_64);
        assertThat(arch("ml_m6g")).contains(TargetArch.AARCH64);
        assertThat(arch("rk3399")).contains(TargetArch.AARCH64);
        assertThat(arch("jetson_nano")).contains(TargetArch.AARCH64);
        assertThat(arch("rk3288")).contains(TargetArch.ARMV7HF);
        assertThat(arch("rasp3b")).contains(TargetArch.ARMV7HF);
        assertThat(arch("x86_win64")).isEmpty();
    }

    @Test
    void targetPlatformsMapByOsArchAndAccelerator() {
        CompilationTarget arm64 = CompilationTargets.of(OutputConfig.builder()
                .targetPlatform(p -> p.os("LINUX").arch("ARM64")).build());
        assertThat(arm64.name()).isEqualTo("LINUX_ARM64");
        assertThat(arm64.hostArch()).contains(TargetArch.AARCH64);
        CompilationTarget gpu = CompilationTargets.of(OutputConfig.builder()
                .targetPlatform(p -> p.os("LINUX").arch("X86_64").accelerator("NVIDIA")).build());
        assertThat(gpu.isCpuOnly()).isFalse();
        assertThat(CompilationTargets.of(OutputConfig.builder().targetPlatform(p -> p.os("ANDROID").arch("ARM64")).build())
                .unsupported()).hasValueSatisfying(s -> assertThat(s).contains("NDK"));
        assertThat(CompilationTargets.of(OutputConfig.builder().targetPlatform(p -> p.os("LINUX").arch("ARM_EABI")).build())
                .unsupported()).hasValueSatisfying(s -> assertThat(s).contains("gcc-arm-linux-gnueabi"));
    }

    private static Optional<TargetArch> arch(String device) {
        return CompilationTargets.devices().get(device).hostArch();
    }
}
