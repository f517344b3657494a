package dev.sagebrush.compilation.onnx;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.compilation.ArtifactPublisher;
import dev.sagebrush.compilation.CompilationTarget;
import dev.sagebrush.compilation.toolchain.TargetArch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/** The manifest of a compiled ONNX model: what was built, for what, how, and how it was proven to run there. */
final class OnnxManifest {
    static final String BACKEND = "onnxruntime";

    /** How the artifact was run on its target; the commands are null when it ran in process. */
    record Verification(OnnxVerification result, String runner, String compileCommand, String runCommand,
                        Duration elapsed) {}

    private OnnxManifest() {}

    static ObjectNode of(DescribeCompilationJobResponse job, CompilationTarget target, TargetArch arch,
                         OrtModels.Description original, OrtModels.Description compiled, InputShapes.Resolved shapes,
                         List<Tensor> outputs, Duration optimizeTime, Verification v) {
        ObjectNode m = ArtifactPublisher.newManifest();
        m.put("schema_version", 1);
        m.put("compilation_job_arn", job.compilationJobArn());
        m.put("framework", "ONNX");
        if (job.inputConfig().frameworkVersion() != null) m.put("framework_version", job.inputConfig().frameworkVersion());
        m.put("target", target.name());
        m.put("target_arch", arch.id());
        m.put("triple", arch.triple());
        m.put("accelerator", target.accelerator().label());
        m.put("backend", BACKEND);
        m.put("backend_version", OrtModels.version());
        m.put("runtime_library", "ai/onnxruntime/native/" + OrtNativeRunner.ortPlatform(arch)
                + "/libonnxruntime.so from com.microsoft.onnxruntime:onnxruntime:" + OrtModels.version());
        m.put("model", OnnxModelCompiler.ARTIFACT);
        m.put("model_format", "ORT (flatbuffer, identifier ORTM); load with any ONNX Runtime >= "
                + OrtModels.version() + " CPU build");
        m.put("optimization_level", "EXTENDED");
        m.put("optimization_note", "EXTENDED is the highest level that stays portable across CPUs: ALL would bake in "
                + "NCHWc kernels of the compiling machine. An ORT-format model is not re-optimized when loaded.");
        StringBuilder cmd = new StringBuilder("ONNX Runtime " + OrtModels.version() + " (Java) SessionOptions: "
                + "setOptimizationLevel(EXTENDED_OPT), setIntraOpNumThreads(1)");
        for (Map.Entry<String, Long> e : shapes.dimValues().entrySet()) {
            cmd.append(", setSymbolicDimensionValue(\"").append(e.getKey()).append("\", ").append(e.getValue()).append(')');
        }
        cmd.append(", addConfigEntry(\"session.save_model_format\", \"ORT\"), setOptimizedModelFilePath(\"")
                .append(OnnxModelCompiler.ARTIFACT).append("\")");
        m.put("compiler_command", cmd.toString());
        m.put("compile_seconds", optimizeTime.toNanos() / 1e9);
        m.put("data_input_config", shapes.json());
        m.put("data_input_config_inferred", shapes.inferred());
        if (!shapes.notes().isEmpty()) {
            ArrayNode notes = m.putArray("notes");
            shapes.notes().forEach(notes::add);
        }
        ArrayNode inputs = m.putArray("inputs");
        for (TensorSpec in : original.inputs()) {
            ObjectNode i = inputs.addObject().put("name", in.name()).put("dtype", in.dtype());
            dims(i.putArray("shape"), shapes.shapes().get(in.name()));
            i.put("model_shape", in.describeShape());
            compiled.inputs().stream().filter(c -> c.name().equals(in.name())).findFirst()
                    .ifPresent(c -> i.put("compiled_shape", c.describeShape()));
        }
        ArrayNode outs = m.putArray("outputs");
        for (Tensor out : outputs) {
            ObjectNode o = outs.addObject().put("name", out.name()).put("dtype", ElementTypes.dtype(out.elementType()));
            dims(o.putArray("shape"), out.shape());
        }
        ObjectNode ver = m.putObject("verification");
        OnnxVerification r = v.result();
        ver.put("status", r.passed() ? "PASSED" : "FAILED")
                .put("reference", "ONNX Runtime " + OrtModels.version() + " on the original .onnx (linux-x64, "
                        + "no graph optimization), same inputs")
                .put("inputs", RandomInputs.SETS + " seeded random sets: standard normal, uniform [-4, 4], uniform "
                        + "[0, 1); integer and bool inputs 0 or 1")
                .put("sets", r.sets()).put("values", r.values()).put("mismatches", r.mismatches())
                .put("max_abs_diff", r.maxAbsDiff()).put("tolerance", OnnxVerification.TOLERANCE)
                .put("tolerance_rule", "absolute, relative above magnitude 1; integer outputs exact")
                .put("runner", v.runner())
                .put("seconds", v.elapsed().toNanos() / 1e9)
                .put("detail", r.detail());
        if (v.compileCommand() != null) ver.put("runner_compile_command", v.compileCommand());
        if (v.runCommand() != null) ver.put("run_command", v.runCommand());
        return m;
    }

    private static void dims(ArrayNode a, long[] shape) {
        for (long d : shape) a.add(d);
    }
}
