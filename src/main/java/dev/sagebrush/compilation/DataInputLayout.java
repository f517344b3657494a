package dev.sagebrush.compilation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks {@code InputConfig.DataInputConfig} against the form SageMaker Neo documents for each framework, before any
 * compiler runs: a JSON object of input name to shape (PyTorch also takes a list of shapes or a list of single-entry
 * objects), shapes as lists of positive integers, and the framework's image layout: NHWC for TensorFlow and TFLite,
 * NCHW for Keras, MXNet, PyTorch and DarkNet.
 *
 * <p>The layout can only be judged from the numbers, so a 4-D shape is refused only when it clearly has the other
 * layout (channel-sized dimension, at most 4, in the other framework's channel position, and a spatial-sized one
 * where the channels belong): {@code [1,3,224,224]} for TensorFlow, {@code [1,224,224,3]} for PyTorch. ONNX is not
 * judged here: its model declares its own input shapes and the ONNX compiler checks the config against them exactly.
 * XGBoost and scikit-learn models take no DataInputConfig (Neo ignores it), so it is not read for them.
 */
public final class DataInputLayout {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CHANNELS_LAST = Set.of("TENSORFLOW", "TFLITE");
    private static final Set<String> CHANNELS_FIRST = Set.of("KERAS", "MXNET", "PYTORCH", "DARKNET");
    private static final Set<String> IGNORED = Set.of("XGBOOST", "SKLEARN");

    private DataInputLayout() {}

    /**
     * Checks the config for the framework; does nothing when it is absent. Throws CompilationFailure naming the
     * problem ("ClientError: InputConfiguration: ...").
     */
    public static void check(String framework, String dataInputConfig) {
        if (dataInputConfig == null || dataInputConfig.isBlank() || IGNORED.contains(framework)) {
            return;
        }
        JsonNode root = parseJson(dataInputConfig);
        Map<String, long[]> shapes = "PYTORCH".equals(framework) && root.isArray() ? pytorchList(root) : object(root);
        if ("DARKNET".equals(framework) && shapes.size() != 1) {
            throw fail("DataInputConfig for DARKNET names exactly one input (e.g. {\"data\": [1, 3, 416, 416]}), got "
                    + shapes.size() + ".");
        }
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long[] s = e.getValue();
            if (s.length != 4) continue;
            boolean looksNchw = s[1] <= 4 && s[3] > 4;
            boolean looksNhwc = s[3] <= 4 && s[1] > 4;
            if (CHANNELS_LAST.contains(framework) && looksNchw) {
                throw fail("DataInputConfig: input \"" + e.getKey() + "\" has shape " + str(s) + ", which is NCHW "
                        + "(channels first); " + framework + " expects NHWC (channels last), e.g. "
                        + str(new long[] {s[0], s[2], s[3], s[1]}) + ".");
            }
            if (CHANNELS_FIRST.contains(framework) && looksNhwc) {
                throw fail("DataInputConfig: input \"" + e.getKey() + "\" has shape " + str(s) + ", which is NHWC "
                        + "(channels last); " + framework + " expects NCHW (channels first), e.g. "
                        + str(new long[] {s[0], s[3], s[1], s[2]}) + ".");
            }
        }
    }

    /** The input shapes of a DataInputConfig in the framework's form (PyTorch's list forms included), in order. */
    public static Map<String, long[]> parse(String framework, String dataInputConfig) {
        JsonNode root = parseJson(dataInputConfig);
        return "PYTORCH".equals(framework) && root.isArray() ? pytorchList(root) : object(root);
    }

    /** Parses the dictionary form {@code {"name": [d0, d1, ...], ...}}, keeping the order given. */
    public static Map<String, long[]> parseObject(String dataInputConfig) {
        return object(parseJson(dataInputConfig));
    }

    /** The canonical JSON text of a name-to-shape map, as DerivedDataInputConfig reports it. */
    public static String toJson(Map<String, long[]> shapes) {
        var node = JSON.createObjectNode();
        shapes.forEach((name, shape) -> {
            var a = node.putArray(name);
            for (long d : shape) a.add(d);
        });
        return node.toString();
    }

    private static JsonNode parseJson(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || n.isMissingNode()) throw fail("DataInputConfig is not valid JSON: it is empty.");
            return n;
        } catch (JsonProcessingException e) {
            throw fail("DataInputConfig is not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ").");
        }
    }

    private static Map<String, long[]> object(JsonNode root) {
        if (!root.isObject()) {
            throw fail("DataInputConfig must be a JSON object of input name to shape, e.g. "
                    + "{\"input0\": [1, 3, 224, 224]}; got " + kind(root) + ".");
        }
        if (root.isEmpty()) throw fail("DataInputConfig names no inputs.");
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().isEmpty()) throw fail("DataInputConfig has an input with an empty name.");
            shapes.put(e.getKey(), shape(e.getKey(), e.getValue()));
        }
        return shapes;
    }

    /** PyTorch's list forms: {@code [[1,3,224,224], [1,3,160,160]]} or {@code [{"a": [..]}, {"b": [..]}]}. */
    private static Map<String, long[]> pytorchList(JsonNode root) {
        if (root.isEmpty()) throw fail("DataInputConfig names no inputs.");
        Map<String, long[]> shapes = new LinkedHashMap<>();
        boolean allShapes = true;
        for (JsonNode item : root) allShapes &= item.isArray() && item.size() > 0 && item.get(0).isNumber();
        if (allShapes && root.get(0).isArray()) {
            int i = 0;
            for (JsonNode item : root) {
                String name = "input" + i++;
                shapes.put(name, shape(name, item));
            }
            return shapes;
        }
        for (JsonNode item : root) {
            if (!item.isObject() || item.size() != 1) {
                throw fail("DataInputConfig for PYTORCH as a list must hold shapes ([[1, 3, 224, 224]]) or one-entry "
                        + "objects ([{\"input0\": [1, 3, 224, 224]}]); got an element that is " + kind(item) + ".");
            }
            shapes.putAll(object(item));
        }
        return shapes;
    }

    private static long[] shape(String name, JsonNode n) {
        List<Long> dims = new ArrayList<>();
        boolean ok = n.isArray() && n.size() > 0;
        if (ok) {
            for (JsonNode d : n) {
                if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() <= 0) {
                    ok = false;
                    break;
                }
                dims.add(d.asLong());
            }
        }
        if (!ok) {
            throw fail("DataInputConfig: the shape of input \"" + name + "\" must be a non-empty list of positive "
                    + "integers, got " + n + ".");
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static String kind(JsonNode n) {
        return n.isArray() ? "a list" : n.isTextual() ? "a string" : n.isNumber() ? "a number" : n.isObject()
                ? "an object with " + n.size() + " entries" : n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    public static String str(long[] shape) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) b.append(i == 0 ? "" : ", ").append(shape[i]);
        return b.append(']').toString();
    }

    private static CompilationFailure fail(String detail) {
        return FrameworkInputs.fail(detail);
    }
}
