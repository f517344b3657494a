package dev.sagebrush.notebook.runtime;

import dev.sagebrush.jobs.Commands;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeRepositoriesTest {
    @TempDir
    Path dir;

    @Test
    void folderNamesAreTheRepositoryNames() {
        assertThat(CodeRepositories.folderName("https://github.com/org/repo.git")).isEqualTo("repo");
        assertThat(CodeRepositories.folderName("https://github.com/org/repo/")).isEqualTo("repo");
        assertThat(CodeRepositories.folderName("https://host/..")).isEqualTo("repository");
        assertThat(CodeRepositories.folderName("https://host/a b")).isEqualTo("a_b");
    }

    @Test
    void clonesThroughAnInsteadOfRuleAndKeepsExistingFolders() throws Exception {
        Path origin = dir.resolve("origin");
        Files.createDirectories(origin);
        git(origin, "init", "-q", "-b", "main", "demo.git");
        Files.writeString(origin.resolve("demo.git/README.md"), "hi\n");
        git(origin.resolve("demo.git"), "-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".");
        git(origin.resolve("demo.git"), "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "init");
        Path config = dir.resolve("gitconfig");
        Files.writeString(config, "[url \"file://" + origin + "/\"]\n\tinsteadOf = https://git.example.test/\n");
        Path volume = Files.createDirectories(dir.resolve("inst/SageMaker"));
        Files.createDirectories(dir.resolve("inst/meta"));
        CodeRepositories repos = new CodeRepositories(Optional.of(config));
        assertThat(repos.cloneInto(volume, List.of("https://git.example.test/demo.git"))).containsExactly("demo");
        assertThat(volume.resolve("demo/README.md")).hasContent("hi");
        Files.writeString(volume.resolve("demo/README.md"), "changed by the user\n");
        repos.cloneInto(volume, List.of("https://git.example.test/demo.git"));
        assertThat(volume.resolve("demo/README.md")).hasContent("changed by the user");
        assertThatThrownBy(() -> repos.cloneInto(volume, List.of("https://git.example.test/missing.git")))
                .isInstanceOf(RuntimeFailure.class)
                .hasMessageStartingWith("Failed to clone the code repository https://git.example.test/missing.git: ")
                .hasMessageContaining("does not appear to be a git repository");
    }

    static void git(Path cwd, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        assertThat(Commands.run(cmd, java.util.Map.of(), cwd, Duration.ofSeconds(30)).ok()).isTrue();
    }
}
