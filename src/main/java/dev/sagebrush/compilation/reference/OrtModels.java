package dev.sagebrush.compilation.reference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime through its Java API (the jar's own native library), the verification reference: describe a model and
 * run it. Used only inside the sandboxed ONNX Runtime child ({@link OrtChildMain}), never in the server JVM. Every session uses one intra-op thread: the server shares its cores with other jobs, and a fixed
 * thread count keeps reductions in the same order between the reference and the compiled run.
 */
public final class OrtModels {
    /** A model's declared tensors; {@code unsupported} lists inputs/outputs that are not plain numeric tensors. */
    public record Description(List<TensorSpec> inputs, List<TensorSpec> outputs, List<String> unsupported) {}

    private OrtModels() {}

    static OrtEnvironment env() {
        return OrtEnvironment.getEnvironment();
    }

    /**
     * The onnxruntime jar's version, from its manifest: the server names it in manifests and messages without loading
     * ONNX Runtime (which only ever runs in the sandboxed child).
     */
    public static String version() {
        String v = OrtEnvironment.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    public static Description describe(Path model) throws OrtException {
        try (SessionOptions so = options(OptLevel.NO_OPT); OrtSession s = env().createSession(model.toString(), so)) {
            List<String> unsupported = new ArrayList<>();
            return new Description(specs(s.getInputInfo(), "input", unsupported),
                    specs(s.getOutputInfo(), "output", unsupported), unsupported);
        }
    }

    /**
     * Runs the model once per input set; returns the outputs of every set, in the model's output order.
     */
    public static List<List<Tensor>> run(Path model, OptLevel level, List<List<Tensor>> inputSets) throws OrtException {
        List<List<Tensor>> results = new ArrayList<>();
        try (SessionOptions so = options(level); OrtSession s = env().createSession(model.toString(), so)) {
            for (List<Tensor> inputs : inputSets) {
                Map<String, OnnxTensor> feed = new LinkedHashMap<>();
                try {
                    for (Tensor t : inputs) {
                        ByteBuffer b = ByteBuffer.allocateDirect(t.data().length).order(ByteOrder.nativeOrder());
                        b.put(ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN)).flip();
                        feed.put(t.name(), OnnxTensor.createTensor(env(), b, t.shape(), javaType(t.elementType())));
                    }
                    List<Tensor> outs = new ArrayList<>();
                    try (OrtSession.Result r = s.run(feed)) {
                        for (Map.Entry<String, OnnxValue> e : r) {
                            OnnxTensor o = (OnnxTensor) e.getValue();
                            TensorInfo info = o.getInfo();
                            ByteBuffer raw = o.getByteBuffer().order(ByteOrder.nativeOrder());
                            byte[] bytes = new byte[raw.remaining()];
                            raw.get(bytes);
                            outs.add(new Tensor(e.getKey(), ElementTypes.of(info.onnxType), info.getShape(), bytes));
                        }
                    }
                    results.add(outs);
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
            }
        }
        return results;
    }

    private static SessionOptions options(OptLevel level) throws OrtException {
        SessionOptions so = new SessionOptions();
        so.setOptimizationLevel(level);
        so.setIntraOpNumThreads(1);
        return so;
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> infos, String kind, List<String> unsupported) {
        List<TensorSpec> out = new ArrayList<>();
        for (NodeInfo n : infos.values()) {
            if (!(n.getInfo() instanceof TensorInfo t)) {
                unsupported.add(kind + " \"" + n.getName() + "\" is not a tensor (" + n.getInfo() + ")");
                continue;
            }
            TensorSpec spec = new TensorSpec(n.getName(), ElementTypes.of(t.onnxType), t.getShape(), t.getDimensionNames());
            if (!ElementTypes.supported(spec.elementType())) {
                unsupported.add(kind + " \"" + n.getName() + "\" has element type " + spec.dtype());
            }
            out.add(spec);
        }
        return out;
    }

    private static OnnxJavaType javaType(int elementType) {
        return switch (elementType) {
            case ElementTypes.FLOAT -> OnnxJavaType.FLOAT;
            case ElementTypes.DOUBLE -> OnnxJavaType.DOUBLE;
            case ElementTypes.UINT8 -> OnnxJavaType.UINT8;
            case ElementTypes.INT8 -> OnnxJavaType.INT8;
            case ElementTypes.INT16 -> OnnxJavaType.INT16;
            case ElementTypes.INT32 -> OnnxJavaType.INT32;
            case ElementTypes.INT64 -> OnnxJavaType.INT64;
            case ElementTypes.BOOL -> OnnxJavaType.BOOL;
            default -> throw new IllegalArgumentException("unsupported element type " + ElementTypes.dtype(elementType));
        };
    }
}
