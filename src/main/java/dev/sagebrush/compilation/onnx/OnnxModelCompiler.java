package dev.sagebrush.compilation.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.compilation.ArtifactPublisher;
import dev.sagebrush.compilation.CompilationFailure;
import dev.sagebrush.compilation.CompilationOutcome;
import dev.sagebrush.compilation.CompilationTarget;
import dev.sagebrush.compilation.CompilationTargets;
import dev.sagebrush.compilation.FrameworkInputs;
import dev.sagebrush.compilation.ModelCompiler;
import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.compilation.toolchain.ToolchainException;
import dev.sagebrush.jobs.Cancellation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * ONNX compilation with ONNX Runtime 1.23.2 (research COMPILATION.md §2, §6.3 tier 1): the DataInputConfig is
 * checked against the model's inputs (or inferred), the configured shapes are baked into the graph, the graph is
 * optimized at the EXTENDED level and written in ORT format ({@code model.ort}). EXTENDED is the highest level whose
 * output is portable: ALL inserts NCHWc kernels of the compiling CPU that the aarch64 runtime does not have.
 *
 * <p>Before publishing, the artifact runs on the target's own runtime build, on random inputs, against ONNX Runtime
 * on the original model: in process for x86_64, through the C runner under qemu-user for aarch64. 32-bit ARM and
 * accelerators fail honestly: the onnxruntime jar has no armv7 library, and this server has no accelerator code
 * generator.
 */
public final class OnnxModelCompiler implements ModelCompiler {
    static final String ARTIFACT = "model.ort";
    static final OptLevel LEVEL = OptLevel.EXTENDED_OPT;
    /** Per child process (gcc, qemu); the job's own MaxRuntimeInSeconds cancels earlier. */
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(30);

    private final ArtifactPublisher publisher;
    private final OrtNativeRunner runner;

    /** @param cacheDir where the jar's target libraries are extracted once (e.g. the data directory's cache) */
    public OnnxModelCompiler(ArtifactPublisher publisher, Path cacheDir) {
        this.publisher = publisher;
        this.runner = new OrtNativeRunner(cacheDir);
    }

    @Override
    public CompilationOutcome compile(DescribeCompilationJobResponse job, FrameworkInputs.ModelFiles model, Path workDir,
                                      Cancellation cancellation) {
        CompilationTarget target = CompilationTargets.of(job.outputConfig());
        TargetArch arch = checkTarget(target);
        try {
            OrtModels.Description original = describe(model.main());
            InputShapes.Resolved shapes = InputShapes.resolve(original.inputs(), job.inputConfig().dataInputConfig());
            cancellation.check();

            Path build = Files.createDirectories(workDir.resolve("build"));
            Path ort = build.resolve(ARTIFACT);
            long t0 = System.nanoTime();
            try {
                OrtModels.optimize(model.main(), ort, shapes.dimValues(), LEVEL);
            } catch (OrtException e) {
                throw new CompilationFailure("ClientError: CompilationError: ONNX Runtime could not optimize the model "
                        + "for " + shapes.json() + ": " + e.getMessage(), e);
            }
            Duration optimizeTime = Duration.ofNanos(System.nanoTime() - t0);
            OrtModels.Description compiled = OrtModels.describe(ort);
            cancellation.check();

            List<List<Tensor>> inputs = RandomInputs.generate(original.inputs(), shapes.shapes());
            List<List<Tensor>> reference;
            try {
                reference = OrtModels.run(model.main(), OptLevel.NO_OPT, inputs);
            } catch (OrtException e) {
                throw new CompilationFailure("ClientError: CompilationError: The ONNX model does not run with inputs "
                        + shapes.json() + " in ONNX Runtime " + OrtModels.version() + ": " + e.getMessage(), e);
            }
            cancellation.check();
            OnnxManifest.Verification verification = verify(arch, ort, inputs, reference, build);
            cancellation.check();
            if (!verification.result().passed()) {
                throw new CompilationFailure("InternalServerError: The compiled ONNX model did not reproduce ONNX "
                        + "Runtime's outputs on the original model on " + arch.id() + ", so it was not published: "
                        + verification.result().detail());
            }

            Path content = Files.createDirectories(workDir.resolve("artifact"));
            Files.copy(ort, content.resolve(ARTIFACT), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            ObjectNode manifest = OnnxManifest.of(job, target, arch, original, compiled, shapes, reference.get(0),
                    optimizeTime, verification);
            return publisher.publish(job, target.name(), content, manifest, workDir, cancellation,
                    shapes.inferred() ? shapes.json() : null);
        } catch (ToolchainException e) {
            if (cancellation.isCancelled()) throw new Cancellation.CancelledException(cancellation.reason());
            throw new CompilationFailure("InternalServerError: Verifying the ONNX model on " + arch.id()
                    + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            if (cancellation.isCancelled()) throw new Cancellation.CancelledException(cancellation.reason());
            throw new UncheckedIOException(e);
        } catch (OrtException e) {
            throw new CompilationFailure("InternalServerError: ONNX Runtime failed on the compiled model: "
                    + e.getMessage(), e);
        }
    }

    private OnnxManifest.Verification verify(TargetArch arch, Path ort, List<List<Tensor>> inputs,
                                             List<List<Tensor>> reference, Path build)
            throws OrtException, ToolchainException, IOException {
        if (arch == TargetArch.X86_64) {
            long t0 = System.nanoTime();
            List<List<Tensor>> got = OrtModels.run(ort, OptLevel.ALL_OPT, inputs);
            return new OnnxManifest.Verification(OnnxVerification.compare(reference, got),
                    "native: ONNX Runtime " + OrtModels.version() + " Java API (linux-x64) in the server JVM",
                    null, null, Duration.ofNanos(System.nanoTime() - t0));
        }
        OrtNativeRunner.Run run = runner.run(arch, ort, inputs, reference, build.resolve("verify"), STEP_TIMEOUT);
        return new OnnxManifest.Verification(OnnxVerification.compare(reference, run.outputs()),
                arch.qemu() + " -L " + arch.sysroot() + " ort_run with the onnxruntime jar's "
                        + OrtNativeRunner.ortPlatform(arch) + "/libonnxruntime.so (" + run.output() + ")",
                String.join(" ", run.compileCommand()), String.join(" ", run.runCommand()), run.elapsed());
    }

    /** The target's CPU, or a FailureReason saying why an ONNX model cannot be compiled for it here. */
    static TargetArch checkTarget(CompilationTarget target) {
        if (target.unsupported().isPresent()) {
            throw new CompilationFailure("ClientError: CompilationError: Target " + target.name()
                    + " is not supported by this server: " + target.unsupported().get() + ".");
        }
        TargetArch arch = target.hostArch().orElseThrow();
        if (!target.isCpuOnly()) {
            String generator = codeGenerator(target.accelerator());
            throw new CompilationFailure("ClientError: CompilationError: Target " + target.name() + " runs neural "
                    + "networks on its " + target.accelerator().label() + ", and there is no " + generator
                    + " code generator on this server, so an ONNX model cannot be compiled for it. To run the model "
                    + "on the device's " + arch.id() + " CPU instead, compile for TargetPlatform {Os: LINUX, Arch: "
                    + (arch == TargetArch.X86_64 ? "X86_64" : "ARM64") + "}.");
        }
        if (arch == TargetArch.ARMV7HF) {
            throw new CompilationFailure("ClientError: CompilationError: Target " + target.name() + " is 32-bit ARM "
                    + "(armv7hf). ONNX models are compiled here with ONNX Runtime, which ships no 32-bit ARM build, "
                    + "and this server has no TVM backend yet that could generate armv7 code; compile for an x86_64 or "
                    + "aarch64 target instead.");
        }
        Toolchain.Availability available = Toolchain.available(arch);
        if (arch != TargetArch.X86_64 && (!available.canCompile() || !available.canRun())) {
            throw new CompilationFailure("InternalServerError: This server cannot verify ONNX models for " + arch.id()
                    + " (needed by " + target.name() + "): " + String.join("; ", available.problems())
                    + ". Install the Debian packages named there, or run `bin/sagebrush doctor` to see what this "
                    + "host can do.");
        }
        return arch;
    }

    /** One line for {@code bin/sagebrush doctor}: can an ONNX model be compiled for this target here, and if not why. */
    public static String support(CompilationTarget target) {
        if (target.unsupported().isPresent()) return "no";
        if (!target.isCpuOnly()) return "no (no " + codeGenerator(target.accelerator()) + " code generator)";
        TargetArch arch = target.hostArch().orElseThrow();
        if (arch == TargetArch.ARMV7HF) return "no (no 32-bit ARM ONNX Runtime, no TVM backend)";
        Toolchain.Availability a = Toolchain.available(arch);
        return arch == TargetArch.X86_64 || (a.canCompile() && a.canRun()) ? "yes" : "no (cannot verify: MISSING toolchain)";
    }

    static String codeGenerator(CompilationTarget.Accelerator a) {
        return switch (a) {
            case NVIDIA_GPU -> "CUDA/TensorRT";
            case INFERENTIA, TRAINIUM -> "AWS Neuron";
            case ELASTIC_INFERENCE -> "Elastic Inference";
            case MALI_GPU, INTEL_GPU -> "OpenCL";
            case HEXAGON_DSP -> "Qualcomm Hexagon (SNPE/QNN)";
            case CVFLOW -> "Ambarella CVflow";
            case TI_DSP -> "TI TIDL";
            case NXP_NPU -> "NXP eIQ NPU";
            case NNA -> "NNA";
            case NONE -> "CPU";
        };
    }

    private static OrtModels.Description describe(Path file) {
        OrtModels.Description d;
        try {
            d = OrtModels.describe(file);
        } catch (OrtException e) {
            throw new CompilationFailure("ClientError: InputConfiguration: Unable to load the ONNX model "
                    + file.getFileName() + " with ONNX Runtime " + OrtModels.version() + ": " + e.getMessage(), e);
        }
        if (!d.unsupported().isEmpty()) {
            throw new CompilationFailure("ClientError: InputConfiguration: This server compiles ONNX models whose "
                    + "inputs and outputs are numeric tensors (float32/64, int8/16/32/64, uint8, bool), so that it can "
                    + "verify them: " + String.join("; ", d.unsupported()) + ".");
        }
        return d;
    }
}
