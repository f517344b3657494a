package dev.sagebrush.training.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.MetricData;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;

class MetricExtractorTest {
    static MetricDefinition def(String name, String regex) {
        return MetricDefinition.builder().name(name).regex(regex).build();
    }

    @Test
    void keepsEachMetricsLastValueAndTimestamp() {
        MetricExtractor m = MetricExtractor.of(List.of(def("loss", "loss: ([0-9.e-]+)"), def("acc", "acc=(\\S+)")));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        m.accept("epoch 1 loss: 0.5 acc=0.7", t0);
        m.accept("epoch 2 loss: 0.25", t0.plusSeconds(1));
        m.accept("nothing here", t0.plusSeconds(2));
        m.accept("epoch 3 loss: 1e-3", t0.plusSeconds(3));
        assertThat(m.finalMetrics()).containsExactly(
                MetricData.builder().metricName("loss").value(0.001f).timestamp(t0.plusSeconds(3)).build(),
                MetricData.builder().metricName("acc").value(0.7f).timestamp(t0).build());
        assertThat(m.changes()).isEqualTo(4);
    }

    @Test
    void withoutAGroupTheWholeMatchIsTheValue() {
        MetricExtractor m = MetricExtractor.of(List.of(def("n", "[0-9]+\\.[0-9]+")));
        m.accept("value 12.5 units", Instant.EPOCH);
        assertThat(m.finalMetrics().get(0).value()).isEqualTo(12.5f);
    }

    @Test
    void nonNumericAndNonFiniteMatchesAreSkippedNotRecorded() {
        MetricExtractor m = MetricExtractor.of(List.of(def("loss", "loss=(\\S+)")));
        m.accept("loss=0.3", Instant.EPOCH);
        m.accept("loss=nan", Instant.EPOCH.plusSeconds(1));
        m.accept("loss=Infinity", Instant.EPOCH.plusSeconds(1));
        m.accept("loss=abc", Instant.EPOCH.plusSeconds(1));
        assertThat(m.finalMetrics()).extracting(MetricData::value).containsExactly(0.3f);
    }

    @Test
    void aCatastrophicBacktrackingPatternRunsInLinearTime() {
        MetricExtractor m = MetricExtractor.of(List.of(def("evil", "^(a+)+$")));
        String line = "a".repeat(MetricExtractor.MAX_LINE_CHARS * 4) + "!";
        long t0 = System.nanoTime();
        for (int i = 0; i < 10; i++) m.accept(line, Instant.EPOCH);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(m.finalMetrics()).isEmpty();
    }

    @Test
    void patternsOutsideRe2SyntaxAreRejectedWithTheMetricsName() {
        assertThatThrownBy(() -> MetricExtractor.of(List.of(def("m", "(?<=x)y"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("The regular expression of metric 'm' is not valid");
        assertThat(MetricExtractor.of(null).isEmpty()).isTrue();
    }

    @Test
    void controlCharactersAreMatchedAsCloudWatchShowsThem() {
        assertThat(MetricExtractor.escapeControlCharacters("[0]\ttrain-rmse:1.5\r\u0001\u007f"))
                .isEqualTo("[0]#011train-rmse:1.5#015#001#177");
        assertThat(MetricExtractor.escapeControlCharacters("plain text")).isEqualTo("plain text");
        // SageMaker's built-in XGBoost definitions are written for '#011' where the algorithm prints a tab.
        MetricExtractor m = MetricExtractor.of(List.of(
                def("train:rmse", ".*\\[[0-9]+\\].*#011train-rmse:([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"),
                def("validation:rmse", ".*\\[[0-9]+\\].*#011validation-rmse:([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*")));
        m.accept("[12]\ttrain-rmse:1.25702\tvalidation-rmse:2.43126", Instant.EPOCH);
        assertThat(m.finalMetrics()).extracting(MetricData::value).containsExactly(1.25702f, 2.43126f);
    }
}
