package dev.sagebrush.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Remembering matched values changes no answer: a value that matched once matches again, a refused one never does. */
class FullPatternTest {
    @Test
    void rememberedMatchesGiveTheSameAnswersAsMatching() {
        FullPattern name = FullPattern.compile("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
        for (int round = 0; round < 3; round++) {
            assertThat(name.matches("bench-describe-training")).isTrue();
            assertThat(name.matches("-leading-dash")).isFalse();
            assertThat(name.matches("bench-describe-training\n")).isFalse();
            assertThat(name.matches("")).isFalse();
        }
        // Past the bound the memory starts again; answers stay the same.
        for (int i = 0; i < FullPattern.REMEMBERED * 2 + 10; i++) {
            assertThat(name.matches("job-" + i)).isTrue();
            assertThat(name.matches("job_" + i)).isFalse();
        }
        assertThat(name.matches("bench-describe-training")).isTrue();
        assertThat(name.matches("x".repeat(64))).isFalse(); // over the pattern's repeat count
    }
}
