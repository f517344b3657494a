package dev.sagebrush.compilation.tflite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the server needs to know of an uploaded {@code .tflite} before any native code sees it, read with budgets by
 * {@link FlatBuffer}: the main subgraph's inputs and outputs (name, type, shape, and {@code shape_signature}, where -1
 * marks a dimension the model leaves open), the operators it uses, and whether every tensor, operator and buffer is
 * consistent (indices in range, constant data exactly the size its shape says, no tensor past {@link #MAX_TENSOR_BYTES},
 * quantization parameters TVM's QNN lowering can take: {@link TfliteQuantization}, an operator's options table inside
 * the buffer).
 * Field numbers are those of the TFLite format, as written in our reduced schema (compilation/tvm/tflite/schema.fbs),
 * whose BuiltinOperator enum is also the list of operators accepted: any other is refused before TVM sees the model.
 */
public record TfliteModel(long schemaVersion, List<Io> inputs, List<Io> outputs, Set<String> operators,
                          int tensorCount, long constantBytes) {
    /** The file as a whole: a model TVM's importer must hold in memory twice. */
    public static final long MAX_FILE_BYTES = 1L << 30;
    public static final long MAX_TENSOR_BYTES = 1L << 30;
    /** All tensors' bytes together (activations are what TVM plans memory for). */
    public static final long MAX_TOTAL_TENSOR_BYTES = 4L << 30;
    static final int MAX_TENSORS = 100_000, MAX_OPERATORS = 100_000, MAX_BUFFERS = 100_000, MAX_OPCODES = 10_000;
    static final int MAX_RANK = 8, MAX_NAME_BYTES = 4096, MAX_OPERATOR_ARGS = 10_000;

    /**
     * A subgraph input or output. {@code signature} holds -1 where the dimension is open. {@code quantization} is the
     * tensor's own (null for a float tensor). {@code step} is how far apart two neighbouring values of this output can
     * be after integer arithmetic, in its own units: 1 for a quantized integer output, the scale of the DEQUANTIZE's
     * input for a float output that DEQUANTIZE produces, 0 when the output is not quantized.
     */
    public record Io(String name, String dtype, long[] shape, long[] signature, TfliteQuantization quantization,
                     double step) {
        public Io(String name, String dtype, long[] shape, long[] signature) {
            this(name, dtype, shape, signature, null, 0);
        }

        Io withStep(double s) {
            return new Io(name, dtype, shape, signature, quantization, s);
        }
    }

    /** The model is not something this server will hand to TVM; the message says why, in the model's terms. */
    public static final class Invalid extends Exception {
        private final boolean unsupported;

        Invalid(String message, boolean unsupported) {
            super(message);
            this.unsupported = unsupported;
        }

        /** True for a well-formed model using what TVM cannot compile (a CompilationError, not an input error). */
        public boolean unsupported() {
            return unsupported;
        }
    }

    /** TFLite TensorType code to TVM dtype and element size; types TVM's frontend cannot take are absent. */
    private static final Map<Integer, String> DTYPES = Map.of(0, "float32", 1, "float16", 2, "int32", 3, "uint8",
            4, "int64", 6, "bool", 7, "int16", 9, "int8", 10, "float64");
    private static final Map<Integer, String> OPERATOR_NAMES = operatorNames();
    /** What the server compiles, for messages: every operator the schema names but CUSTOM (refused on its own). */
    public static final List<String> SUPPORTED_OPERATORS = OPERATOR_NAMES.values().stream()
            .filter(n -> !n.equals("CUSTOM")).sorted().toList();

    public static TfliteModel read(byte[] bytes) throws Invalid {
        if (bytes.length > MAX_FILE_BYTES) throw invalid("it is larger than " + (MAX_FILE_BYTES >> 20) + " MiB");
        if (bytes.length < 8 || !new String(bytes, 4, 4, StandardCharsets.ISO_8859_1).equals("TFL3")) {
            throw invalid("it has no TFL3 identifier at offset 4");
        }
        try {
            return readChecked(new FlatBuffer(bytes));
        } catch (FlatBuffer.Malformed e) {
            throw invalid(e.getMessage());
        }
    }

    private static TfliteModel readChecked(FlatBuffer fb) throws FlatBuffer.Malformed, Invalid {
        FlatBuffer.Table model = fb.root();
        long version = fb.u32(model, 0, 0, "Model.version");
        FlatBuffer.Vector codes = fb.vector(model, 1, 4, MAX_OPCODES, "Model.operator_codes");
        List<String> opNames = new ArrayList<>();
        for (int i = 0; i < codes.length(); i++) {
            FlatBuffer.Table c = fb.tableAt(codes, i, "OperatorCode " + i);
            int code = Math.max(fb.i8(c, 0, 0, "OperatorCode.deprecated_builtin_code"),
                    fb.i32(c, 3, 0, "OperatorCode.builtin_code"));
            if (code == 32) {
                String custom = fb.string(c, 1, MAX_NAME_BYTES, "OperatorCode.custom_code");
                throw unsupported("it uses the custom operator \"" + custom + "\", which TVM's TFLite frontend cannot "
                        + "compile (only builtin operators are)");
            }
            String name = OPERATOR_NAMES.get(code);
            if (name == null) {
                throw unsupported("it uses the TFLite builtin operator with code " + code + ", which this server does "
                        + "not compile; supported: " + String.join(", ", SUPPORTED_OPERATORS));
            }
            opNames.add(name);
        }
        FlatBuffer.Vector subgraphs = fb.vector(model, 2, 4, MAX_OPCODES, "Model.subgraphs");
        if (subgraphs.length() == 0) throw invalid("it has no subgraph");
        if (subgraphs.length() > 1) {
            throw unsupported("it has " + subgraphs.length() + " subgraphs (control flow such as WHILE, IF or "
                    + "CALL_ONCE); TVM's TFLite frontend compiles single-subgraph models only");
        }
        FlatBuffer.Vector buffers = fb.vector(model, 4, 4, MAX_BUFFERS, "Model.buffers");
        long[] bufferBytes = new long[buffers.length()];
        for (int i = 0; i < buffers.length(); i++) {
            FlatBuffer.Table buf = fb.tableAt(buffers, i, "Buffer " + i);
            if (fb.u64(buf, 1, 0, "Buffer.offset") > 1) {
                throw unsupported("buffer " + i + " keeps its data outside the flatbuffer (the layout of models over "
                        + "2 GB), which TVM's TFLite frontend cannot read");
            }
            bufferBytes[i] = fb.vector(buf, 0, 1, MAX_FILE_BYTES, "Buffer " + i + " data").length();
        }

        FlatBuffer.Table sg = fb.tableAt(subgraphs, 0, "SubGraph 0");
        FlatBuffer.Vector tensorVec = fb.vector(sg, 0, 4, MAX_TENSORS, "SubGraph.tensors");
        int n = tensorVec.length();
        List<Io> tensors = new ArrayList<>(n);
        long total = 0, constants = 0;
        for (int i = 0; i < n; i++) {
            String what = "tensor " + i;
            FlatBuffer.Table t = fb.tableAt(tensorVec, i, what);
            String name = fb.string(t, 3, MAX_NAME_BYTES, what + " name");
            name = name == null || name.isEmpty() ? "tensor_" + i : name;
            int type = fb.i8(t, 1, 0, what + " type");
            long[] shape = ints(fb, t, 0, what + " shape");
            long[] signature = fb.indirect(t, 7, what) < 0 ? shape.clone() : ints(fb, t, 7, what + " shape_signature");
            if (signature.length != shape.length) {
                throw invalid("tensor \"" + name + "\" has shape " + Arrays.toString(shape) + " but shape_signature "
                        + Arrays.toString(signature));
            }
            String dtype = DTYPES.get(type);
            long elements = 1;
            for (int d = 0; d < shape.length; d++) {
                if (shape[d] < 0) shape[d] = 1;   // some converters write -1 in shape too: the signature keeps it open
                if (signature[d] < -1) throw invalid("tensor \"" + name + "\" has dimension " + signature[d]);
                elements = Math.multiplyExact(elements, Math.max(shape[d], 1));
                if (elements > MAX_TENSOR_BYTES) {
                    throw invalid("tensor \"" + name + "\" of shape " + Arrays.toString(shape) + " is larger than "
                            + (MAX_TENSOR_BYTES >> 20) + " MiB");
                }
            }
            long bytes = dtype == null ? 0 : elements * elementSize(dtype);
            if (bytes > MAX_TENSOR_BYTES) {
                throw invalid("tensor \"" + name + "\" of shape " + Arrays.toString(shape) + " is larger than "
                        + (MAX_TENSOR_BYTES >> 20) + " MiB");
            }
            total += bytes;
            if (total > MAX_TOTAL_TENSOR_BYTES) {
                throw invalid("its tensors hold more than " + (MAX_TOTAL_TENSOR_BYTES >> 30) + " GiB together");
            }
            long buffer = fb.u32(t, 2, 0, what + " buffer");
            if (buffer >= bufferBytes.length && !(buffer == 0 && bufferBytes.length == 0)) {
                throw invalid("tensor \"" + name + "\" refers to buffer " + buffer + " of " + bufferBytes.length);
            }
            long data = buffer < bufferBytes.length ? bufferBytes[(int) buffer] : 0;
            if (data > 0) {
                if (dtype == null) throw unsupported("constant tensor \"" + name + "\" has TFLite type " + type);
                if (data != bytes) {
                    throw invalid("constant tensor \"" + name + "\" of shape " + Arrays.toString(shape) + " needs "
                            + bytes + " bytes but its buffer " + buffer + " holds " + data);
                }
                constants += data;
            }
            TfliteQuantization quant = dtype == null ? null : TfliteQuantization.read(fb, t, name, dtype, shape);
            tensors.add(new Io(name, dtype == null ? "tflite type " + type : dtype, shape, signature, quant,
                    quant != null && quant.perTensor() ? 1 : 0));
        }
        FlatBuffer.Vector ops = fb.vector(sg, 3, 4, MAX_OPERATORS, "SubGraph.operators");
        Set<String> used = new LinkedHashSet<>();
        int[] dequantizedFrom = new int[n];   // for a DEQUANTIZE's output: its input tensor, else -1
        Arrays.fill(dequantizedFrom, -1);
        for (int i = 0; i < ops.length(); i++) {
            FlatBuffer.Table op = fb.tableAt(ops, i, "operator " + i);
            long idx = fb.u32(op, 0, 0, "operator " + i + " opcode_index");
            if (idx >= opNames.size()) throw invalid("operator " + i + " has opcode index " + idx + " of " + opNames.size());
            String opName = opNames.get((int) idx);
            used.add(opName);
            int[][] args = new int[2][];
            for (int slot : new int[] {1, 2}) {
                FlatBuffer.Vector v = fb.vector(op, slot, 4, MAX_OPERATOR_ARGS, "operator " + i + " tensors");
                args[slot - 1] = new int[v.length()];
                for (int a = 0; a < v.length(); a++) {
                    int t = fb.i32At(v, a);
                    if (t < -1 || t >= n) throw invalid("operator " + i + " refers to tensor " + t + " of " + n);
                    args[slot - 1][a] = t;
                }
            }
            // Its options table, when it has one, must lie inside the buffer: TVM's frontend reads it.
            if (fb.u8(op, 3, 0, "operator " + i + " builtin_options_type") != 0) {
                fb.subTable(op, 4, "operator " + i + " (" + opName + ") options");
            }
            if (opName.equals("DEQUANTIZE") && args[0].length == 1 && args[1].length == 1 && args[0][0] >= 0
                    && args[1][0] >= 0) {
                dequantizedFrom[args[1][0]] = args[0][0];
            }
        }
        for (int t = 0; t < n; t++) {
            int from = dequantizedFrom[t];
            if (from >= 0 && tensors.get(from).quantization() != null && tensors.get(from).quantization().perTensor()) {
                tensors.set(t, tensors.get(t).withStep(tensors.get(from).quantization().scale()[0]));
            }
        }
        List<Io> inputs = ios(fb, sg, 1, tensors, "SubGraph.inputs");
        List<Io> outputs = ios(fb, sg, 2, tensors, "SubGraph.outputs");
        if (inputs.isEmpty()) throw invalid("its main subgraph has no inputs");
        if (outputs.isEmpty()) throw invalid("its main subgraph has no outputs");
        for (Io io : inputs) {
            if (!DTYPES.containsKey(typeCode(io.dtype())) || io.dtype().equals("float16")) {
                throw unsupported("input \"" + io.name() + "\" has type " + io.dtype() + ", which cannot be verified");
            }
        }
        return new TfliteModel(version, inputs, outputs, used, n, constants);
    }

    private static List<Io> ios(FlatBuffer fb, FlatBuffer.Table sg, int slot, List<Io> tensors, String what)
            throws FlatBuffer.Malformed, Invalid {
        FlatBuffer.Vector v = fb.vector(sg, slot, 4, MAX_TENSORS, what);
        List<Io> out = new ArrayList<>();
        for (int i = 0; i < v.length(); i++) {
            int t = fb.i32At(v, i);
            if (t < 0 || t >= tensors.size()) throw invalid(what + " refers to tensor " + t + " of " + tensors.size());
            out.add(tensors.get(t));
        }
        return out;
    }

    private static long[] ints(FlatBuffer fb, FlatBuffer.Table t, int slot, String what) throws FlatBuffer.Malformed {
        FlatBuffer.Vector v = fb.vector(t, slot, 4, MAX_RANK, what);
        long[] out = new long[v.length()];
        for (int i = 0; i < out.length; i++) out[i] = fb.i32At(v, i);
        return out;
    }

    public static int elementSize(String dtype) {
        return switch (dtype) {
            case "float64", "int64" -> 8;
            case "float32", "int32" -> 4;
            case "float16", "int16" -> 2;
            default -> 1;
        };
    }

    private static int typeCode(String dtype) {
        return DTYPES.entrySet().stream().filter(e -> e.getValue().equals(dtype)).mapToInt(Map.Entry::getKey)
                .findFirst().orElse(-1);
    }

    static Invalid invalid(String why) {
        return new Invalid(why, false);
    }

    static Invalid unsupported(String why) {
        return new Invalid(why, true);
    }

    /** BuiltinOperator's names, read from our schema so they cannot drift from what TVM is given. */
    private static Map<Integer, String> operatorNames() {
        try (InputStream in = TfliteModel.class.getResourceAsStream("/dev/sagebrush/compilation/tvm/tflite/schema.fbs")) {
            if (in == null) throw new IllegalStateException("schema.fbs resource missing from the build");
            String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int start = s.indexOf("enum BuiltinOperator");
            String body = s.substring(start, s.indexOf('}', start));
            Map<Integer, String> names = new TreeMap<>();
            Matcher m = Pattern.compile("(?m)^\\s*([A-Z][A-Z_0-9]*)\\s*=\\s*(\\d+)").matcher(body);
            while (m.find()) names.put(Integer.parseInt(m.group(2)), m.group(1));
            return Map.copyOf(names);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
