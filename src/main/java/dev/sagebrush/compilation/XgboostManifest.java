package dev.sagebrush.compilation;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.xgboost.XgbCompilation;
import dev.sagebrush.compilation.xgboost.XgbCompiler;
import dev.sagebrush.compilation.xgboost.XgbModelInfo;
import dev.sagebrush.compilation.xgboost.XgbVerification;
import java.util.List;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/** The manifest of a compiled tree model: what was built, for what, how, and how it was proven to run there. */
final class XgboostManifest {
    static final String BACKEND = "tree-c";
    static final String BACKEND_VERSION = "1";

    private XgboostManifest() {}

    static ObjectNode of(DescribeCompilationJobResponse job, CompilationTarget target, XgbCompilation c, XgbVerification v) {
        XgbModelInfo info = c.info();
        TargetArch arch = c.arch();
        ObjectNode m = ArtifactPublisher.newManifest();
        m.put("schema_version", 1);
        m.put("compilation_job_arn", job.compilationJobArn());
        m.put("framework", "XGBOOST");
        if (job.inputConfig().frameworkVersion() != null) m.put("framework_version", job.inputConfig().frameworkVersion());
        m.put("target", target.name());
        m.put("target_arch", arch.id());
        m.put("triple", arch.triple());
        m.put("accelerator", target.accelerator().label());
        if (!target.isCpuOnly()) {
            m.put("note", "Tree models run on the CPU: this artifact is code for the " + target.name()
                    + " host CPU (" + arch.id() + "), not for its " + target.accelerator().label() + ".");
        }
        m.put("backend", BACKEND);
        m.put("backend_version", BACKEND_VERSION);
        m.put("compiler_command", String.join(" ", c.compileCommand()));
        m.put("library", DlrLayout.LIBRARY);
        m.put("source", DlrLayout.SOURCE_DIR + "/" + XgbCompiler.SOURCE_NAME);
        ObjectNode dlr = m.putObject("dlr");
        dlr.put("backend", "treelite").put("meta", DlrLayout.META)
                .put("loads_in", "DLR 1.0-1.9 (treelite 0.9x runtime) and DLR 1.10+ (treelite 1.2 runtime)")
                .put("input", "one float32 tensor 'data' [rows, " + info.numFeature() + "]; NaN = missing, zeros "
                        + "are values (compiled.meta SparseInput \"0\"; DLR 1.6-1.8 treat 0.0 as missing regardless)")
                .put("output", "float32 [rows, " + info.numTransformedOutput() + "], base score and transform applied "
                        + "inside compiled.so (DLR passes pred_margin = 0)")
                .put("pred_transform", dev.sagebrush.compilation.xgboost.CEmitter.treelitePredTransform(c.model()));
        ObjectNode model = m.putObject("model");
        model.put("objective", info.objective()).put("num_feature", info.numFeature())
                .put("num_output", info.numOutput()).put("num_trees", info.numTrees())
                .put("max_depth", info.maxDepth()).put("total_nodes", info.totalNodes()).put("dart", info.dart());
        if (info.xgboostVersion() != null) model.put("xgboost_version", info.xgboostVersion());
        ArrayNode inputs = m.putArray("inputs");
        inputs.addObject().put("name", "data").put("dtype", "float32").put("layout", "row-major, NaN = missing")
                .set("shape", shape(-1, info.numFeature()));
        ArrayNode outputs = m.putArray("outputs");
        outputs.addObject().put("name", "margin").put("dtype", "float32").set("shape", shape(-1, info.numOutput()));
        outputs.addObject().put("name", "prediction").put("dtype", "float32")
                .set("shape", shape(-1, info.numTransformedOutput()));
        ArrayNode abi = m.putArray("abi");
        for (String f : List.of("int32_t neo_num_feature(void)", "int32_t neo_num_output(void)",
                "const char* neo_metadata(void)",
                "void neo_predict(const float* x, int64_t nrow, int32_t output_margin, float* out)",
                "size_t get_num_output_group(void)  /* treelite 0.9x, DLR 1.0-1.9 */",
                "size_t get_num_class(void)  /* treelite 1.2, DLR 1.10+ */",
                "size_t get_num_feature(void)", "const char* get_pred_transform(void)",
                "float get_sigmoid_alpha(void)", "float get_global_bias(void)",
                "const char* get_threshold_type(void)  /* \"float32\" */",
                "const char* get_leaf_output_type(void)  /* \"float32\" */",
                "float predict(union Entry* row, int pred_margin)",
                "size_t predict_multiclass(union Entry* row, int pred_margin, float* out)")) {
            abi.add(f);
        }
        ObjectNode ver = m.putObject("verification");
        ver.put("status", v.status().name()).put("rows", v.rows()).put("edge_rows", v.edgeRows())
                .put("reference", "Java reference evaluator; margins compared bit for bit")
                .put("margin_mismatches", v.marginMismatches()).put("output_mismatches", v.outputMismatches())
                .put("max_abs_margin_diff", v.maxAbsMarginDiff()).put("max_abs_output_diff", v.maxAbsOutputDiff())
                .put("output_tolerance", v.outputTolerance())
                .put("runner", arch.runsNatively() ? "native" : arch.qemu() + " -L " + arch.sysroot())
                .put("run_command", String.join(" ", v.runCommand()))
                .put("harness_compile_command", String.join(" ", v.harnessCompileCommand()))
                .put("abis_checked", "neo_predict (batch) and the Treelite ABI of both generations, loaded from the "
                        + "published directory as DLR loads it (backend chosen from the top-level files, union Entry "
                        + "rows, missing = -1 for NaN, pred_margin = 0 for outputs and 1 for margins)")
                .put("dlr_harness_compile_command", String.join(" ", v.dlrHarnessCompileCommand()))
                .put("dlr_run_command", String.join(" ", v.dlrRunCommand()))
                .put("dlr_harness_report", v.dlrReport());
        return m;
    }

    private static ArrayNode shape(int... dims) {
        ArrayNode a = ArtifactPublisher.newManifest().arrayNode();
        for (int d : dims) a.add(d);
        return a;
    }
}
