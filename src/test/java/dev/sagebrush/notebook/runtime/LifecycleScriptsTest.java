package dev.sagebrush.notebook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LifecycleScriptsTest {
    @Test
    void limitsAreSpelledOutAsAwsDoes() {
        assertThat(LifecycleScripts.words(Duration.ofMinutes(5))).isEqualTo("5 minutes");
        assertThat(LifecycleScripts.words(Duration.ofMinutes(1))).isEqualTo("1 minute");
        assertThat(LifecycleScripts.words(Duration.ofSeconds(2))).isEqualTo("2 seconds");
        assertThat(LifecycleScripts.words(Duration.ofSeconds(1))).isEqualTo("1 second");
        assertThat(LifecycleScripts.words(Duration.ofMillis(1500))).isEqualTo("1500 milliseconds");
    }

    @Test
    void instanceUsersFitUnixLimitsAndDifferPerInstance() {
        String longName = "a".repeat(63);
        InstanceLayout a = InstanceLayout.of(java.nio.file.Path.of("/x"), longName);
        InstanceLayout b = InstanceLayout.of(java.nio.file.Path.of("/x"), "b");
        assertThat(a.userName()).startsWith("sbnb-").hasSizeLessThanOrEqualTo(32).isNotEqualTo(b.userName());
        assertThat(a.baseUrl()).isEqualTo("/notebooks/" + longName + "/");
    }
}
