package dev.sagebrush.compilation.onnx;

import dev.sagebrush.compilation.CompilationOutcome;
import dev.sagebrush.compilation.CompilationTarget;
import dev.sagebrush.compilation.CompilationTargets;
import dev.sagebrush.compilation.CompilerSandbox;
import dev.sagebrush.compilation.FrameworkInputs;
import dev.sagebrush.compilation.ModelCompiler;
import dev.sagebrush.compilation.reference.OrtChild;
import dev.sagebrush.compilation.reference.OrtChildProtocol;
import dev.sagebrush.compilation.reference.OrtLibraries;
import dev.sagebrush.compilation.reference.OrtModels;
import dev.sagebrush.compilation.toolchain.SandboxedSteps;
import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.toolchain.ToolchainException;
import dev.sagebrush.compilation.tvm.TvmPipeline;
import dev.sagebrush.compilation.tvm.TvmTarget;
import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.sandbox.Limits;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * ONNX compilation with TVM: ONNX Runtime, in its own sandboxed child, reads the model (external data checked to stay
 * inside the archive), checks the DataInputConfig against it (or infers it) and runs the original on random inputs;
 * those outputs are the reference that the TVM tier ({@link TvmPipeline}) must reproduce on the target CPU before the
 * DLR artifact is published.
 */
public final class OnnxTvmCompiler implements ModelCompiler {
    private final TvmPipeline tvm;
    private final OrtLibraries ortLibraries;
    private final Sandboxes sandboxes;
    private final long memoryBudget;

    /**
     * @param sandboxes    where ONNX Runtime, TVM, gcc and qemu run: the job's own uid, its work directory only
     * @param memoryBudget memory for each sandboxed step (the TVM compiler above all)
     */
    public OnnxTvmCompiler(TvmPipeline tvm, Sandboxes sandboxes, long memoryBudget) {
        this.tvm = tvm;
        this.ortLibraries = new OrtLibraries(tvm.cacheDir());
        this.sandboxes = sandboxes;
        this.memoryBudget = memoryBudget;
    }

    @Override
    public CompilationOutcome compile(DescribeCompilationJobResponse job, FrameworkInputs.ModelFiles model, Path workDir,
                                      Cancellation cancellation) {
        CompilationTarget target = CompilationTargets.of(job.outputConfig());
        TargetArch arch = TvmPipeline.checkTarget(target, "ONNX");
        TvmTarget tvmTarget = TvmPipeline.tvmTarget(target, arch);
        try (SandboxedSteps steps = CompilerSandbox.open(sandboxes, workDir)) {
            steps.withLimits(Limits.COMPILER.withMemory(memoryBudget));
            Path build = Files.createDirectories(workDir.resolve("build"));
            OrtChild ort = new OrtChild(ortLibraries.javaNativeDir());
            OrtChild.Result r = ort.run(steps, workDir, new OrtChildProtocol.Request(
                    model.main().toAbsolutePath().toString(), workDir.resolve("model").toAbsolutePath().toString(),
                    job.inputConfig().dataInputConfig(), build.resolve("tensors").toAbsolutePath().toString()),
                    TvmPipeline.STEP_TIMEOUT);
            cancellation.check();
            return tvm.compileVerifyPublish(job, target, tvmTarget, "ONNX", model.main(),
                    r.response().original().inputs(), r.response().shapes(), r.inputs(), r.reference(),
                    "ONNX Runtime " + OrtModels.version() + " on the original .onnx (linux-x64, no graph "
                            + "optimization, in a sandboxed child), same inputs", java.util.Map.of(), null, workDir, steps,
                    cancellation);
        } catch (ToolchainException | IOException e) {
            throw TvmPipeline.failed(e, arch, cancellation);
        }
    }
}
