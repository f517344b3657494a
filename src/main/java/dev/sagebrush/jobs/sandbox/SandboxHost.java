package dev.sagebrush.jobs.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What this host offers for sandboxes, found once at start-up: the tools (bubblewrap, and util-linux's setpriv,
 * prlimit and env, which run inside the sandbox from the read-only /usr), whether the server is root (it must be, to
 * hand each workload a uid of its own and to bind directories only root can reach), and the cgroup v1 memory and
 * pids controllers.
 *
 * @param problems why untrusted work cannot run here; empty when it can
 */
public record SandboxHost(Optional<Path> bwrap, Optional<Path> setpriv, Optional<Path> prlimit, Optional<Path> env,
                          Optional<Path> unshare, boolean root, Optional<Path> memoryCgroup, Optional<Path> pidsCgroup,
                          List<String> problems) {

    public SandboxHost {
        problems = List.copyOf(problems);
    }

    public static SandboxHost probe() {
        Optional<Path> bwrap = tool("bwrap");
        Optional<Path> setpriv = tool("setpriv");
        Optional<Path> prlimit = tool("prlimit");
        Optional<Path> env = tool("env");
        Optional<Path> unshare = tool("unshare");
        boolean root = isRoot();
        List<String> problems = new ArrayList<>();
        if (bwrap.isEmpty()) problems.add("bubblewrap (bwrap) is not installed: apt-get install bubblewrap");
        if (setpriv.isEmpty() || prlimit.isEmpty() || env.isEmpty()) {
            problems.add("setpriv, prlimit or env missing from /usr/bin: apt-get install util-linux coreutils");
        }
        if (!root) {
            problems.add("the server is not running as root, so it cannot run each workload as a uid of its own");
        }
        Optional<Path> memory = root ? cgroupV1("memory") : Optional.empty();
        Optional<Path> pids = root ? cgroupV1("pids") : Optional.empty();
        return new SandboxHost(bwrap, setpriv, prlimit, env, unshare, root, memory, pids, problems);
    }

    public boolean available() {
        return problems.isEmpty();
    }

    /** How memory is limited: the cgroup, or the per-process address-space fallback. */
    public String memoryEnforcement() {
        return memoryCgroup.isPresent() ? "cgroup v1 memory controller (" + memoryCgroup.get() + ")"
                : "RLIMIT_AS per process (no writable cgroup v1 memory controller)";
    }

    /** One line for {@code bin/sagebrush doctor}. */
    public String summary() {
        if (!available()) return "NOT available: " + String.join("; ", problems);
        return "available: bubblewrap " + bwrap.get() + ", memory by " + memoryEnforcement() + ", processes by "
                + (pidsCgroup.isPresent() ? "cgroup v1 pids controller" : "RLIMIT_NPROC");
    }

    /**
     * Sandbox tools are taken from /usr/bin only, never from PATH: the same path must exist inside the sandbox, where
     * /usr is the only system directory.
     */
    private static Optional<Path> tool(String name) {
        Path p = Path.of("/usr/bin", name);
        return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (IOException ignored) {
            // not Linux: no sandboxes
        }
        return false;
    }

    /** The mount point of a cgroup v1 controller, if mounted and writable by us. */
    static Optional<Path> cgroupV1(String controller) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                // ... <mount point> <options> - cgroup cgroup <super options>
                String[] halves = line.split(" - ", 2);
                if (halves.length < 2) continue;
                String[] after = halves[1].split(" ");
                if (after.length < 3 || !after[0].equals("cgroup")) continue;
                boolean has = false;
                for (String o : after[2].split(",")) has |= o.equals(controller);
                if (!has) continue;
                Path mount = Path.of(halves[0].split(" ")[4]);
                Path ours = mount.resolve("sagebrush");
                Files.createDirectories(ours);
                return Files.isWritable(ours) ? Optional.of(mount) : Optional.empty();
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
