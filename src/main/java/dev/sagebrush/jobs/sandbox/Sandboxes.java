package dev.sagebrush.jobs.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The sandbox launcher: turns a {@link SandboxSpec} into a bubblewrap command line and starts it under a
 * {@link SandboxedProcess}. One per server (it owns the {@link UidPool} and a small state directory for the
 * generated /etc/passwd files). See the package documentation for what a sandbox sees.
 */
public final class Sandboxes {
    /** The few files of /etc that programs need to start (loader, alternatives, TLS roots, time zone, Java config). */
    private static final List<String> ETC = List.of("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives",
            "localtime", "timezone", "nsswitch.conf", "host.conf", "hosts", "resolv.conf", "gai.conf", "services",
            "protocols", "mime.types", "ssl", "ca-certificates", "os-release", "debian_version");
    private static final Set<String> RESERVED = Set.of("/usr", "/proc", "/dev", "/sys", "/etc");
    private static final String SAFE_PATH = "/usr/local/bin:/usr/bin:/bin";

    private final SandboxHost host;
    private final UidPool uids;
    private final Path stateDir;
    private final List<String> etc;
    private final AtomicLong sequence = new AtomicLong();

    /**
     * @param stateDir a directory only the server can read (under the data directory): generated passwd files
     */
    public Sandboxes(SandboxHost host, UidPool uids, Path stateDir) throws IOException {
        this.host = host;
        this.uids = uids;
        this.stateDir = Files.createDirectories(stateDir);
        Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx------"));
        List<String> e = new ArrayList<>(ETC);
        try (Stream<Path> s = Files.list(Path.of("/etc"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("java-") || n.startsWith("python3"))
                    .sorted().forEach(e::add);
        } catch (IOException ignored) {
            // no /etc to list: only the fixed names
        }
        this.etc = List.copyOf(e);
        Cgroup.removeOrphans(host);
    }

    /** A server's set-up: probe the host, the configured uid range and lock directory, state under {@code stateDir}. */
    public static Sandboxes create(SandboxSettings settings, Path stateDir) throws IOException {
        SandboxHost host = SandboxHost.probe();
        UidPool uids;
        try {
            uids = new UidPool(settings.firstUid(), settings.uidCount(), settings.lockDir());
        } catch (IOException e) {
            if (host.available()) throw e;
            // Not root (a developer's machine): no sandbox will start anyway; keep the server able to start.
            uids = new UidPool(settings.firstUid(), settings.uidCount(), stateDir.resolve("uids"));
        }
        return new Sandboxes(host, uids, stateDir);
    }

    public SandboxHost host() { return host; }

    public UidPool uids() { return uids; }

    /** Throws the reason untrusted work cannot run here, if it cannot. Call before doing any of it. */
    public void requireAvailable() throws SandboxUnavailableException {
        if (!host.available()) {
            throw new SandboxUnavailableException("This server cannot sandbox untrusted work, so it does not run it: "
                    + String.join("; ", host.problems()) + ". Run `bin/sagebrush doctor`.");
        }
    }

    /** Starts the workload. The caller holds the uid's lease until the process has ended. */
    public SandboxedProcess start(SandboxSpec spec, Output output) throws IOException {
        requireAvailable();
        for (Mount m : spec.mounts()) {
            if (!Files.exists(m.host())) throw new IOException("sandbox mount source missing: " + m.host());
            if (m.granted()) grant(m.host(), spec.uid());
        }
        String id = spec.name() + "-" + ProcessHandle.current().pid() + "-" + sequence.incrementAndGet();
        Optional<Cgroup> cgroup = Cgroup.create(host, id, spec.limits());
        List<String> argv = commandLine(spec, cgroup.map(Cgroup::procsFiles).orElse(List.of()));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // Nothing of the server's environment reaches the root-run launch steps (no LD_PRELOAD for sh, prlimit,
        // bwrap, setpriv); the workload's own environment is applied only after the uid switch.
        pb.environment().clear();
        pb.environment().put("PATH", SAFE_PATH);
        try {
            return SandboxedProcess.start(pb, spec, argv, cgroup.orElse(null), output);
        } catch (IOException | RuntimeException e) {
            cgroup.ifPresent(Cgroup::killAll);
            throw e;
        }
    }

    /** Starts, waits up to {@code timeout} (killing the whole sandbox then), and returns what happened. */
    public SandboxedProcess.Result run(SandboxSpec spec, java.time.Duration timeout, int outputCap)
            throws IOException, InterruptedException {
        Output.Capped out = Output.capped(outputCap);
        try (SandboxedProcess p = start(spec, out)) {
            return p.await(timeout);
        }
    }

    /** The full command line for {@code spec} (for logs, manifests and tests), without cgroup entry. */
    public List<String> commandLine(SandboxSpec spec) throws IOException {
        return commandLine(spec, List.of());
    }

    List<String> commandLine(SandboxSpec spec, List<Path> cgroupProcs) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (!cgroupProcs.isEmpty()) {
            // Join the cgroups first, so that bwrap and everything it starts are born inside them.
            cmd.addAll(List.of("/bin/sh", "-c",
                    "for f; do [ \"$f\" = -- ] && break; echo $$ > \"$f\" || exit 125; shift; done; shift; exec \"$@\"",
                    "sandbox-enter"));
            cgroupProcs.forEach(p -> cmd.add(p.toString()));
            cmd.add("--");
        }
        Limits l = spec.limits();
        cmd.add(host.prlimit().map(Path::toString).orElse("/usr/bin/prlimit"));
        cmd.add(rlimit("nofile", l.openFiles()));
        cmd.add(rlimit("nproc", l.processes()));
        cmd.add(rlimit("fsize", l.fileSizeBytes()));
        cmd.add(rlimit("core", 0));
        if (!l.cpuTime().isZero()) cmd.add(rlimit("cpu", Math.max(1, l.cpuTime().toSeconds())));
        if (cgroupProcs.isEmpty()) cmd.add(rlimit("as", l.memoryBytes()));
        cmd.add("--");

        cmd.add(host.bwrap().map(Path::toString).orElse("/usr/bin/bwrap"));
        cmd.addAll(List.of("--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid", "--unshare-uts",
                "--unshare-cgroup-try"));
        if (!spec.network()) cmd.add("--unshare-net");
        if (spec.hostname() != null) cmd.addAll(List.of("--hostname", spec.hostname()));
        cmd.addAll(BwrapArgs.systemDirectories());
        cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        cmd.addAll(List.of("--perms", "1777", "--size", Long.toString(l.tmpBytes()), "--tmpfs", "/tmp"));
        cmd.addAll(List.of("--perms", "0755", "--dir", "/etc"));
        for (String e : etc) {
            cmd.addAll(List.of("--ro-bind-try", "/etc/" + e, "/etc/" + e));
        }
        cmd.addAll(List.of("--ro-bind", passwd(spec.uid()).toString(), "/etc/passwd"));
        cmd.addAll(List.of("--ro-bind", group(spec.uid()).toString(), "/etc/group"));

        List<Mount> mounts = new ArrayList<>(spec.mounts());
        mounts.sort(Comparator.comparingInt(m -> m.inside().getNameCount()));
        Set<Path> dirs = new LinkedHashSet<>();
        for (Mount m : mounts) {
            for (String r : RESERVED) {
                if (m.inside().startsWith(r)) throw new IllegalArgumentException("cannot mount over " + r + ": " + m);
            }
            for (int i = 1; i < m.inside().getNameCount(); i++) {
                Path a = Path.of("/").resolve(m.inside().subpath(0, i));
                if (a.equals(Path.of("/tmp")) || mounts.stream().anyMatch(o -> a.startsWith(o.inside()))) continue;
                dirs.add(a);
            }
        }
        // Parents bwrap would otherwise create 0700 root-owned, unreadable for the sandbox's uid.
        for (Path d : dirs) cmd.addAll(List.of("--perms", "0755", "--dir", d.toString()));
        for (Mount m : mounts) {
            cmd.addAll(List.of(m.writable() ? "--bind" : "--ro-bind", m.host().toString(), m.inside().toString()));
        }
        cmd.addAll(List.of("--chdir", spec.chdir().toString(), "--clearenv", "--setenv", "PATH", SAFE_PATH, "--"));

        // Inside: drop to the workload's uid with no capabilities and no way to gain any (no_new_privs).
        cmd.addAll(BwrapArgs.dropPrivileges(host.setpriv().map(Path::toString).orElse("/usr/bin/setpriv"), spec.uid(),
                spec.uid()));
        if (spec.rootInUserNamespace()) {
            cmd.addAll(BwrapArgs.rootInUserNamespace(host.unshare().map(Path::toString).orElse("/usr/bin/unshare")));
        }
        cmd.add(host.env().map(Path::toString).orElse("/usr/bin/env"));
        cmd.add("-i");
        for (Map.Entry<String, String> e : spec.env().entrySet()) {
            cmd.add(e.getKey() + "=" + e.getValue());
        }
        cmd.addAll(spec.command());
        return cmd;
    }

    private static String rlimit(String name, long value) {
        return "--" + name + "=" + value + ":" + value;
    }

    /** /etc/passwd for a sandbox: root, the sandbox's own user, nobody. No host account names leak in. */
    private Path passwd(int uid) throws IOException {
        return stateFile("passwd-" + uid, "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                + "sandbox:x:" + uid + ":" + uid + ":sandbox:/tmp:/bin/sh\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
    }

    private Path group(int uid) throws IOException {
        return stateFile("group-" + uid, "root:x:0:\nsandbox:x:" + uid + ":\nnogroup:x:65534:\n");
    }

    private Path stateFile(String name, String content) throws IOException {
        Path f = stateDir.resolve(name);
        if (!Files.isRegularFile(f)) {
            Path tmp = Files.createTempFile(stateDir, name, ".tmp");
            Files.writeString(tmp, content);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return f;
    }

    /**
     * Hands a directory tree to a sandbox uid: every entry chowned to it (links themselves, never their targets), the
     * top directory 0700. Afterwards only that uid and the server (root) can read it.
     */
    public static void grant(Path dir, int uid) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            chown(dir, uid);
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) chown(p, uid);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    private static void chown(Path p, int uid) throws IOException {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
    }
}
