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

    static boolean pythonHas(String module) {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import " + module).start();
            return p.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** Outermost sandboxes (bwrap) binding the volume of the instance whose directory is {@code instanceDir}. */
    static long sandboxesUnder(Path instanceDir) {
        String marker = instanceDir.resolve("SageMaker").toString() + " ";
        java.util.Set<Long> all = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(marker))
                .map(ProcessHandle::pid).collect(java.util.stream.Collectors.toSet());
        return ProcessHandle.allProcesses().filter(p -> all.contains(p.pid()))
                .filter(p -> p.parent().map(q -> !all.contains(q.pid())).orElse(true)).count();
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

    /**
     * Sandboxes (bwrap) or unsandboxed Jupyters still running for an instance of the default test account: tests leave
     * none behind. Both name the instance's directory on their command line.
     */
    static long jupyterProcessesFor(String name) {
        // bwrap's pid-1 helper inside the sandbox has the same command line as bwrap: count the outermost only.
        java.util.Set<Long> all = jupyterProcesses(name).map(ProcessHandle::pid).collect(java.util.stream.Collectors.toSet());
        return jupyterProcesses(name).filter(p -> p.parent().map(q -> !all.contains(q.pid())).orElse(true)).count();
    }

    static java.util.stream.Stream<ProcessHandle> jupyterProcesses(String name) {
        String dir = "/notebooks/000000000000/us-east-1/" + name.toLowerCase(java.util.Locale.ROOT) + "/SageMaker";
        return ProcessHandle.allProcesses().filter(p -> {
            String c = p.info().commandLine().orElse("");
            return c.contains(dir) && (c.contains("bwrap --") || c.contains(" -m notebook "));
        });
    }

    /** The Jupyter server process itself (inside its sandbox), to kill it as a crash would. */
    static java.util.Optional<ProcessHandle> jupyterServer(String name) {
        return jupyterProcesses(name).flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p), p.descendants()))
                .filter(p -> p.info().commandLine().orElse("").contains(" -m notebook ")).findFirst();
    }
}
