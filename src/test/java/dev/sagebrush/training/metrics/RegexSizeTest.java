package dev.sagebrush.training.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;

class RegexSizeTest {
    @Test
    void ordinaryMetricPatternsAreSmall() {
        for (String p : new String[] {"Train_Loss: ([0-9\\.]+)", "auc=(\\S+)", "(?i)loss[:=]\\s*(-?[0-9.eE+-]+)",
                "^epoch \\d+ .*acc(uracy)?=([0-9.]+)$", "\\Qval-loss:\\E (\\d+\\.\\d+)", "[[:alpha:]]+\\p{Greek}{2,3}"}) {
            assertThat(RegexSize.of(p)).as(p).isLessThan(100);
            MetricExtractor.compile(MetricDefinition.builder().name("m").regex(p).build());
        }
    }

    @Test
    void nestedCountedRepetitionsMultiply() {
        assertThat(RegexSize.of("((a{1000}){1000}){1000}")).isGreaterThanOrEqualTo(1_000_000_000L);
        assertThat(RegexSize.of("(ab){10}")).isGreaterThanOrEqualTo(20);
        assertThat(RegexSize.of("a{2,}")).isGreaterThanOrEqualTo(3);
        assertThat(RegexSize.of("a{,5}")).isLessThan(10); // not a repetition in RE2: literal text
        assertThat(RegexSize.of("[a{1000}]")).isEqualTo(1); // inside a class, braces are literal
        assertThat(RegexSize.of("\\{1000}")).isLessThan(10);
        assertThat(RegexSize.of("(((((((((((a{9}){9}){9}){9}){9}){9}){9}){9}){9}){9}){9})")).isGreaterThan(1L << 30);
    }

    @Test
    void largePatternsAreRefusedBeforeCompiling() {
        assertThatThrownBy(() -> MetricExtractor.compile(
                MetricDefinition.builder().name("loss").regex("((a{1000}){1000}){1000}").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metric 'loss' is too large").hasMessageContaining("limit of 2000");
    }
}
