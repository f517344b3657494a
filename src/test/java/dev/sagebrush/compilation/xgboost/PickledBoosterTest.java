package dev.sagebrush.compilation.xgboost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The xgboost-model of SageMaker's built-in XGBoost 0.90-1 to 1.2-2: a pickled Booster, read without running it. */
class PickledBoosterTest {
    @ParameterizedTest
    @CsvSource({"binary_logistic, pkl", "binary_logistic, pkl090", "multi_softprob, pkl", "multi_softprob, pkl090",
            "dart, pkl", "dart, pkl090"})
    void aPickledBoosterLoadsAsTheSameModel(String name, String ext) throws Exception {
        Fixtures.Fixture fx = Fixtures.predicted().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
        byte[] pickle = Files.readAllBytes(fx.file(ext));
        assertThat(PickledBooster.looksLikePickle(pickle)).isTrue();
        XgbModel model = XgbLoader.load(fx.file(ext));
        XgbLoaderTest.assertSameIr(XgbLoader.load(fx.file("json")), model, name + "." + ext);
        float[] margins = new ReferenceEvaluator(model).margins(fx.rows(), fx.nrow());
        assertThat(margins).containsExactly(fx.margins());
    }

    /** A pickle is never run: anything but a Booster built from bytes is refused by name. */
    @Test
    void picklesThatCallAnythingElseAreRefused() {
        // cos\nsystem\n(S'echo pwned'\ntR.  (protocol 0 would not even be read; this is the protocol-2 form)
        byte[] system = concat(new byte[] {(byte) 0x80, 2}, "cos\nsystem\n".getBytes(StandardCharsets.US_ASCII),
                new byte[] {(byte) 0x8c, 4}, "echo".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0x85, 'R', '.'});
        assertThatThrownBy(() -> XgbLoader.load(system)).isInstanceOf(XgbModelException.class)
                .hasMessageContaining("calls os.system, which is not part of an xgboost Booster");

        byte[] notBooster = new byte[] {(byte) 0x80, 4, (byte) 0x8c, 2, 'h', 'i', '.'};
        assertThatThrownBy(() -> XgbLoader.load(notBooster)).isInstanceOf(XgbModelException.class)
                .hasMessageContaining("does not hold an xgboost Booster");
    }

    @Test
    void truncatedOrCorruptPicklesFailCleanly() throws Exception {
        byte[] good = Files.readAllBytes(Fixtures.dir().resolve("binary_logistic.pkl090"));
        for (int cut : new int[] {2, 10, 40, 200, good.length / 2, good.length - 1}) {
            assertThatThrownBy(() -> XgbLoader.load(Arrays.copyOf(good, cut))).as("cut at %d", cut)
                    .isInstanceOf(XgbModelException.class);
        }
        byte[] flipped = good.clone();
        flipped[20] = (byte) 0xff; // an opcode no Booster pickle uses
        assertThatThrownBy(() -> XgbLoader.load(flipped)).isInstanceOf(XgbModelException.class);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
