package dev.sagebrush.compilation.tvm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.compilation.ArtifactPublisher;
import dev.sagebrush.compilation.CompilationFailure;
import dev.sagebrush.compilation.CompilationOutcome;
import dev.sagebrush.compilation.CompilationTarget;
import dev.sagebrush.compilation.DlrLayout;
import dev.sagebrush.compilation.reference.ElementTypes;
import dev.sagebrush.compilation.reference.InputShapes;
import dev.sagebrush.compilation.reference.OutputComparison;
import dev.sagebrush.compilation.reference.Tensor;
import dev.sagebrush.compilation.reference.TensorSpec;
import dev.sagebrush.compilation.toolchain.SandboxedSteps;
import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.compilation.toolchain.ToolchainException;
import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.sandbox.UntrustedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * The TVM tier that ONNX, PYTORCH and TFLITE share, once a framework's compiler has checked the model and computed the
 * reference outputs: TVM compiles the model for the device's CPU in a child process ({@link TvmCompiler}) into DLR's
 * graph-executor layout, and before anything is published the artifact runs on the target CPU (natively on x86_64,
 * under qemu-user on ARM) through a graph executor that loads compiled.so and compiled.params as DLR does
 * ({@link GraphRunner}); on x86_64 TVM's own graph executor runs it too. Both must reproduce the reference.
 */
public final class TvmPipeline {
    /** Per child process (TVM, gcc, qemu, a reference); the job's own MaxRuntimeInSeconds cancels earlier. */
    public static final Duration STEP_TIMEOUT = Duration.ofMinutes(20);

    private final ArtifactPublisher publisher;
    private final Path cacheDir;

    /** @param cacheDir where natives are unpacked once (ONNX Runtime's, TVM's) and the Python stand-ins built */
    public TvmPipeline(ArtifactPublisher publisher, Path cacheDir) {
        this.publisher = publisher;
        this.cacheDir = cacheDir;
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * The TVM tier's common part, from a model TVM reads (an ONNX upload, PyTorch's conversion to ONNX, a TFLite
     * upload) with its inputs and reference outputs: compile in the sandboxed TVM child, lay out DLR's directory, run
     * it on the target, compare, publish.
     *
     * @param quantizedTolerance an absolute tolerance for each quantized output, by name (empty for float models)
     * @param conversion         how the model TVM reads was made from the upload (PyTorch), or null
     */
    public CompilationOutcome compileVerifyPublish(DescribeCompilationJobResponse job, CompilationTarget target,
                                                   TvmTarget tvmTarget, String framework, Path model,
                                                   List<TensorSpec> modelInputs, InputShapes.Resolved shapes,
                                                   List<List<Tensor>> inputs, List<List<Tensor>> reference,
                                                   String referenceText, Map<String, Double> quantizedTolerance,
                                                   String conversion, Path workDir, SandboxedSteps steps,
                                                   Cancellation cancellation) throws IOException, ToolchainException {
        TargetArch arch = tvmTarget.arch();
        Path build = Files.createDirectories(workDir.resolve("build"));
        List<List<Path>> inputFiles = writeInputs(inputs, build.resolve("inputs"));
        List<TvmCompiler.Input> tvmInputs = new ArrayList<>();
        for (TensorSpec in : modelInputs) {
            tvmInputs.add(new TvmCompiler.Input(in.name(), shapes.shapes().get(in.name()), in.dtype()));
        }
        Path content = workDir.resolve("artifact");
        TvmCompiler.Result compiled = tvmCompile(new TvmCompiler.Request(frontend(framework), model, tvmInputs, tvmTarget,
                build.resolve("tvm"), arch == TargetArch.X86_64 ? inputFiles : List.of()), content, steps, framework);
        cancellation.check();
        DlrLayout.writeMeta(content, target.name(), metaTensors(modelInputs, shapes),
                metaOutputs(reference.get(0)), null);

        List<String> names = modelInputs.stream().map(TensorSpec::name).toList();
        GraphRunner.Run run = GraphRunner.run(Toolchain.forArch(arch, steps), content,
                content.resolve(DlrLayout.GRAPH), names, inputFiles, build.resolve("verify"), STEP_TIMEOUT);
        cancellation.check();
        OutputComparison onTarget = OutputComparison.compare(reference, readOutputs(workDir, reference, run.outputs()),
                quantizedTolerance);
        OutputComparison tvmRuntime = compiled.tvmRuns().isEmpty() ? null
                : OutputComparison.compare(reference, readOutputs(workDir, reference, compiled.tvmRuns()),
                        quantizedTolerance);
        if (!onTarget.passed() || (tvmRuntime != null && !tvmRuntime.passed())) {
            throw new CompilationFailure("InternalServerError: The model compiled by TVM did not reproduce the "
                    + "reference outputs (" + referenceText + ") on " + arch.id() + ", so it was not published: "
                    + (onTarget.passed() ? "TVM graph executor: " + tvmRuntime.detail() : onTarget.detail()));
        }
        ObjectNode manifest = TvmManifest.of(job, target, tvmTarget, framework, shapes, modelInputs, reference.get(0),
                compiled, run, onTarget, tvmRuntime, referenceText, quantizedTolerance, conversion);
        return publisher.publish(job, target.name(), content, DlrLayout.MANIFEST, manifest, workDir, cancellation,
                shapes.inferred() ? shapes.json() : null);
    }

    private TvmCompiler.Result tvmCompile(TvmCompiler.Request r, Path content, SandboxedSteps steps, String framework)
            throws IOException, ToolchainException {
        try {
            return TvmCompiler.compile(r, content, cacheDir, STEP_TIMEOUT, steps);
        } catch (TvmCompiler.TvmException e) {
            throw TvmFailures.of(framework, r.target(), e);
        }
    }

    /** TVM's frontend for a framework: TFLite's own, or ONNX's (for ONNX and for PyTorch converted to ONNX). */
    public static String frontend(String framework) {
        return framework.equals("TFLITE") ? "TFLITE" : "ONNX";
    }

    /** The device's LLVM target, refused when this host could not run (and so verify) x86_64 code for it. */
    public static TvmTarget tvmTarget(CompilationTarget target, TargetArch arch) {
        TvmTarget tvmTarget = TvmTarget.of(target, arch);
        List<String> missingFlags = tvmTarget.missingHostFlags();
        if (!missingFlags.isEmpty()) {
            throw new CompilationFailure("InternalServerError: Code for " + target.name() + " (" + tvmTarget.cpu()
                    + ") needs CPU features this server lacks (" + String.join(", ", missingFlags) + "), so it "
                    + "cannot be verified here; compile on a host with them, or for TargetPlatform {Os: LINUX, Arch: "
                    + "X86_64}.");
        }
        return tvmTarget;
    }

    /** The target's CPU, or a FailureReason saying why a neural network cannot be compiled for it here. */
    /**
     * What an error while building or verifying a model means for its job: the cancellation when the job was being
     * cancelled (a killed step fails as a side effect), else an internal failure naming the target ({@link
     * ToolchainException}) or an I/O error. Callers write {@code throw TvmPipeline.failed(e, arch, cancellation)}.
     */
    public static RuntimeException failed(Exception e, TargetArch arch, Cancellation cancellation) {
        if (cancellation.isCancelled()) return new Cancellation.CancelledException(cancellation.reason());
        if (e instanceof IOException io) return new java.io.UncheckedIOException(io);
        return new CompilationFailure("InternalServerError: Building or verifying the model for " + arch.id()
                + " failed: " + e.getMessage(), e);
    }

    public static TargetArch checkTarget(CompilationTarget target, String framework) {
        return checkTarget(target, framework, TvmCompiler.missing());
    }

    /**
     * As above, given what this host lacks to run TVM. TVM is the only compiler of ONNX, PYTORCH and TFLITE here (there
     * is no fallback: ONNX Runtime's model.ort is not what DLR loads), so a host without it, e.g. one that is not
     * linux-x86_64, where org.bytedeco:tvm has no natives, refuses the job naming what is missing.
     */
    public static TargetArch checkTarget(CompilationTarget target, String framework, List<String> tvmMissing) {
        if (target.unsupported().isPresent()) {
            throw new CompilationFailure("ClientError: CompilationError: Target " + target.name()
                    + " is not supported by this server: " + target.unsupported().get() + ".");
        }
        TargetArch arch = target.hostArch().orElseThrow();
        if (!tvmMissing.isEmpty()) {
            throw new CompilationFailure("ClientError: CompilationError: This server compiles " + framework
                    + " models with TVM, which it cannot run: " + String.join("; ", tvmMissing) + ". Run `bin/sagebrush "
                    + "doctor` to see what this host can do; XGBOOST models still compile here.");
        }
        Toolchain.Availability available = Toolchain.available(arch);
        if (!available.canCompile() || !available.canRun()) {
            throw new CompilationFailure("InternalServerError: This server cannot build and verify code for "
                    + arch.id() + " (needed by " + target.name() + "): " + String.join("; ", available.problems())
                    + ". Install the Debian packages named there, or run `bin/sagebrush doctor` to see what this "
                    + "host can do.");
        }
        return arch;
    }

    public static List<List<Path>> writeInputs(List<List<Tensor>> sets, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<List<Path>> out = new ArrayList<>();
        for (int s = 0; s < sets.size(); s++) {
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < sets.get(s).size(); i++) {
                Path p = dir.resolve("set-" + s + "-in-" + i + ".bin");
                Files.write(p, sets.get(s).get(i).data());
                files.add(p);
            }
            out.add(files);
        }
        return out;
    }

    /** Output files of each set read back as tensors named and shaped like the reference's outputs. */
    public static List<List<Tensor>> readOutputs(Path root, List<List<Tensor>> reference, List<List<Path>> files)
            throws IOException {
        List<List<Tensor>> out = new ArrayList<>();
        for (int s = 0; s < files.size(); s++) {
            List<Tensor> set = new ArrayList<>();
            for (int k = 0; k < files.get(s).size(); k++) {
                Tensor want = k < reference.get(s).size() ? reference.get(s).get(k) : null;
                long max = want == null ? 1L << 30 : want.data().length;
                byte[] data = UntrustedFiles.read(root, files.get(s).get(k), max);
                if (want == null || data.length != want.data().length) {
                    set.add(new Tensor("output_" + k, want == null ? ElementTypes.FLOAT : want.elementType(),
                            new long[] {data.length}, data));
                } else {
                    set.add(new Tensor(want.name(), want.elementType(), want.shape(), data));
                }
            }
            out.add(set);
        }
        return out;
    }

    public static DlrLayout.Tensor[] metaTensors(List<TensorSpec> inputs, InputShapes.Resolved shapes) {
        return inputs.stream().map(i -> new DlrLayout.Tensor(i.name(), i.dtype(), shapes.shapes().get(i.name())))
                .toArray(DlrLayout.Tensor[]::new);
    }

    public static DlrLayout.Tensor[] metaOutputs(List<Tensor> outputs) {
        return outputs.stream().map(o -> new DlrLayout.Tensor(o.name(), ElementTypes.dtype(o.elementType()), o.shape()))
                .toArray(DlrLayout.Tensor[]::new);
    }
}
