package dev.sagebrush.compilation.tflite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.testsupport.TfliteFixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Java reader on the generated models, and on hostile variants of them: each is refused, nothing else. */
class TfliteModelTest {
    @Test
    void readsInputsOutputsAndOperatorsOfTheConvnet() throws Exception {
        TfliteModel m = TfliteModel.read(TfliteFixtures.model("convnet"));
        assertThat(m.schemaVersion()).isEqualTo(3);
        assertThat(m.inputs()).hasSize(1);
        assertThat(m.inputs().get(0).name()).isEqualTo("image");
        assertThat(m.inputs().get(0).dtype()).isEqualTo("float32");
        assertThat(m.inputs().get(0).shape()).containsExactly(1, 16, 16, 3);
        assertThat(m.outputs().get(0).name()).isEqualTo("probs");
        assertThat(m.outputs().get(0).shape()).containsExactly(1, 10);
        assertThat(m.operators()).containsExactly("CONV_2D", "RELU", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED",
                "SOFTMAX");
        assertThat(m.constantBytes()).isEqualTo(4 * (8 * 27 + 8 + 10 * 512 + 10));
    }

    @Test
    void badIdentifierAndEveryTruncationAreRefused() throws Exception {
        byte[] mlp = TfliteFixtures.model("mlp");
        byte[] bad = mlp.clone();
        bad[7] = 'X';
        assertThatThrownBy(() -> TfliteModel.read(bad)).isInstanceOf(TfliteModel.Invalid.class)
                .hasMessageContaining("no TFL3 identifier");
        for (int len = 0; len < mlp.length; len += 13) {
            byte[] cut = Arrays.copyOf(mlp, len);
            assertThatThrownBy(() -> TfliteModel.read(cut)).as("truncated to %d bytes", len)
                    .isInstanceOf(TfliteModel.Invalid.class);
        }
    }

    @Test
    void randomCorruptionIsReadOrRefusedNeverAnythingElse() throws Exception {
        byte[] mlp = TfliteFixtures.model("mlp");
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 3000; i++) {
            byte[] b = mlp.clone();
            for (int k = 0; k < 1 + rnd.nextInt(4); k++) b[8 + rnd.nextInt(b.length - 8)] = (byte) rnd.nextInt(256);
            try {
                TfliteModel.read(b);
            } catch (TfliteModel.Invalid expected) {
                // refused with a reason: the only other outcome allowed
            }
        }
    }

    @Test
    void hugeTensorsAndBuffersThatDisagreeWithTheirShapeAreRefused() throws Exception {
        byte[] mlp = TfliteFixtures.model("mlp");
        // input x's shape vector [1, 20] -> [1, 2^30]: 4 GiB of floats
        byte[] huge = TfliteFixtures.patchShape(mlp, new int[] {1, 20}, new int[] {1, 1 << 30});
        assertThatThrownBy(() -> TfliteModel.read(huge)).hasMessageContaining("tensor \"x\"")
                .hasMessageContaining("larger than 1024 MiB");
        // the first layer's weights [32, 20] -> [32, 21]: the buffer holds 32*20 floats
        byte[] wrong = TfliteFixtures.patchShape(mlp, new int[] {32, 20}, new int[] {32, 21});
        assertThatThrownBy(() -> TfliteModel.read(wrong)).hasMessageContaining("needs 2688 bytes but its buffer");
    }

    @Test
    void offsetsPointingOutsideOrAtThemselvesAreRefused() throws Exception {
        byte[] mlp = TfliteFixtures.model("mlp");
        byte[] out = mlp.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(0, out.length + 100);
        assertThatThrownBy(() -> TfliteModel.read(out)).hasMessageContaining("outside the buffer");
        byte[] self = mlp.clone();   // the root table's vtable offset made to point before the buffer
        int root = ByteBuffer.wrap(self).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        ByteBuffer.wrap(self).order(ByteOrder.LITTLE_ENDIAN).putInt(root, root + 8);
        assertThatThrownBy(() -> TfliteModel.read(self)).isInstanceOf(TfliteModel.Invalid.class);
    }

    @Test
    void operatorsOutsideOurSchemaAreRefusedAsUnsupported() throws Exception {
        assertThat(TfliteModel.SUPPORTED_OPERATORS).contains("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED",
                "QUANTIZE", "HARD_SWISH").doesNotContain("CUSTOM");
        byte[] mlp = TfliteFixtures.model("mlp").clone();
        FlatBuffer fb = new FlatBuffer(mlp);
        FlatBuffer.Vector codes = fb.vector(fb.root(), 1, 4, 10, "operator_codes");
        FlatBuffer.Table softmax = fb.tableAt(codes, 1, "SOFTMAX's code");
        assertThat(fb.i32(softmax, 3, 0, "builtin_code")).isEqualTo(25);
        // LSTM (16): a TFLite builtin that our reduced schema leaves out, in both opcode fields
        mlp[fb.field(softmax, 0, 1, "deprecated_builtin_code")] = 16;
        ByteBuffer.wrap(mlp).order(ByteOrder.LITTLE_ENDIAN).putInt(fb.field(softmax, 3, 4, "builtin_code"), 16);
        assertThatThrownBy(() -> TfliteModel.read(mlp)).isInstanceOf(TfliteModel.Invalid.class)
                .hasMessageContaining("operator with code 16").hasMessageContaining("supported: ABS, ADD, ARG_MAX")
                .matches(e -> ((TfliteModel.Invalid) e).unsupported());
    }

    @Test
    void readsTheNewerOperatorsAndTheQuantizationOfQuantizedModels() throws Exception {
        TfliteModel ops = TfliteModel.read(TfliteFixtures.model("ops"));
        assertThat(ops.operators()).contains("PAD", "RESIZE_BILINEAR", "STRIDED_SLICE", "LEAKY_RELU", "HARD_SWISH",
                "SPLIT", "MAXIMUM", "MINIMUM", "RESIZE_NEAREST_NEIGHBOR", "MEAN", "PACK", "TANH");
        assertThat(ops.outputs().get(0).step()).isZero();

        TfliteModel u8 = TfliteModel.read(TfliteFixtures.model("quant_u8"));
        TfliteModel.Io in = u8.inputs().get(0);
        assertThat(in.dtype()).isEqualTo("uint8");
        assertThat(in.quantization().scale()).containsExactly(1 / 255f);
        assertThat(in.quantization().zeroPoint()).containsExactly(0);
        assertThat(u8.outputs().get(0).step()).isEqualTo(1.0);   // a uint8 output: one integer step

        TfliteModel s8 = TfliteModel.read(TfliteFixtures.model("quant_s8"));
        assertThat(s8.operators()).contains("QUANTIZE", "DEQUANTIZE", "CONV_2D", "FULLY_CONNECTED");
        assertThat(s8.inputs().get(0).quantization()).isNull();   // float interface
        double step = Double.parseDouble(java.nio.file.Files.readString(TfliteFixtures.dir().resolve("quant_s8.step")));
        // the float output of DEQUANTIZE moves in steps of its int8 input's scale
        assertThat(s8.outputs().get(0).step()).isCloseTo(step, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(TfliteTvmCompiler.quantizedTolerance(s8)).containsOnlyKeys("y");
    }

    @Test
    void quantizationParametersOutsideWhatTvmTakesAreRefusedNamingTheTensor() throws Exception {
        byte[] s8 = TfliteFixtures.model("quant_s8");
        // per-channel conv weights: scales and zero points along dimension 0 (8 output channels)
        assertRefused(patchFloat(s8, "conv/weights", 2, 3, Float.NaN), false, "quantization scale NaN");
        assertRefused(patchFloat(s8, "conv/weights", 2, 0, -0.5f), false, "quantization scale -0.5");
        assertRefused(patchLong(s8, "conv/weights", 3, 5, 3), true, "per channel with non-zero zero points");
        assertRefused(patchInt(s8, "conv/weights", 6, 2), false, "8 per-channel scales along dimension 2");
        assertRefused(patchInt(s8, "conv/weights", 6, 9), false, "along dimension 9");
        assertRefused(patchVectorLength(s8, "conv/weights", 3, 7), false, "8 quantization scales but 7 zero points");
        assertRefused(patchByte(s8, "conv/weights", 4, 1), true, "custom quantization scheme");
        byte[] u8 = TfliteFixtures.model("quant_u8");
        assertRefused(patchLong(u8, "image", 3, 0, 300), false, "zero point 300, outside the type's range");
        assertRefused(patchLong(s8, "x_int8", 3, 0, -129), false, "zero point -129, outside the type's range");
    }

    @Test
    void randomCorruptionOfQuantizedAndNewOperatorModelsIsReadOrRefused() throws Exception {
        SplittableRandom rnd = new SplittableRandom(11);
        for (String name : new String[] {"quant_s8", "quant_u8", "ops"}) {
            byte[] model = TfliteFixtures.model(name);
            for (int i = 0; i < 2000; i++) {
                byte[] b = model.clone();
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) b[8 + rnd.nextInt(b.length - 8)] = (byte) rnd.nextInt(256);
                try {
                    TfliteModel.read(b);
                } catch (TfliteModel.Invalid expected) {
                    // refused with a reason: the only other outcome allowed
                }
            }
            for (int len = 0; len < model.length; len += 7) {
                byte[] cut = Arrays.copyOf(model, len);
                assertThatThrownBy(() -> TfliteModel.read(cut)).as("%s truncated to %d bytes", name, len)
                        .isInstanceOf(TfliteModel.Invalid.class);
            }
        }
    }

    static void assertRefused(byte[] model, boolean unsupported, String message) {
        assertThatThrownBy(() -> TfliteModel.read(model)).isInstanceOf(TfliteModel.Invalid.class)
                .hasMessageContaining(message)
                .matches(e -> ((TfliteModel.Invalid) e).unsupported() == unsupported, "unsupported == " + unsupported);
    }

    /** The QuantizationParameters table of the tensor named {@code name}. */
    static FlatBuffer.Table quantization(FlatBuffer fb, String name) throws Exception {
        FlatBuffer.Table sg = fb.tableAt(fb.vector(fb.root(), 2, 4, 10, "subgraphs"), 0, "subgraph");
        FlatBuffer.Vector tensors = fb.vector(sg, 0, 4, 10_000, "tensors");
        for (int i = 0; i < tensors.length(); i++) {
            FlatBuffer.Table t = fb.tableAt(tensors, i, "tensor");
            if (name.equals(fb.string(t, 3, 1000, "name"))) return fb.subTable(t, 4, "quantization");
        }
        throw new AssertionError("no tensor " + name);
    }

    static byte[] patchFloat(byte[] model, String tensor, int slot, int index, float value) throws Exception {
        byte[] b = model.clone();
        FlatBuffer fb = new FlatBuffer(b);
        FlatBuffer.Vector v = fb.vector(quantization(fb, tensor), slot, 4, 1 << 20, "vector");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(v.start() + 4 * index, value);
        return b;
    }

    static byte[] patchLong(byte[] model, String tensor, int slot, int index, long value) throws Exception {
        byte[] b = model.clone();
        FlatBuffer fb = new FlatBuffer(b);
        FlatBuffer.Vector v = fb.vector(quantization(fb, tensor), slot, 8, 1 << 20, "vector");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(v.start() + 8 * index, value);
        return b;
    }

    static byte[] patchVectorLength(byte[] model, String tensor, int slot, int length) throws Exception {
        byte[] b = model.clone();
        FlatBuffer fb = new FlatBuffer(b);
        FlatBuffer.Vector v = fb.vector(quantization(fb, tensor), slot, 8, 1 << 20, "vector");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(v.start() - 4, length);
        return b;
    }

    static byte[] patchInt(byte[] model, String tensor, int slot, int value) throws Exception {
        byte[] b = model.clone();
        FlatBuffer fb = new FlatBuffer(b);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(fb.field(quantization(fb, tensor), slot, 4, "f"), value);
        return b;
    }

    static byte[] patchByte(byte[] model, String tensor, int slot, int value) throws Exception {
        byte[] b = model.clone();
        FlatBuffer fb = new FlatBuffer(b);
        b[fb.field(quantization(fb, tensor), slot, 1, "f")] = (byte) value;
        return b;
    }
}
