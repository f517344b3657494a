package dev.sagebrush.compilation.tvm;

import dev.sagebrush.compilation.CompilationTarget;
import dev.sagebrush.compilation.toolchain.TargetArch;
import java.util.List;
import java.util.Map;

/**
 * The LLVM target TVM generates a device's operators for. TVM's schedules here are untuned, so {@code -mcpu}
 * decides the vector width and most of the speed (generic x86-64 ran a convnet 6x slower than skylake-avx512 in the
 * research), and every device gets its own CPU's name; code for big.LITTLE SoCs is tuned for the big core but uses
 * only the ISA both cores share. A TargetPlatform names no CPU, so it gets the architecture's baseline.
 *
 * @param llvm          the TVM target string, e.g. {@code llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 -mattr=+neon}
 * @param cpu           the -mcpu value, or "generic"
 * @param hostCpuFlags  /proc/cpuinfo flags the verifying host needs to run this code natively (x86_64 only)
 */
public record TvmTarget(TargetArch arch, String llvm, String cpu, List<String> hostCpuFlags) {
    private static final String X86 = "llvm -mtriple=x86_64-linux-gnu";
    private static final String A64 = "llvm -mtriple=aarch64-linux-gnu";
    private static final String A32 = "llvm -mtriple=armv7a-linux-gnueabihf -mfloat-abi=hard";

    /** Per device: the CPU of its published SoC (the big core where there are two kinds). */
    private static final Map<String, String> DEVICE_CPU = Map.ofEntries(
            Map.entry("ml_c5", "skylake-avx512"), Map.entry("ml_m5", "skylake-avx512"),
            Map.entry("ml_c4", "core-avx2"), Map.entry("ml_m4", "core-avx2"),
            Map.entry("ml_p3", "core-avx2"), Map.entry("ml_p2", "core-avx2"), Map.entry("ml_g4dn", "skylake-avx512"),
            Map.entry("ml_inf1", "skylake-avx512"), Map.entry("ml_inf2", "skylake-avx512"),
            Map.entry("ml_trn1", "skylake-avx512"), Map.entry("ml_eia2", "skylake-avx512"),
            // AWS Lambda's x86_64 fleet guarantees AVX2 (not AVX-512); generic x86-64 code runs convnets ~6x slower
            Map.entry("lambda", "core-avx2"),
            Map.entry("ml_m6g", "neoverse-n1"), Map.entry("ml_c6g", "neoverse-n1"),
            Map.entry("rasp4b", "cortex-a72"), Map.entry("rk3399", "cortex-a72"), Map.entry("imx8qm", "cortex-a72"),
            Map.entry("jacinto_tda4vm", "cortex-a72"), Map.entry("aisage", "cortex-a53"),
            Map.entry("imx8mplus", "cortex-a53"), Map.entry("amba_cv2", "cortex-a53"),
            Map.entry("amba_cv22", "cortex-a53"), Map.entry("amba_cv25", "cortex-a53"),
            Map.entry("qcs605", "cortex-a55"), Map.entry("qcs603", "cortex-a55"),
            Map.entry("jetson_tx1", "cortex-a57"), Map.entry("jetson_tx2", "cortex-a57"),
            Map.entry("jetson_nano", "cortex-a57"), Map.entry("jetson_xavier", "carmel"),
            // 32-bit ARM: Raspberry Pi 3 (Cortex-A53 running a 32-bit OS), RK3288 (Cortex-A17), AM57x (Cortex-A15)
            Map.entry("rasp3b", "cortex-a53"), Map.entry("rk3288", "cortex-a17"),
            Map.entry("sitara_am57x", "cortex-a15"));

    private static final Map<String, List<String>> X86_FLAGS = Map.of(
            "skylake-avx512", List.of("avx512f", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma"),
            "core-avx2", List.of("avx2", "fma", "bmi2"),
            "generic", List.of());

    public static TvmTarget of(CompilationTarget target, TargetArch arch) {
        String cpu = DEVICE_CPU.getOrDefault(target.name(), "generic");
        return switch (arch) {
            case X86_64 -> new TvmTarget(arch, X86 + (cpu.equals("generic") ? "" : " -mcpu=" + cpu), cpu,
                    X86_FLAGS.getOrDefault(cpu, List.of()));
            case AARCH64 -> new TvmTarget(arch, A64 + (cpu.equals("generic") ? "" : " -mcpu=" + cpu)
                    + " -mattr=+neon", cpu, List.of());
            case ARMV7HF -> new TvmTarget(arch, A32 + (cpu.equals("generic") ? "" : " -mcpu=" + cpu)
                    + " -mattr=+neon,+vfp4", cpu, List.of());
        };
    }

    /** The flags of {@link #hostCpuFlags} this machine lacks (empty when it can run the code natively). */
    public List<String> missingHostFlags() {
        if (hostCpuFlags.isEmpty()) return List.of();
        java.util.Set<String> have = HostCpu.flags();
        return hostCpuFlags.stream().filter(f -> !have.contains(f)).toList();
    }
}
