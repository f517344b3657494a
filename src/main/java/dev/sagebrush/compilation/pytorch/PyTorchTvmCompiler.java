package dev.sagebrush.compilation.pytorch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.compilation.CompilationFailure;
import dev.sagebrush.compilation.CompilationOutcome;
import dev.sagebrush.compilation.CompilationTarget;
import dev.sagebrush.compilation.CompilationTargets;
import dev.sagebrush.compilation.CompilerSandbox;
import dev.sagebrush.compilation.DataInputLayout;
import dev.sagebrush.compilation.FrameworkInputs;
import dev.sagebrush.compilation.ModelCompiler;
import dev.sagebrush.compilation.toolchain.SandboxedSteps;
import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.toolchain.ToolchainException;
import dev.sagebrush.compilation.reference.ElementTypes;
import dev.sagebrush.compilation.reference.InputShapes;
import dev.sagebrush.compilation.reference.RandomInputs;
import dev.sagebrush.compilation.reference.SandboxedPython;
import dev.sagebrush.compilation.reference.Tensor;
import dev.sagebrush.compilation.reference.TensorSpec;
import dev.sagebrush.compilation.tvm.TvmPipeline;
import dev.sagebrush.compilation.tvm.TvmTarget;
import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.sandbox.Limits;
import dev.sagebrush.jobs.sandbox.SandboxedProcess;
import dev.sagebrush.jobs.sandbox.UntrustedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * PYTORCH (TorchScript, as Neo takes it): Debian's python3-torch, in the job's sandbox, converts the model to ONNX
 * ({@code torch.onnx.export}, opset 13, inputs named as in DataInputConfig: {@code input0}, {@code input1}, ... for
 * the list forms) and runs it on the verification inputs: torch's outputs are the reference. The ONNX model then goes
 * through the TVM tier like an uploaded one. Without python3-torch on the host the job fails saying so.
 */
public final class PyTorchTvmCompiler implements ModelCompiler {
    static final Path TORCH = Path.of("/usr/lib/python3/dist-packages/torch/__init__.py");

    private final TvmPipeline tvm;
    private final long memoryBudget;
    private final dev.sagebrush.jobs.sandbox.Sandboxes sandboxes;

    public PyTorchTvmCompiler(TvmPipeline tvm, dev.sagebrush.jobs.sandbox.Sandboxes sandboxes, long memoryBudget) {
        this.tvm = tvm;
        this.sandboxes = sandboxes;
        this.memoryBudget = memoryBudget;
    }

    /** Whether this host can convert TorchScript (Debian's python3-torch under /usr/bin/python3). */
    public static boolean available() {
        return Files.isRegularFile(TORCH) && Files.isExecutable(Path.of("/usr/bin/python3"));
    }

    @Override
    public CompilationOutcome compile(DescribeCompilationJobResponse job, FrameworkInputs.ModelFiles model, Path workDir,
                                      Cancellation cancellation) {
        String config = job.inputConfig().dataInputConfig();
        if (config == null || config.isBlank()) {
            throw new CompilationFailure("ClientError: InputConfiguration: DataInputConfig is required for PYTORCH "
                    + "models: give every input's shape in order, e.g. {\"input0\": [1, 3, 224, 224]} or "
                    + "[[1, 3, 224, 224]].");
        }
        Map<String, long[]> shapes = DataInputLayout.parse("PYTORCH", config);
        if (!available()) {
            throw new CompilationFailure("InternalServerError: PyTorch models are compiled here by converting "
                    + "TorchScript to ONNX with Debian's python3-torch, which is not installed on this server "
                    + "(apt-get install python3-torch); the archive's " + model.main().getFileName()
                    + " was checked and is a valid PYTORCH archive.");
        }
        CompilationTarget target = CompilationTargets.of(job.outputConfig());
        TargetArch arch = TvmPipeline.checkTarget(target, "PYTORCH");
        TvmTarget tvmTarget = TvmPipeline.tvmTarget(target, arch);
        try (SandboxedSteps steps = CompilerSandbox.open(sandboxes, workDir)) {
            steps.withLimits(Limits.COMPILER.withMemory(memoryBudget));
            Path conv = Files.createDirectories(workDir.resolve("build").resolve("torch"));
            List<TensorSpec> specs = new ArrayList<>();
            shapes.forEach((name, shape) -> specs.add(new TensorSpec(name, ElementTypes.FLOAT, shape, new String[0])));
            List<List<Tensor>> inputs = RandomInputs.generate(specs, shapes);
            List<List<Path>> files = TvmPipeline.writeInputs(inputs, conv.resolve("inputs"));
            Path onnx = conv.resolve("model.onnx");
            JsonNode res = convert(steps, workDir, conv, model.main(), onnx, specs, files);
            cancellation.check();

            List<List<Tensor>> reference = SandboxedPython.outputs(workDir, conv, res, files.size(), k -> "output" + k);
            Map<String, long[]> ordered = new LinkedHashMap<>(shapes);
            InputShapes.Resolved resolved = new InputShapes.Resolved(ordered, Map.of(), false, List.of());
            String torch = res.path("torch_version").asText();
            return tvm.compileVerifyPublish(job, target, tvmTarget, "PYTORCH", onnx,
                    specs, resolved, inputs, reference,
                    "torch " + torch + " (Debian python3-torch) running the original TorchScript model, same inputs",
                    Map.of(),
                    "TorchScript -> ONNX with torch " + torch + ": torch.jit.load, torch.onnx.export(opset_version=13, "
                            + "input_names=" + String.join(",", shapes.keySet()) + "), in the job's sandbox",
                    workDir, steps, cancellation);
        } catch (ToolchainException | IOException e) {
            throw TvmPipeline.failed(e, arch, cancellation);
        }
    }

    /** Runs torch_to_onnx.py in the sandbox; returns its result (outputs, torch version) or fails the job. */
    private static JsonNode convert(SandboxedSteps steps, Path workDir, Path dir, Path model, Path onnx,
                                    List<TensorSpec> specs, List<List<Path>> files) throws IOException {
        ObjectNode req = SandboxedPython.request(dir, specs, shapesOf(specs), files)
                .put("model", model.toAbsolutePath().toString()).put("onnx", onnx.toAbsolutePath().toString());
        SandboxedPython.Run run = SandboxedPython.run(steps, workDir, dir, "torch_to_onnx.py", "torch", req);
        SandboxedProcess.Result r = run.process();
        if (r.memoryExceeded()) {
            throw new CompilationFailure("ClientError: CompilationError: PyTorch needed more memory than the "
                    + "compilation budget of " + Limits.bytes(steps.limits().memoryBytes()) + " to load or convert "
                    + "this model, and was stopped.");
        }
        if (r.timedOut()) {
            throw new CompilationFailure("ClientError: CompilationError: Converting the PyTorch model did not finish "
                    + "within " + TvmPipeline.STEP_TIMEOUT.toSeconds() + " s.");
        }
        JsonNode res = run.result();
        if (res == null) {
            throw new IOException("the PyTorch conversion ended with exit code " + r.exitCode() + " without a result: "
                    + r.output());
        }
        if (!"OK".equals(res.path("status").asText())) {
            String kind = res.path("kind").asText();
            String msg = res.path("message").asText();
            throw new CompilationFailure(switch (kind) {
                case "load" -> "ClientError: InputConfiguration: Unable to load the PyTorch model "
                        + model.getFileName() + " as TorchScript (torch.jit.load): " + msg;
                case "export", "run" -> "ClientError: CompilationError: The PyTorch model could not be "
                        + (kind.equals("run") ? "run" : "converted to ONNX") + " with inputs "
                        + DataInputLayout.toJson(shapesOf(specs)) + ": " + msg;
                default -> "InternalServerError: " + msg;
            });
        }
        if (!UntrustedFiles.isRegularFile(workDir, onnx)) throw new IOException("the conversion wrote no ONNX model");
        return res;
    }

    private static Map<String, long[]> shapesOf(List<TensorSpec> specs) {
        Map<String, long[]> m = new LinkedHashMap<>();
        specs.forEach(s -> m.put(s.name(), s.shape()));
        return m;
    }
}
