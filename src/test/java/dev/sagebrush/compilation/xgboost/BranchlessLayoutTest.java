package dev.sagebrush.compilation.xgboost;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The layout the C code walks gives the reference margins, checked in Java with no compiler involved. */
class BranchlessLayoutTest {
    static Stream<Fixtures.Fixture> fixtures() { return Fixtures.predicted().stream(); }

    @ParameterizedTest
    @MethodSource("fixtures")
    void layoutWalkEqualsReference(Fixtures.Fixture fx) throws Exception {
        XgbModel m = XgbLoader.load(fx.file("json"));
        BranchlessLayout l = BranchlessLayout.of(m);
        VerificationRows rows = VerificationRows.generate(m, 200, 1);
        float[] want = new ReferenceEvaluator(m).margins(rows.rows, rows.nrow);
        assertThat(Fixtures.firstBitDifference(l.margins(m, rows.rows, rows.nrow), want)).isEqualTo(-1);
        assertThat(Fixtures.firstBitDifference(l.margins(m, fx.rows(), fx.nrow()), fx.margins())).isEqualTo(-1);
        for (int n = 0; n < l.left.length; n++) {
            if (Float.isNaN(l.threshold[n])) {
                assertThat(l.left[n]).as("leaf points to itself").isEqualTo(n);
            }
        }
        assertThat(l.maxDepth()).isEqualTo(m.maxDepth());
    }
}
