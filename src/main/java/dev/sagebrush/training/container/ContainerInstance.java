package dev.sagebrush.training.container;

import dev.sagebrush.training.runner.HostProcess;
import dev.sagebrush.training.runner.LogPump;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host of a job as a running container: the engine's attached {@code run} client, whose merged stdout and stderr
 * are the container's and go through the host's {@link LogPump}, and whose exit code is the container's. Stopping is
 * {@code <engine> stop -t <grace>} (SIGTERM to the container's main process, SIGKILL after the grace period); closing
 * removes the container, whatever state it is in.
 */
final class ContainerInstance implements HostProcess {
    private static final Logger log = LoggerFactory.getLogger(ContainerInstance.class);
    /** Exit status of a process killed by SIGKILL. */
    static final int SIGKILL_EXIT = 128 + 9;

    private final ContainerEngine engine;
    private final String name;
    private final Process client;
    private final Thread pump;
    private final Optional<ContainerCgroup> cgroup;
    private final long memoryLimit;
    private volatile boolean terminated;

    private ContainerInstance(ContainerEngine engine, String name, Process client, Thread pump,
                              Optional<ContainerCgroup> cgroup, long memoryLimit) {
        this.engine = engine;
        this.name = name;
        this.client = client;
        this.pump = pump;
        this.cgroup = cgroup;
        this.memoryLimit = memoryLimit;
    }

    /**
     * Starts {@code <engine> runArgs...} attached; {@code runArgs} must name the container {@code name} and put it in
     * {@code cgroup} when there is one, with the memory limit {@code memoryLimit}.
     */
    static ContainerInstance start(ContainerEngine engine, String name, List<String> runArgs, LogPump output,
                                   Optional<ContainerCgroup> cgroup, long memoryLimit) throws IOException {
        Process p;
        try {
            p = engine.start(runArgs);
        } catch (IOException e) {
            output.close();
            cgroup.ifPresent(ContainerCgroup::remove);
            throw e;
        }
        Thread t = new Thread(() -> {
            try (var in = p.getInputStream()) {
                output.pump(in);
            } catch (IOException e) {
                log.debug("Container {} output ended: {}", name, e.getMessage());
            }
        }, "container-output-" + name);
        t.setDaemon(true);
        t.start();
        return new ContainerInstance(engine, name, p, t, cgroup, memoryLimit);
    }

    String name() {
        return name;
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return client.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public int exitCode() throws InterruptedException {
        int code = client.waitFor();
        pump.join(5_000);
        return code;
    }

    /**
     * True when the engine saw the container killed for memory; or, where the engine cannot see it (podman on cgroup
     * v1), when its main process died of a SIGKILL that Sagebrush did not send while the container's memory had
     * peaked at its limit ({@link ContainerCgroup}). A SIGKILL with memory to spare is the job's own doing, not an OOM.
     */
    @Override
    public boolean memoryExceeded() {
        if (client.isAlive()) return false;
        var r = engine.run(List.of("inspect", "--format", "{{.State.OOMKilled}}", name), ContainerEngine.COMMAND_TIMEOUT);
        if (r.ok() && r.output().strip().equals("true")) return true;
        return client.exitValue() == SIGKILL_EXIT && !terminated
                && cgroup.map(c -> c.reachedLimit(memoryLimit)).orElse(false);
    }

    @Override
    public void terminate(Duration grace) throws InterruptedException {
        terminated = true;
        long seconds = Math.max(0, (grace.toMillis() + 999) / 1000);
        var stop = engine.run(List.of("stop", "-t", Long.toString(seconds), name),
                grace.plus(ContainerEngine.COMMAND_TIMEOUT));
        if (!stop.ok()) {
            // Not created yet, or already gone: the client forwards signals to a container it is starting.
            client.destroy();
        }
        if (!client.waitFor(grace.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
            kill();
        }
    }

    private void kill() {
        var r = engine.run(engine.kind() == ContainerEngine.Kind.PODMAN ? List.of("rm", "-f", "-t", "0", name)
                : List.of("rm", "-f", name), ContainerEngine.COMMAND_TIMEOUT);
        if (!r.ok() && !r.output().contains("no such container")) {
            log.debug("Removing container {}: {}", name, r.output().strip());
        }
        client.destroyForcibly();
        try {
            client.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Removes the container (killing it if it still runs), then its cgroup. */
    @Override
    public void close() {
        kill();
        cgroup.ifPresent(ContainerCgroup::remove);
    }
}
