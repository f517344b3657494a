package dev.sagebrush.compilation.tflite;

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
import dev.sagebrush.compilation.tvm.TflitePackage;
import dev.sagebrush.compilation.tvm.TvmPipeline;
import dev.sagebrush.compilation.tvm.TvmTarget;
import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.jobs.sandbox.Limits;
import dev.sagebrush.jobs.sandbox.SandboxedProcess;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * TFLITE through the TVM tier. The {@code .tflite} is read and checked in Java first ({@link TfliteModel}: bounds,
 * budgets, one subgraph, builtin operators only), so a hostile file is refused before any native code sees it. Its
 * inputs (NHWC, as the model declares them) are matched against DataInputConfig, or inferred and reported. The
 * reference outputs come from Arm NN (Debian python3-pyarmnn, its TfLite parser and CpuRef kernels, independent of
 * TVM) in the job's sandbox; TVM's {@code from_tflite} then compiles the model in its sandboxed child, with the
 * {@code tflite} classes made by flatc from our reduced TFLite schema ({@link TflitePackage}), and the artifact is
 * verified on the target CPU like an ONNX one.
 */
public final class TfliteTvmCompiler implements ModelCompiler {
    static final Path ARMNN = Path.of("/usr/lib/python3/dist-packages/pyarmnn/__init__.py");
    static final Path ARMNN_CPUREF = Path.of("/usr/lib/x86_64-linux-gnu/armnn22/Arm_CpuRef_backend.so");
    static final String ARMNN_PACKAGES = "python3-pyarmnn libarmnn-cpuref-backend22";
    /** The input names tvm_graph_run's plan can carry (GraphPlan). */
    private static final String INPUT_NAME = "[A-Za-z0-9_.:/\\-]{1,200}";

    /** Arm NN's TfLite parser names an operator it has no layer for so: "... opcode:6 / PRELU ...". */
    private static final java.util.regex.Pattern UNSUPPORTED_BY_ARMNN =
            java.util.regex.Pattern.compile("Operator not supported\\..*?/ ([A-Z][A-Z0-9_]*)");
    /** How many quantization steps a quantized output may differ from the reference (see quantizedTolerance). */
    public static final int QUANTIZED_STEPS = 3;

    private final TvmPipeline tvm;
    private final Sandboxes sandboxes;
    private final long memoryBudget;

    public TfliteTvmCompiler(TvmPipeline tvm, Sandboxes sandboxes, long memoryBudget) {
        this.tvm = tvm;
        this.sandboxes = sandboxes;
        this.memoryBudget = memoryBudget;
    }

    /** What this host lacks to compile and verify TFLite models, empty when nothing is. */
    public static List<String> missing() {
        List<String> m = new ArrayList<>(TflitePackage.missing());
        if (!Files.isRegularFile(ARMNN) || !Files.isRegularFile(ARMNN_CPUREF)) {
            m.add("Arm NN, the verification reference (Debian " + ARMNN_PACKAGES + ")");
        }
        return m;
    }

    @Override
    public CompilationOutcome compile(DescribeCompilationJobResponse job, FrameworkInputs.ModelFiles model, Path workDir,
                                      Cancellation cancellation) {
        String file = model.main().getFileName().toString();
        TfliteModel m = read(model.main(), file);
        List<TensorSpec> specs = specs(m);
        InputShapes.Resolved shapes = resolve(m, specs, job.inputConfig().dataInputConfig());
        CompilationTarget target = CompilationTargets.of(job.outputConfig());
        TargetArch arch = TvmPipeline.checkTarget(target, "TFLITE");
        List<String> missing = missing();
        if (!missing.isEmpty()) {
            throw new CompilationFailure("InternalServerError: This server cannot compile TFLite models: it lacks "
                    + String.join("; ", missing) + " (apt-get install " + TflitePackage.PACKAGES + " "
                    + ARMNN_PACKAGES + "); the archive's " + file + " was checked and is a valid TFLITE model.");
        }
        TvmTarget tvmTarget = TvmPipeline.tvmTarget(target, arch);
        try (SandboxedSteps steps = CompilerSandbox.open(sandboxes, workDir)) {
            steps.withLimits(Limits.COMPILER.withMemory(memoryBudget));
            Path dir = Files.createDirectories(workDir.resolve("build").resolve("armnn"));
            Set<String> quantizedInputs = new HashSet<>();
            m.inputs().stream().filter(i -> i.quantization() != null).forEach(i -> quantizedInputs.add(i.name()));
            List<List<Tensor>> inputs = RandomInputs.generate(specs, shapes.shapes(), quantizedInputs);
            List<List<Path>> files = TvmPipeline.writeInputs(inputs, dir.resolve("inputs"));
            JsonNode res = reference(steps, workDir, dir, model.main(), specs, shapes, files);
            cancellation.check();
            List<List<Tensor>> reference = SandboxedPython.outputs(workDir, dir, res, files.size(),
                    k -> k < m.outputs().size() ? m.outputs().get(k).name() : "output_" + k);
            return tvm.compileVerifyPublish(job, target, tvmTarget, "TFLITE", model.main(),
                    specs, shapes, inputs, reference,
                    "Arm NN " + res.path("armnn_version").asText() + " (Debian python3-pyarmnn: TfLite parser, CpuRef "
                            + "reference kernels) running the original .tflite in the job's sandbox, same inputs",
                    quantizedTolerance(m), null, workDir, steps, cancellation);
        } catch (ToolchainException | IOException e) {
            throw TvmPipeline.failed(e, arch, cancellation);
        }
    }

    /**
     * Each quantized output's absolute tolerance: {@link #QUANTIZED_STEPS} steps of its quantization (1 for an
     * integer output, the scale of the DEQUANTIZE's input for a float one). TVM computes quantized layers in integer
     * fixed point, as TFLite does; Arm NN's reference kernels dequantize, compute in float and requantize. The two
     * round differently, so a value can move by a step at each requantizing layer (measured: at most 3 steps through
     * the four layers of the uint8 test model over 20 random inputs, 0 for the int8 one); an error in the compiled
     * arithmetic moves outputs by far more.
     */
    static Map<String, Double> quantizedTolerance(TfliteModel m) {
        Map<String, Double> t = new LinkedHashMap<>();
        for (TfliteModel.Io o : m.outputs()) {
            if (o.step() > 0) t.put(o.name(), QUANTIZED_STEPS * o.step());
        }
        return t;
    }

    /** The model read and checked with budgets, or the job's FailureReason. */
    static TfliteModel read(Path path, String file) {
        try {
            if (Files.size(path) > TfliteModel.MAX_FILE_BYTES) {
                throw new CompilationFailure("ClientError: InputConfiguration: The TFLite model " + file + " is larger "
                        + "than " + (TfliteModel.MAX_FILE_BYTES >> 20) + " MiB, the limit of this server.");
            }
            return TfliteModel.read(Files.readAllBytes(path));
        } catch (TfliteModel.Invalid e) {
            throw new CompilationFailure(e.unsupported()
                    ? "ClientError: CompilationError: The TFLite model " + file + " cannot be compiled: " + e.getMessage() + "."
                    : "ClientError: InputConfiguration: The TFLite model " + file + " is not a valid TFLite model: "
                            + e.getMessage() + ".");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The model's inputs as tensor specs: a dimension the model leaves open (-1) gets a name of its own. */
    static List<TensorSpec> specs(TfliteModel m) {
        List<TensorSpec> specs = new ArrayList<>();
        for (TfliteModel.Io in : m.inputs()) {
            if (!in.name().matches(INPUT_NAME)) {
                throw new CompilationFailure("ClientError: InputConfiguration: The TFLite model's input name \""
                        + in.name() + "\" is not supported here: input names may hold letters, digits and _ . : / - "
                        + "(at most 200).");
            }
            String[] names = new String[in.shape().length];
            for (int d = 0; d < names.length; d++) names[d] = in.signature()[d] < 0 ? in.name() + ":" + d : "";
            specs.add(new TensorSpec(in.name(), elementType(in.dtype()), in.signature().clone(), names));
        }
        return specs;
    }

    /**
     * DataInputConfig against the model's inputs (names, ranks, fixed dimensions), or the shapes the model declares
     * when it is absent. An open dimension must keep the value of the model's own {@code shape}: the reference, Arm NN,
     * runs the model as declared, so another shape could not be verified.
     */
    static InputShapes.Resolved resolve(TfliteModel m, List<TensorSpec> specs, String config) {
        InputShapes.Resolved r = InputShapes.resolve(specs, config);
        List<String> problems = new ArrayList<>();
        for (TfliteModel.Io in : m.inputs()) {
            long[] s = r.shapes().get(in.name());
            for (int d = 0; d < s.length; d++) {
                if (in.signature()[d] < 0 && r.inferred()) s[d] = in.shape()[d];
                else if (in.signature()[d] < 0 && s[d] != in.shape()[d]) {
                    problems.add("input \"" + in.name() + "\" dimension " + d + " is open in the model but this "
                            + "server compiles TFLite models at the shape they declare, " + DataInputLayout.str(in.shape())
                            + ", because its reference (Arm NN) runs them so; DataInputConfig gives "
                            + DataInputLayout.str(s));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new CompilationFailure("ClientError: InputConfiguration: " + String.join("; ", problems) + ".");
        }
        if (!r.inferred()) return r;
        List<String> notes = m.inputs().stream().filter(i -> Arrays.stream(i.signature()).anyMatch(d -> d < 0))
                .map(i -> "DataInputConfig was not given: input \"" + i.name() + "\" takes the shape the model declares, "
                        + DataInputLayout.str(i.shape()) + " (its shape_signature leaves dimensions open)").toList();
        return new InputShapes.Resolved(r.shapes(), r.dimValues(), true, notes);
    }

    static int elementType(String dtype) {
        return ElementTypes.fromDtype(dtype);
    }

    /** Runs tflite_armnn_reference.py in the sandbox; returns its result (outputs, version) or fails the job. */
    private static JsonNode reference(SandboxedSteps steps, Path workDir, Path dir, Path model, List<TensorSpec> specs,
                                      InputShapes.Resolved shapes, List<List<Path>> files) throws IOException {
        ObjectNode req = SandboxedPython.request(dir, specs, shapes.shapes(), files)
                .put("model", model.toAbsolutePath().toString());
        SandboxedPython.Run run = SandboxedPython.run(steps, workDir, dir, "tflite_armnn_reference.py", "armnn", req);
        SandboxedProcess.Result r = run.process();
        if (r.memoryExceeded()) {
            throw new CompilationFailure("ClientError: CompilationError: Arm NN, the verification reference, needed "
                    + "more memory than the compilation budget of " + Limits.bytes(steps.limits().memoryBytes())
                    + " to run this model, and was stopped.");
        }
        if (r.timedOut()) {
            throw new CompilationFailure("ClientError: CompilationError: Arm NN, the verification reference, did not "
                    + "finish running the model within " + TvmPipeline.STEP_TIMEOUT.toSeconds() + " s.");
        }
        JsonNode res = run.result();
        if (res == null) {
            throw new CompilationFailure("InternalServerError: Arm NN, the verification reference, ended with exit "
                    + "code " + r.exitCode() + " on this model without a result, so it could not be verified: "
                    + tail(r.output()));
        }
        if (!"OK".equals(res.path("status").asText())) {
            String msg = res.path("message").asText();
            java.util.regex.Matcher op = UNSUPPORTED_BY_ARMNN.matcher(msg);
            if (res.path("kind").asText().equals("load") && op.find()) {
                throw new CompilationFailure("ClientError: CompilationError: The TFLite model uses the operator "
                        + op.group(1) + ", which TVM compiles but Arm NN (Debian python3-pyarmnn), the reference this "
                        + "server verifies TFLite models against, cannot run, so the compiled model could not be "
                        + "verified and was not published: " + msg.strip());
            }
            throw new CompilationFailure(switch (res.path("kind").asText()) {
                case "load", "run" -> "ClientError: CompilationError: The TFLite model could not be verified: Arm NN "
                        + "(the reference this server checks TVM's output against) could not "
                        + (res.path("kind").asText().equals("load") ? "load" : "run") + " it: " + msg;
                default -> "InternalServerError: " + msg;
            });
        }
        return res;
    }

    private static String tail(String s) {
        String t = s.strip();
        return t.length() > 1000 ? "..." + t.substring(t.length() - 1000) : t;
    }
}
