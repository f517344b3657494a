package dev.sagebrush.compilation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model directory DLR (the device runtime of Neo's users) loads: at the top level only the files DLR chooses a
 * backend from ({@code compiled.so}, {@code compiled.meta}, and for TVM {@code compiled_model.json} and
 * {@code compiled.params}); DLR refuses a second {@code .so} or {@code .json} there, so our manifest and sources go
 * into the {@value #SUBFOLDER} subfolder, which DLR does not list.
 */
public final class DlrLayout {
    public static final String LIBRARY = "compiled.so";
    public static final String META = "compiled.meta";
    public static final String GRAPH = "compiled_model.json";
    public static final String PARAMS = "compiled.params";
    /** Everything of ours that is not a DLR file. */
    public static final String SUBFOLDER = "sagebrush";
    public static final String MANIFEST = SUBFOLDER + "/manifest.json";
    public static final String SOURCE_DIR = SUBFOLDER + "/src";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DlrLayout() {}

    /** One tensor of compiled.meta's Model.Inputs / Model.Outputs. */
    public record Tensor(String name, String dtype, long[] shape) {}

    /**
     * Writes {@code compiled.meta}: {@code Requirements.TargetDeviceType} ("cpu": every artifact of this server
     * runs on the CPU, and DLR refuses a mismatch with the device it is asked for), the inputs and outputs, and for
     * tree models {@code SparseInput "0"}, so DLR 1.9+ keeps zeros as values (only NaN is missing, as in xgboost).
     */
    public static Path writeMeta(Path dir, String targetDevice, Tensor[] inputs, Tensor[] outputs,
                                 Boolean sparseInput) throws IOException {
        ObjectNode meta = JSON.createObjectNode();
        meta.putObject("Requirements").put("TargetDevice", targetDevice).put("TargetDeviceType", "cpu");
        ObjectNode model = meta.putObject("Model");
        model.set("Inputs", tensors(inputs, true));
        model.set("Outputs", tensors(outputs, false));
        if (sparseInput != null) model.put("SparseInput", sparseInput ? "1" : "0");
        Path p = dir.resolve(META);
        Files.write(p, JSON.writeValueAsBytes(meta));
        return p;
    }

    private static ArrayNode tensors(Tensor[] ts, boolean named) {
        ArrayNode a = JSON.createArrayNode();
        for (Tensor t : ts) {
            ObjectNode o = a.addObject();
            if (named || t.name() != null) o.put("name", t.name());
            o.put("dtype", t.dtype());
            ArrayNode shape = o.putArray("shape");
            for (long d : t.shape()) shape.add(d);
        }
        return a;
    }
}
