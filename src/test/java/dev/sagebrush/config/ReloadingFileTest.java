package dev.sagebrush.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingFileTest {
    /** A parser like the operators' files have: a malformed line is an IllegalStateException. */
    static List<String> parse(List<String> lines, String source) {
        for (String l : lines) {
            if (l.startsWith("!")) throw new IllegalStateException(source + ": malformed line '" + l + "'");
        }
        return List.copyOf(lines);
    }

    @Test
    void anEditIsSeenWithoutARestartAndAMalformedOneKeepsTheLastGoodValue(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("map");
        Files.writeString(f, "a\n");
        ReloadingFile<List<String>> file = ReloadingFile.load(f, "test mapping", ReloadingFileTest::parse);
        assertThat(file.get()).containsExactly("a");
        Files.writeString(f, "a\nbb\n");
        assertThat(file.get()).containsExactly("a", "bb");
        Files.writeString(f, "a\n!broken\n");
        assertThat(file.get()).containsExactly("a", "bb");
        assertThat(file.get()).containsExactly("a", "bb");
        Files.delete(f);
        assertThat(file.get()).containsExactly("a", "bb");
        Files.writeString(f, "c\n");
        assertThat(file.get()).containsExactly("c");
    }

    @Test
    void aMalformedFileAtStartUpStopsTheServer(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("map");
        Files.writeString(f, "!x\n");
        assertThatThrownBy(() -> ReloadingFile.load(f, "test mapping", ReloadingFileTest::parse))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed line '!x'");
        assertThatThrownBy(() -> ReloadingFile.load(dir.resolve("missing"), "test mapping", ReloadingFileTest::parse))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("Cannot read the test mapping ");
    }
}
