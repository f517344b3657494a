package dev.sagebrush.notebook.runtime;

import dev.sagebrush.jobs.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Clones DefaultCodeRepository and AdditionalCodeRepositories into the volume, each into a folder named after the
 * repository (as AWS does under /home/ec2-user/SageMaker). A folder that already exists is left alone: the user's
 * work in it survives stop/start, and AWS does not pull either.
 *
 * <p>The API admits only https:// URLs. An operator can point git at mirrors, proxies or local repositories with a
 * git config file (e.g. {@code url."file:///srv/git/".insteadOf = https://git.example.com/}), given to the server as
 * {@code notebookGitConfig}; tests use that to clone file:// repositories.
 */
final class CodeRepositories {
    private static final Duration CLONE_TIMEOUT = Duration.ofMinutes(5);
    private final Optional<Path> gitConfig;

    CodeRepositories(Optional<Path> gitConfig) {
        this.gitConfig = gitConfig;
    }

    /** Clones what is missing; returns the folder names, in the order given. */
    List<String> cloneInto(Path volume, List<String> urls) throws RuntimeFailure {
        List<String> folders = new ArrayList<>();
        for (String url : urls) {
            String folder = folderName(url);
            folders.add(folder);
            Path target = volume.resolve(folder);
            if (Files.exists(target)) continue;
            Map<String, String> env = new HashMap<>();
            env.put("GIT_TERMINAL_PROMPT", "0");
            env.put("HOME", volume.getParent().resolve("meta").toString());
            gitConfig.ifPresent(c -> env.put("GIT_CONFIG_GLOBAL", c.toAbsolutePath().toString()));
            Commands.Result r = Commands.run(List.of("git", "clone", "--quiet", "--", url, target.toString()),
                    env, volume, CLONE_TIMEOUT);
            if (!r.ok()) {
                throw new RuntimeFailure("Failed to clone the code repository " + url + ": "
                        + (r.timedOut() ? "timed out after " + CLONE_TIMEOUT.toMinutes() + " minutes"
                        : gitError(r.output())));
            }
        }
        return folders;
    }

    /** git's "fatal:" lines say what went wrong; the advice after them does not. */
    static String gitError(String output) {
        String fatal = output.lines().filter(l -> l.startsWith("fatal:") || l.startsWith("error:"))
                .collect(java.util.stream.Collectors.joining(" "));
        return fatal.isEmpty() ? Commands.lastLines(output, 3) : fatal;
    }

    /** {@code https://host/org/repo.git} → {@code repo}; never empty, never a path. */
    static String folderName(String url) {
        String s = url;
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        s = s.substring(s.lastIndexOf('/') + 1);
        if (s.endsWith(".git")) s = s.substring(0, s.length() - 4);
        s = s.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() || s.equals(".") || s.equals("..") ? "repository" : s;
    }
}
