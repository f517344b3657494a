package dev.sagebrush.compilation.xgboost;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ReferenceEvaluatorTest {
    static Stream<Fixtures.Fixture> fixtures() { return Fixtures.predicted().stream(); }

    @ParameterizedTest
    @MethodSource("fixtures")
    void marginsAreBitExactWithXgboost(Fixtures.Fixture fx) throws Exception {
        float[] rows = fx.rows();
        float[] want = fx.margins();
        for (String ext : fx.formats()) {
            float[] got = new ReferenceEvaluator(XgbLoader.load(fx.file(ext))).margins(rows, fx.nrow());
            int i = Fixtures.firstBitDifference(got, want);
            assertThat(i).as("%s.%s first differing margin at %d: got %s want %s", fx, ext, i,
                    i >= 0 && i < got.length ? got[i] : null, i >= 0 && i < want.length ? want[i] : null)
                    .isEqualTo(-1);
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void transformedOutputsMatchXgboost(Fixtures.Fixture fx) throws Exception {
        float[] got = new ReferenceEvaluator(XgbLoader.load(fx.file("json"))).predict(fx.rows(), fx.nrow());
        float[] want = fx.preds();
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < got.length; i++) {
            assertThat(Math.abs(got[i] - want[i])).as("%s output %d: %s vs %s", fx, i, got[i], want[i])
                    .isLessThanOrEqualTo(1e-6f * Math.max(1f, Math.abs(want[i])));
        }
    }
}
