package dev.sagebrush.compilation.onnx;

import dev.sagebrush.compilation.ArtifactPublisher;
import dev.sagebrush.compilation.CompilationOutcome;
import dev.sagebrush.compilation.FrameworkInputs;
import dev.sagebrush.compilation.ModelCompiler;
import dev.sagebrush.compilation.tvm.TvmCompiler;
import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import java.nio.file.Path;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * ONNX's route: TVM ({@link OnnxTvmCompiler}, a DLR artifact for every CPU target, 32-bit ARM included) wherever this
 * host can run it; otherwise ONNX Runtime ({@link OnnxModelCompiler}, {@code model.ort} for x86_64 and aarch64) — the
 * TVM build exists for linux-x86_64 hosts only, so an aarch64 server keeps the ORT tier. The manifest's
 * {@code backend} says which one built an artifact.
 */
public final class OnnxCompilers implements ModelCompiler {
    private final OnnxTvmCompiler tvm;
    private final OnnxModelCompiler ort;

    public OnnxCompilers(ArtifactPublisher publisher, Path cacheDir, Sandboxes sandboxes, long memoryBudget) {
        this.tvm = new OnnxTvmCompiler(publisher, cacheDir, sandboxes, memoryBudget);
        this.ort = new OnnxModelCompiler(publisher, cacheDir, sandboxes, memoryBudget);
    }

    /** PYTORCH's compiler: TorchScript converted to ONNX with python3-torch, then this TVM tier. */
    public ModelCompiler pytorch(Sandboxes sandboxes, long memoryBudget) {
        return new PyTorchTvmCompiler(tvm, sandboxes, memoryBudget);
    }

    /** TFLITE's compiler: checked in Java, referenced by Arm NN, compiled by TVM's TFLite frontend in this tier. */
    public ModelCompiler tflite(Sandboxes sandboxes, long memoryBudget) {
        return new TfliteTvmCompiler(tvm, sandboxes, memoryBudget);
    }

    @Override
    public CompilationOutcome compile(DescribeCompilationJobResponse job, FrameworkInputs.ModelFiles model, Path workDir,
                                      Cancellation cancellation) {
        return TvmCompiler.missing().isEmpty() ? tvm.compile(job, model, workDir, cancellation)
                : ort.compile(job, model, workDir, cancellation);
    }
}
