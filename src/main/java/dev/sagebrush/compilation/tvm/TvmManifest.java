package dev.sagebrush.compilation.tvm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.compilation.ArtifactPublisher;
import dev.sagebrush.compilation.CompilationTarget;
import dev.sagebrush.compilation.DlrLayout;
import dev.sagebrush.compilation.reference.ElementTypes;
import dev.sagebrush.compilation.reference.InputShapes;
import dev.sagebrush.compilation.reference.OutputComparison;
import dev.sagebrush.compilation.reference.RandomInputs;
import dev.sagebrush.compilation.reference.Tensor;
import dev.sagebrush.compilation.reference.TensorSpec;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/** The manifest of a neural network compiled by TVM: what was built, for which CPU, how, and how it was verified. */
final class TvmManifest {
    static final String BACKEND = "tvm";

    private TvmManifest() {}

    static ObjectNode of(DescribeCompilationJobResponse job, CompilationTarget target, TvmTarget t, String framework,
                         InputShapes.Resolved shapes, List<TensorSpec> modelInputs, List<Tensor> outputs,
                         TvmCompiler.Result c, GraphRunner.Run run, OutputComparison onTarget,
                         OutputComparison tvmRuntime, String reference, Map<String, Double> quantizedTolerance,
                         String conversion) {
        ObjectNode m = ArtifactPublisher.newManifest();
        m.put("schema_version", 1);
        m.put("compilation_job_arn", job.compilationJobArn());
        m.put("framework", framework);
        if (job.inputConfig().frameworkVersion() != null) m.put("framework_version", job.inputConfig().frameworkVersion());
        m.put("target", target.name());
        m.put("target_arch", t.arch().id());
        m.put("triple", t.arch().triple());
        m.put("cpu", t.cpu());
        m.put("accelerator", target.accelerator().label());
        if (!target.isCpuOnly()) {
            m.put("note", "This server has no code generator for the " + target.accelerator().label() + " of "
                    + target.name() + ": this artifact is code for its host CPU (" + t.arch().id() + ", " + t.cpu()
                    + ") and runs there.");
        }
        m.put("backend", BACKEND);
        m.put("backend_version", c.tvmVersion() + " (org.bytedeco:tvm 0.18.0-1.5.11, LLVM 19.1.3)");
        m.put("llvm_target", c.llvmTarget());
        if (conversion != null) m.put("conversion", conversion);
        m.put("compiler_command", (framework.equals("TFLITE") ? "relay.frontend.from_tflite(tflite.Model"
                + ".GetRootAsModel(model, 0), shape_dict=" + shapes.json() + "), then tflite_rounding.apply (integer "
                + "AVERAGE_POOL_2D and MEAN round to nearest as TFLite's kernels do, where TVM's lowering truncates)"
                : "relay.frontend.from_onnx(model, shapes=" + shapes.json() + ", freeze_params=True)")
                + "; with PassContext(opt_level=3) and "
                + "Sagebrush's defaults for TVM's untuned x86 schedules (tvm_build.py: NCHWc channel blocks shared "
                + "by producer and consumer, register-bounded convolution tiles, vectorized average pooling; "
                + "tvm_winograd.py: Winograd F(2x2, 3x3) for 3x3 stride-1 convolutions of 16+ channels with AVX2 "
                + "or AVX-512): "
                + "factory = relay.build(mod, target=\"" + t.llvm() + "\", params=params); "
                + "factory.get_lib().export_library(\"compiled.so\") linked with " + c.linkCommand()
                + "; compiled_model.json = factory.get_graph_json(); compiled.params = "
                + "tvm.runtime.save_param_dict(factory.get_params())");
        m.put("compiler_process", String.join(" ", c.command()));
        m.put("import_seconds", c.importSeconds());
        m.put("build_seconds", c.buildSeconds());
        m.put("export_seconds", c.exportSeconds());
        m.put("compiler_process_seconds", c.elapsed().toNanos() / 1e9);
        ObjectNode dlr = m.putObject("dlr");
        dlr.put("backend", "tvm graph executor")
                .put("files", DlrLayout.LIBRARY + " (operators), " + DlrLayout.GRAPH + " (graph), " + DlrLayout.PARAMS
                        + " (weights), " + DlrLayout.META)
                .put("load", "dlr.DLRModel(model_dir, 'cpu') or CreateDLRModel(&model, model_dir, 1, 0)")
                .put("note", "compiled for the shapes below: DLR runs exactly these shapes (batch included)");
        m.put("data_input_config", shapes.json());
        m.put("data_input_config_inferred", shapes.inferred());
        if (!shapes.notes().isEmpty()) {
            ArrayNode notes = m.putArray("notes");
            shapes.notes().forEach(notes::add);
        }
        ArrayNode inputs = m.putArray("inputs");
        for (TensorSpec in : modelInputs) {
            ObjectNode i = inputs.addObject().put("name", in.name()).put("dtype", in.dtype());
            ArrayNode s = i.putArray("shape");
            for (long d : shapes.shapes().get(in.name())) s.add(d);
            i.put("model_shape", in.describeShape());
        }
        ArrayNode outs = m.putArray("outputs");
        for (Tensor out : outputs) {
            ObjectNode o = outs.addObject().put("name", out.name()).put("dtype", ElementTypes.dtype(out.elementType()));
            ArrayNode s = o.putArray("shape");
            for (long d : out.shape()) s.add(d);
        }
        ObjectNode ver = m.putObject("verification");
        ver.put("status", onTarget.passed() && (tvmRuntime == null || tvmRuntime.passed()) ? "PASSED" : "FAILED")
                .put("reference", reference)
                .put("inputs", RandomInputs.SETS + " seeded random sets: standard normal, uniform [-4, 4], uniform "
                        + "[0, 1); integer and bool inputs 0 or 1"
                        + (quantizedTolerance.isEmpty() ? "" : ", quantized integer inputs uniform over their type"))
                .put("method", "graph-executor run of the published compiled.so + compiled.params with the graph of "
                        + "compiled_model.json on the target CPU (" + (t.arch().runsNatively() ? "natively"
                        : "under " + t.arch().qemu()) + "), by tvm_graph_run.c, a minimal single-threaded graph "
                        + "executor built with the target's gcc that dlopens compiled.so, fills its backend context "
                        + "pointers and calls each operator through TVM's packed-function ABI, as DLR's runtime does")
                .put("proves", "the operators in compiled.so, built for " + t.cpu() + ", load and compute the "
                        + "model's outputs on " + t.arch().id() + " within tolerance; it does not prove DLR's own "
                        + "thread pool or any operator that calls back into the runtime (none was called)")
                .put("sets", onTarget.sets()).put("values", onTarget.values()).put("mismatches", onTarget.mismatches())
                .put("max_abs_diff", onTarget.maxAbsDiff()).put("tolerance", OutputComparison.TOLERANCE)
                .put("tolerance_rule", "absolute, relative above magnitude 1; integer outputs exact"
                        + (quantizedTolerance.isEmpty() ? "" : "; quantized outputs within an absolute tolerance "
                        + "of their own, a few quantization steps in the output's units: " + quantizedTolerance))
                .put("runner_compile_command", String.join(" ", run.compileCommand()))
                .put("run_command", String.join(" ", run.runCommand()))
                .put("runner_report", run.report())
                .put("seconds", run.elapsed().toNanos() / 1e9)
                .put("detail", onTarget.detail());
        if (tvmRuntime != null) {
            ver.putObject("tvm_runtime").put("method", "TVM " + c.tvmVersion() + "'s own graph executor "
                            + "(tvm.runtime.load_module(compiled.so), graph_executor.create(compiled_model.json), "
                            + "load_params(compiled.params)) in the compiler process, natively")
                    .put("status", tvmRuntime.passed() ? "PASSED" : "FAILED")
                    .put("max_abs_diff", tvmRuntime.maxAbsDiff()).put("detail", tvmRuntime.detail());
        }
        return m;
    }
}
