package dev.sagebrush.compilation.tvm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * TVM's graph JSON ({@code compiled_model.json}) flattened for tvm_graph_run.c: storage sizes, every entry's storage
 * and type, which entries are graph inputs and which are parameters, the operator calls in order and the outputs.
 * Reading the JSON here keeps the C verifier free of a JSON parser; the executable still loads compiled.so and
 * compiled.params itself, as DLR does.
 */
public final class GraphPlan {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One graph output: shape and TVM dtype. */
    public record Output(long[] shape, String dtype) {}

    private GraphPlan() {}

    /**
     * Writes the plan for a graph whose inputs are {@code inputNames} (in the order their files will be given);
     * every other argument node is a parameter. Returns the graph's outputs.
     *
     * @throws IOException            unreadable files
     * @throws IllegalArgumentException a graph this verifier cannot run (named in the message)
     */
    public static List<Output> write(Path graphJson, List<String> inputNames, Path planOut) throws IOException {
        JsonNode g = JSON.readTree(graphJson.toFile());
        JsonNode nodes = g.path("nodes");
        JsonNode rowPtr = g.path("node_row_ptr");
        JsonNode attrs = g.path("attrs");
        JsonNode storageIds = attrs.path("storage_id").path(1);
        JsonNode shapes = attrs.path("shape").path(1);
        JsonNode dtypes = attrs.path("dltype").path(1);
        int entries = storageIds.size();
        if (entries == 0 || shapes.size() != entries || dtypes.size() != entries) {
            throw new IllegalArgumentException("graph JSON without storage_id/shape/dltype for every entry");
        }
        int storage = 0;
        for (JsonNode s : storageIds) storage = Math.max(storage, s.asInt() + 1);
        long[] storageBytes = new long[storage];
        StringBuilder entryLines = new StringBuilder();
        for (int e = 0; e < entries; e++) {
            int[] t = dtype(dtypes.get(e).asText());
            long count = 1;
            StringBuilder dims = new StringBuilder();
            for (JsonNode d : shapes.get(e)) {
                count *= d.asLong();
                dims.append(' ').append(d.asLong());
            }
            long bytes = count * ((t[1] * t[2] + 7) / 8);
            int sid = storageIds.get(e).asInt();
            storageBytes[sid] = Math.max(storageBytes[sid], bytes);
            entryLines.append(sid).append(' ').append(t[0]).append(' ').append(t[1]).append(' ').append(t[2])
                    .append(' ').append(shapes.get(e).size()).append(dims).append('\n');
        }
        StringBuilder plan = new StringBuilder("TVMPLAN 1\nstorage ").append(storage).append('\n');
        for (long b : storageBytes) plan.append(b).append('\n');
        plan.append("entries ").append(entries).append('\n').append(entryLines);

        Set<String> inputs = new HashSet<>(inputNames);
        List<String> params = new ArrayList<>();
        String[] inputLine = new String[inputNames.size()];
        for (JsonNode a : g.path("arg_nodes")) {
            int nid = a.asInt();
            String name = nodes.get(nid).path("name").asText();
            if (!name.matches("[A-Za-z0-9_.:/\\-]{1,200}")) {
                throw new IllegalArgumentException("graph argument name not representable in the plan: " + name);
            }
            int eid = rowPtr.get(nid).asInt();
            if (inputs.contains(name)) {
                inputLine[inputNames.indexOf(name)] = eid + " " + name;
            } else {
                params.add(eid + " " + name);
            }
        }
        for (int i = 0; i < inputLine.length; i++) {
            if (inputLine[i] == null) {
                throw new IllegalArgumentException("the compiled graph has no input named " + inputNames.get(i));
            }
        }
        plan.append("inputs ").append(inputLine.length).append('\n');
        for (String l : inputLine) plan.append(l).append('\n');
        plan.append("params ").append(params.size()).append('\n');
        for (String l : params) plan.append(l).append('\n');

        List<String> ops = new ArrayList<>();
        for (int nid = 0; nid < nodes.size(); nid++) {
            JsonNode n = nodes.get(nid);
            if (!"tvm_op".equals(n.path("op").asText())) continue;
            JsonNode a = n.path("attrs");
            if (!"0".equals(a.path("flatten_data").asText("0"))) {
                throw new IllegalArgumentException("operator " + a.path("func_name").asText() + " needs flatten_data");
            }
            String func = a.path("func_name").asText();
            if (!func.matches("[A-Za-z0-9_]{1,400}")) {
                throw new IllegalArgumentException("operator name not representable in the plan: " + func);
            }
            StringBuilder args = new StringBuilder();
            int count = 0;
            for (JsonNode in : n.path("inputs")) {
                args.append(' ').append(rowPtr.get(in.get(0).asInt()).asInt() + in.get(1).asInt());
                count++;
            }
            int outs = Integer.parseInt(a.path("num_outputs").asText("1"));
            for (int k = 0; k < outs; k++) {
                args.append(' ').append(rowPtr.get(nid).asInt() + k);
                count++;
            }
            ops.add(func + " " + count + args);
        }
        plan.append("ops ").append(ops.size()).append('\n');
        for (String l : ops) plan.append(l).append('\n');

        List<Output> outputs = new ArrayList<>();
        plan.append("outputs ").append(g.path("heads").size()).append('\n');
        for (JsonNode h : g.path("heads")) {
            int eid = rowPtr.get(h.get(0).asInt()).asInt() + h.get(1).asInt();
            plan.append(eid).append('\n');
            long[] shape = new long[shapes.get(eid).size()];
            for (int i = 0; i < shape.length; i++) shape[i] = shapes.get(eid).get(i).asLong();
            outputs.add(new Output(shape, dtypes.get(eid).asText()));
        }
        Files.writeString(planOut, plan, StandardCharsets.US_ASCII);
        return outputs;
    }

    /** TVM dtype name to DLPack (code, bits, lanes): code 0 int, 1 uint, 2 float. */
    static int[] dtype(String s) {
        return switch (s) {
            case "float32" -> new int[] {2, 32, 1};
            case "float64" -> new int[] {2, 64, 1};
            case "float16" -> new int[] {2, 16, 1};
            case "int8" -> new int[] {0, 8, 1};
            case "int16" -> new int[] {0, 16, 1};
            case "int32" -> new int[] {0, 32, 1};
            case "int64" -> new int[] {0, 64, 1};
            case "uint8" -> new int[] {1, 8, 1};
            case "uint16" -> new int[] {1, 16, 1};
            case "uint32" -> new int[] {1, 32, 1};
            case "bool" -> new int[] {1, 1, 1};
            default -> throw new IllegalArgumentException("graph entry of dtype " + s + " is not supported");
        };
    }
}
