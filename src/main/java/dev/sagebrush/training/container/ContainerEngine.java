package dev.sagebrush.training.container;

import dev.sagebrush.jobs.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The host's container engine, found once at start-up: podman (preferred: it needs no daemon, and as root it gives
 * each container a user namespace of its own with {@code --uidmap}) or docker (its daemon must answer). Commands run
 * as the server (root) with a clean environment: nothing of a job ever reaches the engine's own process.
 *
 * <p>On hosts with the cgroup v1/hybrid layout (these machines) podman needs {@code --runtime runc}: crun refuses the
 * layout. Root without CAP_SYS_RESOURCE cannot let runc raise rlimits past its own, so every container is given its
 * rlimits explicitly ({@link #RLIMITS}).
 */
public final class ContainerEngine {
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    /** Explicit rlimits: runc would otherwise try to raise them and fail without CAP_SYS_RESOURCE. */
    static final List<String> RLIMITS = List.of("--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096");

    public enum Kind { PODMAN, DOCKER }

    private final Kind kind;
    private final Path binary;
    private final Optional<Path> runc;
    private volatile Boolean cgroupfsV1;

    ContainerEngine(Kind kind, Path binary, Optional<Path> runc) {
        this.kind = kind;
        this.binary = binary;
        this.runc = runc;
    }

    /**
     * The engine to use: {@code preference} {@code podman}, {@code docker}, {@code none}, or {@code auto} (podman if
     * installed, else docker if its daemon answers).
     */
    public static Optional<ContainerEngine> detect(String preference) {
        String p = preference == null || preference.isBlank() ? "auto" : preference.strip().toLowerCase();
        if (p.equals("none")) return Optional.empty();
        Optional<Path> runc = executable("runc");
        if (p.equals("auto") || p.equals("podman")) {
            Optional<Path> podman = executable("podman");
            if (podman.isPresent()) {
                ContainerEngine e = new ContainerEngine(Kind.PODMAN, podman.get(), runc);
                if (e.answers()) return Optional.of(e);
            }
        }
        if (p.equals("auto") || p.equals("docker")) {
            Optional<Path> docker = executable("docker");
            if (docker.isPresent()) {
                ContainerEngine e = new ContainerEngine(Kind.DOCKER, docker.get(), Optional.empty());
                if (e.answers()) return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    public Kind kind() {
        return kind;
    }

    public String name() {
        return kind.name().toLowerCase();
    }

    /** One line for {@code bin/sagebrush doctor} and the server log. */
    public String summary() {
        return name() + " (" + binary + ")" + (kind == Kind.PODMAN && runc.isPresent() ? " with runc" : "");
    }

    /** True when the engine can serve requests (docker: its daemon is up; podman: it runs). */
    private boolean answers() {
        return run(List.of("version", "--format", "{{.Server.Version}}"), Duration.ofSeconds(20)).ok()
                || (kind == Kind.PODMAN && run(List.of("version"), Duration.ofSeconds(20)).ok());
    }

    /**
     * True for podman with its cgroupfs manager on cgroup v1 (these machines): containers can then be put in a cgroup
     * of Sagebrush's own ({@link ContainerCgroup}). Asked once.
     */
    boolean cgroupfsV1() {
        if (cgroupfsV1 == null) {
            Commands.Result r = kind == Kind.PODMAN ? run(List.of("info", "--format",
                    "{{.Host.CgroupManager}} {{.Host.CgroupsVersion}}"), COMMAND_TIMEOUT) : null;
            cgroupfsV1 = r != null && r.ok() && r.output().strip().equals("cgroupfs v1");
        }
        return cgroupfsV1;
    }

    /** Whether the host's image store has {@code image} (never pulls). */
    public boolean imageExists(String image) {
        return kind == Kind.PODMAN ? run(List.of("image", "exists", image), COMMAND_TIMEOUT).ok()
                : run(List.of("image", "inspect", "--format", "{{.Id}}", image), COMMAND_TIMEOUT).ok();
    }

    /** The arguments that start every {@code run}: the runtime and the explicit rlimits. */
    List<String> runPrefix() {
        List<String> out = new ArrayList<>(List.of("run"));
        if (kind == Kind.PODMAN && runc.isPresent()) out.addAll(List.of("--runtime", runc.get().toString()));
        out.addAll(RLIMITS);
        return out;
    }

    /** Runs {@code <engine> args...} to its end and returns its output. */
    public Commands.Result run(List<String> args, Duration timeout) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(args);
        return Commands.run(cmd, timeout);
    }

    /** Starts {@code <engine> args...} with stdout and stderr merged in one pipe, stdin from /dev/null. */
    Process start(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(Commands.BASE_ENV);
        return pb.start();
    }

    private static Optional<Path> executable(String name) {
        for (String dir : Commands.BASE_ENV.get("PATH").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }
}
