package dev.sagebrush.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.waiters.SageMakerWaiter;

/** What the notebook end-to-end tests need from the host, and the SDK's own waiters polling faster than AWS needs. */
final class NotebookHost {
    private NotebookHost() {}

    static boolean jupyterInstalled() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import notebook, ipykernel").start();
            return p.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    static boolean root() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
        } catch (Exception e) {
            return false;
        }
    }

    /** The SDK waiters unchanged, only polling every 200 ms instead of AWS's 30 s. */
    static SageMakerWaiter fastWaiter(SageMakerClient sm) {
        return SageMakerWaiter.builder().client(sm)
                .overrideConfiguration(o -> o.backoffStrategy(FixedDelayBackoffStrategy.create(Duration.ofMillis(200)))
                        .maxAttempts(600))
                .build();
    }

    /** Jupyter processes still running for an instance name: tests leave none behind. */
    static long jupyterProcessesFor(String name) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("base_url=/notebooks/" + name + "/"))
                .count();
    }
}
