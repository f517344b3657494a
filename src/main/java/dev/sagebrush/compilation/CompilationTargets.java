package dev.sagebrush.compilation;

import static dev.sagebrush.compilation.CompilationTarget.Accelerator.*;

import dev.sagebrush.compilation.CompilationTarget.Accelerator;
import dev.sagebrush.compilation.toolchain.TargetArch;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;
import software.amazon.awssdk.services.sagemaker.model.TargetPlatform;

/**
 * The one table from every SageMaker Neo TargetDevice (all 37 of the current model) and every TargetPlatform
 * combination to what this server builds: host CPU architecture and the accelerator a neural network would need.
 * Architectures follow the devices' published SoCs. Code is built with the generic -march of {@link TargetArch}, so it
 * runs on every device of that architecture (bit-exact verification holds for all of them).
 */
public final class CompilationTargets {
    private static final Map<String, CompilationTarget> DEVICES = new LinkedHashMap<>();

    static {
        // AWS instances and services
        cpu("lambda", TargetArch.X86_64);
        cpu("ml_m4", TargetArch.X86_64);
        cpu("ml_c4", TargetArch.X86_64);
        cpu("ml_m5", TargetArch.X86_64);
        cpu("ml_c5", TargetArch.X86_64);
        cpu("ml_m6g", TargetArch.AARCH64);
        cpu("ml_c6g", TargetArch.AARCH64);
        accel("ml_p2", TargetArch.X86_64, NVIDIA_GPU);
        accel("ml_p3", TargetArch.X86_64, NVIDIA_GPU);
        accel("ml_g4dn", TargetArch.X86_64, NVIDIA_GPU);
        accel("ml_inf1", TargetArch.X86_64, INFERENTIA);
        accel("ml_inf2", TargetArch.X86_64, INFERENTIA);
        accel("ml_trn1", TargetArch.X86_64, TRAINIUM);
        accel("ml_eia2", TargetArch.X86_64, ELASTIC_INFERENCE);
        cpu("sbe_c", TargetArch.X86_64);
        // NVIDIA Jetson: Arm cores beside the GPU
        accel("jetson_tx1", TargetArch.AARCH64, NVIDIA_GPU);
        accel("jetson_tx2", TargetArch.AARCH64, NVIDIA_GPU);
        accel("jetson_nano", TargetArch.AARCH64, NVIDIA_GPU);
        accel("jetson_xavier", TargetArch.AARCH64, NVIDIA_GPU);
        // Arm boards
        cpu("rasp3b", TargetArch.ARMV7HF);   // Raspberry Pi OS 32-bit, as Neo targets it
        cpu("rasp4b", TargetArch.AARCH64);
        cpu("rk3399", TargetArch.AARCH64);
        cpu("rk3288", TargetArch.ARMV7HF);
        cpu("imx8qm", TargetArch.AARCH64);
        cpu("aisage", TargetArch.AARCH64);
        cpu("sitara_am57x", TargetArch.ARMV7HF);
        accel("imx8mplus", TargetArch.AARCH64, NXP_NPU);
        accel("jacinto_tda4vm", TargetArch.AARCH64, TI_DSP);
        accel("qcs605", TargetArch.AARCH64, HEXAGON_DSP);
        accel("qcs603", TargetArch.AARCH64, HEXAGON_DSP);
        accel("amba_cv2", TargetArch.AARCH64, CVFLOW);
        accel("amba_cv22", TargetArch.AARCH64, CVFLOW);
        accel("amba_cv25", TargetArch.AARCH64, CVFLOW);
        accel("deeplens", TargetArch.X86_64, INTEL_GPU);
        // Not Linux on a CPU this server can build and run code for
        unsupported("x86_win32", "Windows targets need a Windows toolchain (MSVC or MinGW) and a Windows host to verify "
                + "the artifact on; this server builds and verifies Linux ELF code only");
        unsupported("x86_win64", "Windows targets need a Windows toolchain (MSVC or MinGW) and a Windows host to verify "
                + "the artifact on; this server builds and verifies Linux ELF code only");
        unsupported("coreml", "coreml is an Apple Core ML model format, not a CPU target; this server has no Core ML "
                + "converter");
    }

    private CompilationTargets() {}

    private static void cpu(String device, TargetArch arch) {
        DEVICES.put(device, new CompilationTarget(device, Optional.of(arch), NONE, Optional.empty()));
    }

    private static void accel(String device, TargetArch arch, Accelerator accelerator) {
        DEVICES.put(device, new CompilationTarget(device, Optional.of(arch), accelerator, Optional.empty()));
    }

    private static void unsupported(String device, String why) {
        DEVICES.put(device, new CompilationTarget(device, Optional.empty(), NONE, Optional.of(why)));
    }

    /** Every TargetDevice this table knows, in model order. */
    public static Map<String, CompilationTarget> devices() {
        return java.util.Collections.unmodifiableMap(DEVICES);
    }

    public static CompilationTarget of(OutputConfig output) {
        if (output.targetPlatform() != null) {
            return of(output.targetPlatform());
        }
        CompilationTarget t = DEVICES.get(output.targetDeviceAsString());
        if (t == null) {
            // The constraint table admits only model enum values, and this table has them all; a newer model's
            // value would land here.
            return new CompilationTarget(output.targetDeviceAsString(), Optional.empty(), NONE,
                    Optional.of("this server does not know the target device " + output.targetDeviceAsString()));
        }
        return t;
    }

    static CompilationTarget of(TargetPlatform p) {
        String os = p.osAsString(), arch = p.archAsString(), acc = p.acceleratorAsString();
        String name = os + "_" + arch + (acc == null ? "" : "_" + acc);
        Accelerator accelerator = acc == null ? NONE : switch (acc) {
            case "NVIDIA" -> NVIDIA_GPU;
            case "MALI" -> MALI_GPU;
            case "INTEL_GRAPHICS" -> INTEL_GPU;
            default -> NNA;
        };
        if ("ANDROID".equals(os)) {
            return new CompilationTarget(name, Optional.empty(), accelerator, Optional.of("Android targets need the "
                    + "Android NDK, which is not installed on this server; it builds Linux (glibc) code only"));
        }
        return switch (arch) {
            case "X86_64" -> new CompilationTarget(name, Optional.of(TargetArch.X86_64), accelerator, Optional.empty());
            case "ARM64" -> new CompilationTarget(name, Optional.of(TargetArch.AARCH64), accelerator, Optional.empty());
            case "ARM_EABIHF" -> new CompilationTarget(name, Optional.of(TargetArch.ARMV7HF), accelerator, Optional.empty());
            case "X86" -> new CompilationTarget(name, Optional.empty(), accelerator, Optional.of("32-bit x86 Linux "
                    + "needs a 32-bit toolchain and libc (Debian: gcc-multilib), not installed on this server"));
            case "ARM_EABI" -> new CompilationTarget(name, Optional.empty(), accelerator, Optional.of("soft-float "
                    + "ARM EABI needs the arm-linux-gnueabi toolchain and sysroot (Debian: gcc-arm-linux-gnueabi "
                    + "libc6-dev-armel-cross), not installed on this server"));
            default -> new CompilationTarget(name, Optional.empty(), accelerator,
                    Optional.of("this server does not know the architecture " + arch));
        };
    }
}
