package dev.sagebrush.compilation.tvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.compilation.CompilationTargets;
import dev.sagebrush.compilation.toolchain.TargetArch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sagemaker.model.OutputConfig;

/** The graph JSON → plan flattening the on-target verifier runs, and the per-device LLVM targets. */
class GraphPlanTest {
    @TempDir Path dir;

    /** TVM 0.18's graph for a 2-layer MLP, as relay.build wrote it (shapes, storage sharing, a __nop). */
    static final String GRAPH = """
            {"nodes": [{"op": "null", "name": "x", "inputs": []}, {"op": "null", "name": "p0", "inputs": []},
             {"op": "tvm_op", "name": "dense", "attrs": {"num_outputs": "1", "num_inputs": "2", "flatten_data": "0",
              "func_name": "tvmgen_default_fused_nn_dense"}, "inputs": [[0, 0, 0], [1, 0, 0]]},
             {"op": "tvm_op", "name": "reshape", "attrs": {"num_outputs": "1", "num_inputs": "1", "flatten_data": "0",
              "func_name": "__nop"}, "inputs": [[2, 0, 0]]},
             {"op": "tvm_op", "name": "softmax", "attrs": {"num_outputs": "1", "num_inputs": "1", "flatten_data": "0",
              "func_name": "tvmgen_default_fused_nn_softmax"}, "inputs": [[3, 0, 0]]}],
             "arg_nodes": [0, 1], "heads": [[4, 0, 0]], "node_row_ptr": [0, 1, 2, 3, 4, 5],
             "attrs": {"dltype": ["list_str", ["float32", "float32", "float32", "float32", "float32"]],
                       "storage_id": ["list_int", [0, 1, 2, 2, 3]],
                       "shape": ["list_shape", [[1, 16], [4, 16], [1, 4], [1, 4], [1, 4]]]}}""";

    @Test
    void flattensStorageEntriesInputsParamsOpsAndOutputs() throws Exception {
        Path graph = dir.resolve("compiled_model.json");
        Files.writeString(graph, GRAPH);
        Path plan = dir.resolve("plan.txt");
        List<GraphPlan.Output> outs = GraphPlan.write(graph, List.of("x"), plan);
        assertThat(outs).hasSize(1);
        assertThat(outs.get(0).shape()).containsExactly(1, 4);
        assertThat(Files.readString(plan)).isEqualTo("""
                TVMPLAN 1
                storage 4
                64
                256
                16
                16
                entries 5
                0 2 32 1 2 1 16
                1 2 32 1 2 4 16
                2 2 32 1 2 1 4
                2 2 32 1 2 1 4
                3 2 32 1 2 1 4
                inputs 1
                0 x
                params 1
                1 p0
                ops 3
                tvmgen_default_fused_nn_dense 3 0 1 2
                __nop 2 2 3
                tvmgen_default_fused_nn_softmax 2 3 4
                outputs 1
                4
                """);
    }

    @Test
    void refusesWhatTheVerifierCannotRun() throws Exception {
        Path graph = dir.resolve("g.json");
        Files.writeString(graph, GRAPH);
        assertThatThrownBy(() -> GraphPlan.write(graph, List.of("image"), dir.resolve("p")))
                .hasMessageContaining("no input named image");
        Files.writeString(graph, GRAPH.replace("tvmgen_default_fused_nn_softmax", "evil; rm -rf"));
        assertThatThrownBy(() -> GraphPlan.write(graph, List.of("x"), dir.resolve("p")))
                .hasMessageContaining("operator name not representable");
        Files.writeString(graph, GRAPH.replace("\"float32\", \"float32\", \"float32\", \"float32\", \"float32\"",
                "\"float32\", \"float32\", \"float32\", \"float32\", \"custom[posit]32\""));
        assertThatThrownBy(() -> GraphPlan.write(graph, List.of("x"), dir.resolve("p")))
                .hasMessageContaining("not supported");
    }

    static TvmTarget target(String device) {
        var t = CompilationTargets.of(OutputConfig.builder().targetDevice(device).build());
        return TvmTarget.of(t, t.hostArch().orElseThrow());
    }

    @Test
    void everyDeviceGetsItsOwnCpu() {
        assertThat(target("ml_c5").llvm()).isEqualTo("llvm -mtriple=x86_64-linux-gnu -mcpu=skylake-avx512");
        assertThat(target("ml_c5").hostCpuFlags()).contains("avx512f");
        assertThat(target("ml_c4").cpu()).isEqualTo("core-avx2");
        assertThat(target("lambda").llvm()).isEqualTo("llvm -mtriple=x86_64-linux-gnu -mcpu=core-avx2");
        assertThat(target("sbe_c").llvm()).isEqualTo("llvm -mtriple=x86_64-linux-gnu");
        assertThat(target("rk3399").llvm()).isEqualTo("llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 -mattr=+neon");
        assertThat(target("ml_m6g").cpu()).isEqualTo("neoverse-n1");
        assertThat(target("rk3288").llvm())
                .isEqualTo("llvm -mtriple=armv7a-linux-gnueabihf -mfloat-abi=hard -mcpu=cortex-a17 -mattr=+neon,+vfp4");
        assertThat(target("rasp3b").arch()).isEqualTo(TargetArch.ARMV7HF);
        assertThat(target("sitara_am57x").cpu()).isEqualTo("cortex-a15");
        assertThat(target("jetson_nano").cpu()).isEqualTo("cortex-a57");
        var platform = CompilationTargets.of(OutputConfig.builder()
                .targetPlatform(p -> p.os("LINUX").arch("ARM_EABIHF")).build());
        assertThat(TvmTarget.of(platform, TargetArch.ARMV7HF).llvm())
                .isEqualTo("llvm -mtriple=armv7a-linux-gnueabihf -mfloat-abi=hard -mattr=+neon,+vfp4");
    }
}
