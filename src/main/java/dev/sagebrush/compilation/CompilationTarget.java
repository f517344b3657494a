package dev.sagebrush.compilation;

import dev.sagebrush.compilation.toolchain.TargetArch;
import java.util.Optional;

/**
 * What a TargetDevice or TargetPlatform means for code generation: the CPU that runs the code (if this server can
 * build for it) and the accelerator the device would rather run a neural network on.
 *
 * @param name         the TargetDevice value, or the TargetPlatform as {@code LINUX_ARM64[_NVIDIA]}: it names the artifact
 * @param hostArch     the CPU this server builds for, or empty when it cannot build for the device at all
 * @param accelerator  NONE for CPU devices; otherwise the device's accelerator, which only an accelerator code
 *                     generator could use (tree models still run on the host CPU)
 * @param unsupported  why this server cannot build for the device at all (Windows, Android, CoreML...), if so
 */
public record CompilationTarget(String name, Optional<TargetArch> hostArch, Accelerator accelerator,
                                Optional<String> unsupported) {

    public enum Accelerator {
        NONE("none"), NVIDIA_GPU("NVIDIA GPU (CUDA/TensorRT)"), INFERENTIA("AWS Inferentia (Neuron)"),
        TRAINIUM("AWS Trainium (Neuron)"), ELASTIC_INFERENCE("Amazon Elastic Inference"),
        MALI_GPU("Arm Mali GPU (OpenCL)"), INTEL_GPU("Intel graphics (OpenCL)"), HEXAGON_DSP("Qualcomm Hexagon DSP"),
        CVFLOW("Ambarella CVflow"), TI_DSP("TI C7x/C66x DSP"), NXP_NPU("NXP NPU"), NNA("neural network accelerator (NNA)");

        private final String label;

        Accelerator(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public boolean isCpuOnly() {
        return accelerator == Accelerator.NONE;
    }
}
