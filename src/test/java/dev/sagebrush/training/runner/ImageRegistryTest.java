package dev.sagebrush.training.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageRegistryTest {
    @Test
    void exactBeatsPrefixAndLongerPrefixBeatsShorter() {
        ImageRegistry r = ImageRegistry.of(List.of(
                "# comment", "",
                "reg.example.com/* /bin/any",
                "reg.example.com/team/* /bin/team",
                "reg.example.com/team/xgb:1 /usr/bin/python3 /srv/xgb.py --fast"));
        assertThat(r.resolve("reg.example.com/team/xgb:1")).contains(List.of("/usr/bin/python3", "/srv/xgb.py", "--fast"));
        assertThat(r.resolve("reg.example.com/team/xgb:2")).contains(List.of("/bin/team"));
        assertThat(r.resolve("reg.example.com/other")).contains(List.of("/bin/any"));
        assertThat(r.resolve("elsewhere.com/x")).isEmpty();
        assertThat(r.resolve(null)).isEmpty();
        assertThat(ImageRegistry.empty().resolve("reg.example.com/x")).isEmpty();
    }

    @Test
    void commandsSplitLikeAShellForQuotesOnly() {
        assertThat(ImageRegistry.split("/bin/sh -c 'echo $HOME; ls' \"a \\\"b\\\"\" c\\ d"))
                .containsExactly("/bin/sh", "-c", "echo $HOME; ls", "a \"b\"", "c d");
        assertThatThrownBy(() -> ImageRegistry.of(List.of("img 'unterminated")))
                .hasMessageContaining("line 1: unterminated single quote");
        assertThatThrownBy(() -> ImageRegistry.of(List.of("ok /bin/true", "image-without-command")))
                .hasMessageContaining("line 2: expected '<image-uri-or-prefix*> <command...>'");
    }

    @Test
    void theFileIsReadAgainWhenItChanges(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("images.txt");
        Files.writeString(f, "a /bin/a\n");
        ImageRegistry r = ImageRegistry.load(f);
        assertThat(r.resolve("b")).isEmpty();
        Files.writeString(f, "a /bin/a\nb /bin/b\n");
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertThat(r.resolve("b")).isEqualTo(Optional.of(List.of("/bin/b")));
        // A broken edit keeps the last good registry.
        Files.writeString(f, "broken\n");
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 10000));
        assertThat(r.resolve("b")).contains(List.of("/bin/b"));
    }
}
