package dev.sagebrush.compilation.xgboost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class XgbLoaderTest {
    static Stream<Fixtures.Fixture> fixtures() { return Fixtures.predicted().stream(); }

    @ParameterizedTest
    @MethodSource("fixtures")
    void allFormatsGiveIdenticalIr(Fixtures.Fixture fx) throws Exception {
        XgbModel json = XgbLoader.load(fx.file("json"));
        assertThat(XgbLoader.detect(Files.readAllBytes(fx.file("json")))).isEqualTo(XgbLoader.Format.JSON);
        assertThat(json.objective().name()).isEqualTo(fx.objective());
        assertThat(json.numFeature()).isEqualTo(fx.numFeature());
        assertThat(json.numGroups()).isEqualTo(fx.marginWidth());
        assertThat(json.numOutputs()).isEqualTo(fx.predWidth());
        assertThat(json.xgboostVersion()).isEqualTo("1.7.4");
        for (String ext : fx.formats()) {
            XgbModel other = XgbLoader.load(fx.file(ext));
            XgbLoader.Format want = ext.equals("ubj") ? XgbLoader.Format.UBJSON
                    : ext.equals("model") ? XgbLoader.Format.LEGACY_BINARY : XgbLoader.Format.JSON;
            assertThat(XgbLoader.detect(Files.readAllBytes(fx.file(ext)))).isEqualTo(want);
            assertSameIr(json, other, fx + "." + ext);
        }
    }

    static void assertSameIr(XgbModel a, XgbModel b, String what) {
        assertThat(b.objective()).as(what).isEqualTo(a.objective());
        assertThat(b.numFeature()).as(what).isEqualTo(a.numFeature());
        assertThat(b.numClass()).as(what).isEqualTo(a.numClass());
        assertThat(b.baseMargin()).as(what).isEqualTo(a.baseMargin());
        assertThat(b.treeInfo()).as(what).isEqualTo(a.treeInfo());
        assertThat(b.treeWeights()).as(what).isEqualTo(a.treeWeights());
        assertThat(b.trees()).as(what).hasSameSizeAs(a.trees());
        for (int t = 0; t < a.trees().size(); t++) {
            assertThat(b.trees().get(t).sameAs(a.trees().get(t))).as(what + " tree " + t).isTrue();
        }
    }

    @Test
    void dartHasWeights() throws Exception {
        XgbModel m = XgbLoader.load(Fixtures.get("dart").file("json"));
        assertThat(m.isDart()).isTrue();
        assertThat(m.treeWeights()).hasSize(m.trees().size());
    }

    @Test
    void rejectsCategoricalSplits() {
        for (String ext : new String[] {"json", "ubj"}) {
            assertThatThrownBy(() -> XgbLoader.load(Fixtures.dir().resolve("categorical." + ext)))
                    .isInstanceOf(XgbUnsupportedModelException.class)
                    .hasMessageContaining("categorical split (split_type=1) on feature 1")
                    .hasMessageContaining("only emits numeric 'x < threshold' tests");
        }
    }

    @Test
    void rejectsGblinear() {
        assertThatThrownBy(() -> XgbLoader.load(Fixtures.dir().resolve("gblinear.json")))
                .isInstanceOf(XgbUnsupportedModelException.class)
                .hasMessage("booster 'gblinear' is not supported: the compiler only translates tree ensembles"
                        + " (gbtree, dart) into C; a linear booster has no trees");
    }

    @Test
    void rejectsMultiTarget() {
        assertThatThrownBy(() -> XgbLoader.load(Fixtures.dir().resolve("multi_target.json")))
                .isInstanceOf(XgbUnsupportedModelException.class)
                .hasMessageStartingWith("multi-target model (num_target=2) is not supported");
    }

    @Test
    void rejectsUnknownObjective() throws Exception {
        String json = Files.readString(Fixtures.get("reg_squarederror").file("json"))
                .replace("\"name\":\"reg:squarederror\"", "\"name\":\"reg:quantileerror\"");
        assertThat(json).contains("reg:quantileerror");
        assertThatThrownBy(() -> XgbLoader.load(json.getBytes()))
                .isInstanceOf(XgbUnsupportedModelException.class)
                .hasMessageStartingWith("objective 'reg:quantileerror' is not supported");
    }

    @Test
    void rejectsGarbageAndTruncation() throws Exception {
        assertThatThrownBy(() -> XgbLoader.load("hello".getBytes())).isInstanceOf(XgbModelException.class)
                .hasMessageContaining("not an XGBoost model");
        byte[] ubj = Files.readAllBytes(Fixtures.get("reg_squarederror").file("ubj"));
        assertThatThrownBy(() -> XgbLoader.load(java.util.Arrays.copyOf(ubj, ubj.length / 2)))
                .isInstanceOf(XgbModelException.class);
        byte[] bin = Files.readAllBytes(Fixtures.get("reg_squarederror").file("model"));
        assertThatThrownBy(() -> XgbLoader.load(java.util.Arrays.copyOf(bin, bin.length / 2)))
                .isInstanceOf(XgbModelException.class);
    }
}
