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
        // GATHER (36): a TFLite builtin that our reduced schema leaves out, in both opcode fields
        mlp[fb.field(softmax, 0, 1, "deprecated_builtin_code")] = 36;
        ByteBuffer.wrap(mlp).order(ByteOrder.LITTLE_ENDIAN).putInt(fb.field(softmax, 3, 4, "builtin_code"), 36);
        assertThatThrownBy(() -> TfliteModel.read(mlp)).isInstanceOf(TfliteModel.Invalid.class)
                .hasMessageContaining("operator with code 36").hasMessageContaining("supported: ADD, AVERAGE_POOL_2D")
                .matches(e -> ((TfliteModel.Invalid) e).unsupported());
    }
}
