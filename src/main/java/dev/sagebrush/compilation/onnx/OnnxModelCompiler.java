package dev.sagebrush.compilation.onnx;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.compilation.ArtifactPublisher;
import dev.sagebrush.compilation.CompilationFailure;
import dev.sagebrush.compilation.CompilationOutcome;
import dev.sagebrush.compilation.CompilationTarget;
import dev.sagebrush.compilation.CompilationTargets;
import dev.sagebrush.compilation.CompilerSandbox;
import dev.sagebrush.compilation.FrameworkInputs;
import dev.sagebrush.compilation.ModelCompiler;
import dev.sagebrush.compilation.toolchain.SandboxedSteps;
import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.compilation.toolchain.ToolchainException;
import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.sandbox.Limits;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import dev.sagebrush.jobs.sandbox.UntrustedFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * ONNX compilation with ONNX Runtime 1.23.2 (research COMPILATION.md §2, §6.3 tier 1): the DataInputConfig is
 * checked against the model's inputs (or inferred), the configured shapes are baked into the graph, the graph is
 * optimized at the EXTENDED level and written in ORT format ({@code model.ort}). EXTENDED is the highest level whose
 * output is portable: ALL inserts NCHWc kernels of the compiling CPU that the aarch64 runtime does not have.
 *
 * <p>No ONNX model is parsed or run in the server JVM: ONNX Runtime runs in a sandboxed child JVM ({@link OrtChild},
 * {@link OrtChildMain}) under the job's memory budget, after external data references are checked to stay inside the
 * archive. Before publishing, the artifact runs on the target's own runtime build, on random inputs, against ONNX
 * Runtime on the original model: in the child for x86_64, through the C runner under qemu-user (sandboxed) for
 * aarch64. 32-bit ARM and
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
    private final Sandboxes sandboxes;
    private final long memoryBudget;

    /**
     * @param cacheDir     where the jar's native libraries are extracted once (e.g. the data directory's cache)
     * @param sandboxes    where ONNX Runtime, gcc and qemu run: the job's own uid, its work directory only
     * @param memoryBudget memory for each sandboxed step (the ONNX Runtime child above all)
     */
    public OnnxModelCompiler(ArtifactPublisher publisher, Path cacheDir, Sandboxes sandboxes, long memoryBudget) {
        this.publisher = publisher;
        this.runner = new OrtNativeRunner(cacheDir);
        this.sandboxes = sandboxes;
        this.memoryBudget = memoryBudget;
    }

    @Override
    public CompilationOutcome compile(DescribeCompilationJobResponse job, FrameworkInputs.ModelFiles model, Path workDir,
                                      Cancellation cancellation) {
        CompilationTarget target = CompilationTargets.of(job.outputConfig());
        TargetArch arch = checkTarget(target);
        Path out = null;
        try (SandboxedSteps steps = CompilerSandbox.open(sandboxes, workDir)) {
            steps.withLimits(Limits.COMPILER.withMemory(memoryBudget));
            Path build = Files.createDirectories(workDir.resolve("build"));
            Path ort = build.resolve(ARTIFACT);
            OrtChild child = new OrtChild(runner.javaNativeDir(OrtNativeRunner.ortPlatform(TargetArch.X86_64)));
            OrtChild.Result r = child.run(steps, workDir, new OrtChildProtocol.Request(
                    model.main().toAbsolutePath().toString(), workDir.resolve("model").toAbsolutePath().toString(),
                    job.inputConfig().dataInputConfig(), ort.toAbsolutePath().toString(),
                    build.resolve("tensors").toAbsolutePath().toString(), arch == TargetArch.X86_64), STEP_TIMEOUT);
            cancellation.check();
            OrtChildProtocol.Response res = r.response();
            // From here on the server writes only into directories no sandbox could have planted links in.
            out = CompilerSandbox.serverDir(workDir, "publish");
            OnnxManifest.Verification verification = verify(arch, ort, r, out, steps);
            cancellation.check();
            if (!verification.result().passed()) {
                throw new CompilationFailure("InternalServerError: The compiled ONNX model did not reproduce ONNX "
                        + "Runtime's outputs on the original model on " + arch.id() + ", so it was not published: "
                        + verification.result().detail());
            }

            Path content = Files.createDirectories(out.resolve("artifact"));
            UntrustedFiles.copy(workDir, ort, content.resolve(ARTIFACT));
            ObjectNode manifest = OnnxManifest.of(job, target, arch, res.original(), res.compiled(), res.shapes(),
                    r.reference().get(0), Duration.ofNanos(res.optimizeNanos()), verification);
            return publisher.publish(job, target.name(), content, manifest, out, cancellation,
                    res.shapes().inferred() ? res.shapes().json() : null);
        } catch (ToolchainException e) {
            if (cancellation.isCancelled()) throw new Cancellation.CancelledException(cancellation.reason());
            throw new CompilationFailure("InternalServerError: Verifying the ONNX model on " + arch.id()
                    + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            if (cancellation.isCancelled()) throw new Cancellation.CancelledException(cancellation.reason());
            throw new UncheckedIOException(e);
        } finally {
            CompilerSandbox.delete(out);
        }
    }

    private OnnxManifest.Verification verify(TargetArch arch, Path ort, OrtChild.Result r, Path serverDir,
                                             SandboxedSteps steps) throws ToolchainException, IOException {
        if (arch == TargetArch.X86_64) {
            return new OnnxManifest.Verification(OnnxVerification.compare(r.reference(), r.compiledOutputs()),
                    "native: ONNX Runtime " + OrtModels.version() + " Java API (linux-x64) in a sandboxed child JVM",
                    null, String.join(" ", r.command()), Duration.ofNanos(r.response().compiledRunNanos()));
        }
        steps.withReadOnly(runner.nativeLibrary(OrtNativeRunner.ortPlatform(arch)).getParent());
        Path verifyDir = Files.createDirectories(serverDir.resolve("verify"));
        steps.withWritable(verifyDir);
        OrtNativeRunner.Run run = runner.run(arch, ort, r.inputs(), r.reference(), verifyDir, STEP_TIMEOUT, steps);
        return new OnnxManifest.Verification(OnnxVerification.compare(r.reference(), run.outputs()),
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
}
