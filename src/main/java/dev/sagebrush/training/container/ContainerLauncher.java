package dev.sagebrush.training.container;

import dev.sagebrush.jobs.sandbox.Sandboxes;
import dev.sagebrush.jobs.sandbox.UidPool;
import dev.sagebrush.training.runner.ContainerConfig;
import dev.sagebrush.training.runner.HostLauncher;
import dev.sagebrush.training.runner.HostProcess;
import dev.sagebrush.training.runner.LogPump;
import dev.sagebrush.training.runner.TrainingFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container backend's launch: one container of the job's image per host, {@code algo-1..N}.
 *
 * <p>Each container gets its host's {@code ml/} at {@code /opt/ml}, the job's environment, the instance's memory and
 * CPUs, and no way to become root on the host: a user namespace of its own (podman {@code --uidmap}: its uids 0..65535
 * are a range of host uids leased for it alone, so its root is an unprivileged host uid; docker, which has no
 * per-container user namespaces, runs it as that range's first uid with {@code --user}), no capabilities, no_new_privs,
 * a read-only root filesystem (tmpfs {@code /tmp}, {@code /var/tmp}, {@code /run}), a process limit, and network
 * {@code none} for EnableNetworkIsolation. Several hosts share a private network of their own (internal, with no route
 * out, when isolated) where each resolves the others by name.
 */
final class ContainerLauncher implements HostLauncher {
    private static final Logger log = LoggerFactory.getLogger(ContainerLauncher.class);
    static final int PIDS_LIMIT = 4096;

    private final Containers backend;
    private final String image;

    ContainerLauncher(Containers backend, String image) {
        this.backend = backend;
        this.image = image;
    }

    @Override
    public Optional<Reservation> reserve(int hosts) throws IOException {
        return backend.uidRanges().leaseAll(hosts).map(Reservation::new);
    }

    @Override
    public String waitingFor(int hosts) {
        UidPool pool = backend.uidRanges();
        long last = (long) pool.first() + (long) pool.count() * pool.rangeSize() - 1;
        return "Waiting for free host uids: each instance's container needs a range of " + pool.rangeSize()
                + " uids, and " + (hosts == 1 ? "all " : "fewer than " + hosts + " of the ") + pool.count()
                + " ranges of SAGEBRUSH_CONTAINER_UIDS (" + pool.first() + "-" + last + ") are "
                + (hosts == 1 ? "in use" : "free") + ". The job starts when enough are free.";
    }

    @Override
    public int capacity() {
        return backend.uidRanges().count();
    }

    @Override
    public String tooBig(int hosts) {
        return "ClientError: InstanceCount " + hosts + " needs a container per instance, each with a range of "
                + backend.uidRanges().rangeSize() + " host uids, and this host has " + capacity() + " such ranges "
                + "(SAGEBRUSH_CONTAINER_UIDS). Use InstanceCount " + capacity() + " or less, or ask the operator for "
                + "more ranges.";
    }

    @Override
    public Launch launch(Request request) throws IOException, TrainingFailure {
        List<UidPool.Lease> leases = request.reservation().leases();
        List<ContainerInstance> started = new ArrayList<>();
        JobNetwork network = null;
        try {
            String id = backend.newId();
            if (request.hosts().size() > 1) {
                network = JobNetwork.create(backend.engine(), "sagebrush-" + id, backend.owner(),
                        request.networkIsolated(), request.hosts().stream().map(Host::name).toList());
            }
            for (int i = 0; i < request.hosts().size(); i++) {
                Host host = request.hosts().get(i);
                int uid = leases.get(i).uid();
                // The container's root (or, with docker, its user) owns its /opt/ml, and nobody else of the host does.
                Sandboxes.grant(host.layout().ml(), uid);
                String name = "sagebrush-" + id + "-" + host.name();
                Optional<ContainerCgroup> cgroup = backend.memoryRoot().isEmpty() ? Optional.empty()
                        : Optional.of(ContainerCgroup.create(backend.memoryRoot().get(), backend.owner(), name));
                List<String> args = runArguments(request, host, name, uid, network, cgroup);
                started.add(ContainerInstance.start(backend.engine(), name, args,
                        LogPump.open(host.layout().log(), request.lines().get(host.name())), cgroup,
                        request.resources().memoryBytes()));
            }
        } catch (IOException | RuntimeException e) {
            close(started, network);
            throw e;
        }
        JobNetwork net = network;
        return new Launch() {
            @Override
            public List<HostProcess> hosts() {
                return List.copyOf(started);
            }

            @Override
            public void close() {
                ContainerLauncher.close(started, net);
            }
        };
    }

    private static void close(List<ContainerInstance> started, JobNetwork network) {
        for (ContainerInstance c : started) {
            try {
                c.close();
            } catch (RuntimeException e) {
                log.warn("Could not remove container {}", c.name(), e);
            }
        }
        if (network != null) network.close();
    }

    List<String> runArguments(Request request, Host host, String name, int uid, JobNetwork network,
                              Optional<ContainerCgroup> cgroup) {
        ContainerEngine engine = backend.engine();
        boolean podman = engine.kind() == ContainerEngine.Kind.PODMAN;
        List<String> a = new ArrayList<>(engine.runPrefix());
        a.addAll(List.of("--name", name, "--label", Containers.OWNER_LABEL + "=" + backend.owner(),
                "--label", "dev.sagebrush.training-job=" + request.job().trainingJobArn(),
                "--label", "dev.sagebrush.host=" + host.name(), "--pull", "never", "--log-driver", "none"));
        int size = backend.uidRanges().rangeSize();
        if (podman) {
            a.addAll(List.of("--uidmap", "0:" + uid + ":" + size, "--gidmap", "0:" + uid + ":" + size));
        } else {
            a.addAll(List.of("--user", uid + ":" + uid));
        }
        a.addAll(List.of("--cap-drop", "all", "--security-opt", "no-new-privileges", "--read-only"));
        if (!podman) {
            // podman mounts these tmpfs itself with --read-only; docker does not.
            a.addAll(List.of("--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/run"));
        }
        cgroup.ifPresent(c -> a.addAll(List.of("--cgroups", "no-conmon", "--cgroup-parent", c.parentArgument())));
        long memory = request.resources().memoryBytes();
        a.addAll(List.of("--memory", Long.toString(memory), "--memory-swap", Long.toString(memory),
                "--cpus", Integer.toString(request.resources().cpus()), "--pids-limit", Integer.toString(PIDS_LIMIT)));
        a.addAll(List.of("--hostname", host.name()));
        if (network != null) {
            a.addAll(network.arguments(host.name(), podman));
        } else if (request.networkIsolated()) {
            a.addAll(List.of("--network", "none"));
        }
        a.addAll(List.of("--volume", host.layout().ml() + ":" + ContainerConfig.ML_INSIDE));
        for (Map.Entry<String, String> e : host.config().jobEnvironment().entrySet()) {
            a.addAll(List.of("--env", e.getKey() + "=" + e.getValue()));
        }
        List<String> entrypoint = request.job().algorithmSpecification().containerEntrypoint();
        if (!entrypoint.isEmpty()) a.addAll(List.of("--entrypoint", entrypoint.get(0)));
        a.add(image);
        if (entrypoint.size() > 1) a.addAll(entrypoint.subList(1, entrypoint.size()));
        a.addAll(request.arguments());
        return a;
    }
}
