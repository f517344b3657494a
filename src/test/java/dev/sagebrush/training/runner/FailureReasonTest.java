package dev.sagebrush.training.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a failed training host's output/failure becomes in FailureReason. */
class FailureReasonTest {

    @Test
    void aScriptsFailureFileIsAnAlgorithmError(@TempDir Path dir) throws Exception {
        JobLayout layout = new JobLayout(dir, JobLayout.HOST);
        Files.createDirectories(layout.output());
        // What the script-mode entry point writes when the user's script raised (the toolkit's text).
        Files.writeString(layout.failure(), "ExecuteUserScriptError:\nExitCode 1\nErrorMessage \"boom\"\n"
                + "Command \"/usr/bin/python3 train.py\"\n");

        assertThat(JobWorkspace.algorithmError(JobWorkspace.failureFile(layout))).isEqualTo("AlgorithmError: "
                + "ExecuteUserScriptError:\nExitCode 1\nErrorMessage \"boom\"\nCommand \"/usr/bin/python3 train.py\"");
    }

    @Test
    void textThatNamesItsCategoryIsKept() {
        // The built-in algorithms say themselves whether the request or the algorithm is at fault.
        assertThat(JobWorkspace.algorithmError("ClientError: Missing required hyperparameter: num_round"))
                .isEqualTo("ClientError: Missing required hyperparameter: num_round");
        assertThat(JobWorkspace.algorithmError("AlgorithmError: framework error: KeyError: 'x'"))
                .isEqualTo("AlgorithmError: framework error: KeyError: 'x'");
        // Only a category at the start counts.
        assertThat(JobWorkspace.algorithmError("ValueError: not a ClientError: at all"))
                .isEqualTo("AlgorithmError: ValueError: not a ClientError: at all");
    }
}
