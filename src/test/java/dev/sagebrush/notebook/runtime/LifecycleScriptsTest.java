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
        InstanceLayout a = InstanceLayout.of(java.nio.file.Path.of("/x"), new InstanceKey("000000000000", "us-east-1", longName));
        InstanceLayout b = InstanceLayout.of(java.nio.file.Path.of("/x"), new InstanceKey("000000000000", "us-east-1", "b"));
        InstanceLayout otherAccount = InstanceLayout.of(java.nio.file.Path.of("/x"), new InstanceKey("111111111111", "us-east-1", "b"));
        assertThat(a.userName()).startsWith("sbnb-").hasSizeLessThanOrEqualTo(32).isNotEqualTo(b.userName());
        assertThat(otherAccount.userName()).isNotEqualTo(b.userName());
        assertThat(otherAccount.base()).isEqualTo(java.nio.file.Path.of("/x/111111111111/us-east-1/b"));
    }

    @Test
    void accountRegionAndNameNeverBecomeAPathEscape() {
        for (String region : new String[] {"..", "us-east-1:222222222222", "us-east-1/../x", ""}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new InstanceKey("000000000000", region, "nb"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new InstanceKey("../000000000", "us-east-1", "nb"))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new InstanceKey("000000000000", "us-east-1", "a.b"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
