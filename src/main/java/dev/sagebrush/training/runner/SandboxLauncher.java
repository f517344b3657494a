package dev.sagebrush.training.runner;

import dev.sagebrush.jobs.sandbox.Limits;
import dev.sagebrush.jobs.sandbox.SandboxSpec;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import dev.sagebrush.jobs.sandbox.UidPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The process backend: the operator's registry command (or a built-in algorithm's) for the job's one host, run in a
 * bubblewrap sandbox ({@code jobs/sandbox}) that shows the host's {@code ml/} at {@code /opt/ml}, the read-only system
 * directories and the command's own files, as a uid of its own, without network when EnableNetworkIsolation is set,
 * under the instance's memory limit.
 */
final class SandboxLauncher implements HostLauncher {
    private final Sandboxes sandboxes;
    private final List<String> command;
    private final Map<String, String> serverEnv;

    SandboxLauncher(Sandboxes sandboxes, List<String> command, Map<String, String> serverEnv) {
        this.sandboxes = sandboxes;
        this.command = List.copyOf(command);
        this.serverEnv = serverEnv;
    }

    @Override
    public Optional<Reservation> reserve(int hosts) throws IOException {
        return sandboxes.uids().leaseAll(hosts).map(Reservation::new);
    }

    @Override
    public String waitingFor(int hosts) {
        UidPool pool = sandboxes.uids();
        return "Waiting for a free sandbox uid: all " + pool.count() + " of SAGEBRUSH_SANDBOX_UIDS (" + pool.first()
                + "-" + (pool.first() + pool.count() - 1) + ") are in use. The job starts when one is free.";
    }

    @Override
    public int capacity() {
        return sandboxes.uids().count();
    }

    @Override
    public String tooBig(int hosts) {
        return "ClientError: The job needs " + hosts + " sandbox uids, and this host has " + capacity() + ".";
    }

    @Override
    public Launch launch(Request request) throws IOException, TrainingFailure {
        if (request.hosts().size() != 1) {
            throw new IllegalArgumentException("the process backend runs one host, not " + request.hosts().size());
        }
        Host host = request.hosts().get(0);
        List<String> argv = new ArrayList<>(command);
        argv.addAll(request.arguments());
        UidPool.Lease uid = request.reservation().leases().get(0);
        SandboxSpec.Builder spec = SandboxSpec.builder("training", argv).uid(uid)
                .readWrite(host.layout().ml(), ContainerConfig.ML_INSIDE).chdir(ContainerConfig.ML_INSIDE)
                .env(host.config().environment(serverEnv)).network(!request.networkIsolated())
                .hostname(host.name())
                .limits(Limits.TRAINING.withMemory(request.resources().memoryBytes()));
        for (Path p : commandFiles(command)) spec.readOnly(p);
        ChildProcess child;
        try {
            child = ChildProcess.start(sandboxes, spec.build(), host.layout().log(),
                    request.lines().get(host.name()));
        } catch (IOException | IllegalArgumentException e) {
            throw new TrainingFailure("ClientError: Cannot start the command " + command + " that the image "
                    + "registry maps the training image to: " + e.getMessage());
        }
        return new Launch() {
            @Override
            public List<HostProcess> hosts() {
                return List.of(child);
            }

            @Override
            public void close() {
                child.close();
            }
        };
    }

    /**
     * The registry command's own files (absolute paths outside the system directories, e.g. the algorithm's script),
     * shown read-only in the sandbox at the same path. Only the operator's registry names them, never the job.
     */
    static List<Path> commandFiles(List<String> command) {
        List<Path> out = new ArrayList<>();
        for (String arg : command) {
            if (!arg.startsWith("/")) continue;
            Path p = Path.of(arg).normalize();
            if (p.startsWith("/usr") || p.startsWith("/bin") || p.startsWith("/sbin") || p.startsWith("/lib")
                    || p.startsWith("/lib64") || p.getNameCount() < 2 || !Files.exists(p)) {
                continue;
            }
            out.add(p);
        }
        return out;
    }
}
