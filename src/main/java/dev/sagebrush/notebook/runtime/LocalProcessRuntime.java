package dev.sagebrush.notebook.runtime;

import dev.sagebrush.jobs.Commands;
import dev.sagebrush.jobs.ProcessTree;
import dev.sagebrush.jobs.sandbox.LoopVolumes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each notebook instance as a Debian {@code jupyter-notebook} server process on this host (see
 * {@link JupyterCommand} for the command line and {@link InstanceLayout} for the files). Start order: volume, code
 * repositories, OnCreate (once), OnStart, Jupyter; InService only once Jupyter answers its API with the token.
 * Isolation is whatever {@link HostCapabilities} allows, and the server log says what that is.
 */
public final class LocalProcessRuntime implements NotebookRuntime {
    private static final Logger log = LoggerFactory.getLogger(LocalProcessRuntime.class);

    /**
     * @param root             directory holding one directory per instance
     * @param lifecycleTimeout AWS's limit is 5 minutes; shorter in tests
     * @param readyTimeout     how long Jupyter may take to answer after it is spawned
     * @param stopGrace        SIGTERM, then this long for Jupyter to shut its kernels down, then SIGKILL
     * @param gitConfig        git config file for cloning code repositories (mirrors, insteadOf rules)
     * @param loopVolumes      enforce VolumeSizeInGB with loop-mounted images when the host can
     */
    public record Options(Path root, Duration lifecycleTimeout, Duration readyTimeout, Duration stopGrace,
                          Optional<Path> gitConfig, boolean loopVolumes) {}

    private record Running(Process process, InstanceLayout layout, Upstream upstream, UnixSocketRelay relay) {}

    private final Options options;
    private final HostCapabilities host;
    private final LoopVolumes volumes;
    private final InstanceCgroups cgroups;
    private final MemoryCgroup memory;
    private final long hostMemory;
    private final CodeRepositories repositories;
    private final Map<InstanceKey, Running> running = new ConcurrentHashMap<>();
    private final Map<InstanceKey, String> exited = new ConcurrentHashMap<>();
    /** The API relays of instances in their own network namespace (see ApiRelay), from start to stop. */
    private final Map<InstanceKey, UnixSocketRelay> apiRelays = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final SecureRandom random = new SecureRandom();

    public LocalProcessRuntime(Options options, HostCapabilities host) throws IOException {
        this.options = options;
        this.host = host;
        this.volumes = new LoopVolumes(options.loopVolumes() && host.loopVolumes());
        this.cgroups = new InstanceCgroups(host.cgroup2());
        this.memory = MemoryCgroup.probe(host.sandboxes());
        this.hostMemory = hostMemoryBytes();
        this.repositories = new CodeRepositories(options.gitConfig());
        Files.createDirectories(options.root());
        // Only the server enters: the sandboxes see their own parts through bind mounts made by root.
        Files.setPosixFilePermissions(options.root(), PosixFilePermissions.fromString("rwx------"));
        if (host.setpriv()) InstanceUsers.removeOrphans();
        log.info("Notebook runtime: {}", describeHost());
    }

    @Override
    public Path logDirectory(InstanceKey key) {
        return InstanceLayout.of(options.root(), key).logs();
    }

    @Override
    public String describeHost() {
        return host.describe() + "; " + memory.describe()
                + (volumes.enforcesSize() || !host.loopVolumes() ? "" : " (loop volumes switched off)");
    }

    @Override
    public Upstream start(InstanceSpec spec) throws RuntimeFailure {
        InstanceKey key = spec.key();
        if (running.containsKey(key)) return running.get(key).upstream();
        if (host.root() && !host.sandboxes()) {
            // Running a user's Jupyter or lifecycle script as host root is exactly what the sandbox exists to prevent.
            throw new RuntimeFailure("This host cannot sandbox notebook instances: install the Debian packages "
                    + "bubblewrap and util-linux (bwrap, setpriv, unshare, prlimit) and passwd (useradd).");
        }
        if (!spec.directInternetAccess() && !host.sandboxes()) {
            // Failing is honest; starting with internet access the user asked not to have would not be.
            throw new RuntimeFailure("DirectInternetAccess is Disabled, but this host cannot give the instance its "
                    + "own network namespace (Sagebrush must run as root, with bubblewrap installed). The "
                    + "instance was not started rather than started with internet access.");
        }
        if (!jupyterInstalled()) {
            throw new RuntimeFailure("Jupyter is not installed on this host: install the Debian packages "
                    + "jupyter-notebook and python3-ipykernel (" + JupyterCommand.PYTHON + " -m notebook must work).");
        }
        InstanceLayout l = InstanceLayout.of(options.root(), key);
        exited.remove(key);
        try {
            InstanceUsers.Ids ids = prepareDirectories(l);
            if (!volumes.enforcesSize()) {
                log.info("Notebook instance {}: VolumeSizeInGB={} is not enforced on this host", key, spec.volumeSizeInGB());
            }
            try {
                volumes.attach(l.volumeImage(), l.volume(), spec.volumeSizeInGB());
            } catch (IOException e) {
                throw new RuntimeFailure(e.getMessage());
            }
            // Only the instance's user may enter its volume (a fresh directory or filesystem root is 0755).
            Files.setPosixFilePermissions(l.volume(), PosixFilePermissions.fromString("rwx------"));
            List<String> folders = repositories.cloneInto(l.volume(), spec.codeRepositories());
            if (ids != null) {
                Commands.run(List.of("chown", "-R", ids.uid() + ":" + ids.gid(), l.volume().toString()), Duration.ofMinutes(5));
            }
            SandboxFiles.write(l, spec, ids);
            Optional<Integer> relayPort = ids != null && !spec.directInternetAccess() ? ApiRelay.port(spec) : Optional.empty();
            if (relayPort.isPresent()) apiRelays.put(key, ApiRelay.open(l, ids, relayPort.get()));
            InstanceLimits limits = InstanceLimits.forType(spec.instanceType(), hostMemory);
            runLifecycle(spec, l, ids, limits);
            String token = HexFormat.of().formatHex(bytes(32));
            Running r = launch(spec, l, ids, limits, token, spec.defaultCodeRepository() == null ? null : folders.get(0));
            running.put(key, r);
            watch(key, r);
            return r.upstream();
        } catch (RuntimeFailure e) {
            cleanUp(l);
            throw e;
        } catch (IOException | RuntimeException e) {
            cleanUp(l);
            log.error("Notebook instance {} could not start", key, e);
            throw new RuntimeFailure("The notebook instance could not be started: " + e.getMessage());
        }
    }

    private volatile boolean jupyterInstalled;

    /** Checked until it is there: installing the packages while the server runs is enough. */
    private boolean jupyterInstalled() {
        if (!jupyterInstalled) {
            jupyterInstalled = Commands.run(List.of(JupyterCommand.PYTHON, "-c", "import notebook, ipykernel"),
                    Duration.ofSeconds(30)).ok();
        }
        return jupyterInstalled;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /**
     * Makes the directories with their owners; wipes home/, tmp/ and runtime/, which do not persist on AWS either.
     * Returns the instance user's ids, or null on a host that cannot sandbox (everything is the server's user).
     */
    private InstanceUsers.Ids prepareDirectories(InstanceLayout l) throws IOException, RuntimeFailure {
        for (Path dir = l.base(); dir != null && !dir.equals(options.root()); dir = dir.getParent()) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        for (Path p : List.of(l.meta(), l.logs(), l.sandbox())) {
            Files.createDirectories(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        }
        Files.createDirectories(l.volume());
        for (Path p : List.of(l.home(), l.runtime(), l.tmp())) {
            deleteTree(p);
            Files.createDirectories(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        }
        if (!host.sandboxes()) return null;
        InstanceUsers.Ids ids = InstanceUsers.ensure(l.userName(), l.home(), l.base());
        Commands.run(List.of("chown", ids.uid() + ":" + ids.gid(), l.home().toString(), l.runtime().toString(),
                l.tmp().toString()), Duration.ofSeconds(30));
        return ids;
    }

    private void runLifecycle(InstanceSpec spec, InstanceLayout l, InstanceUsers.Ids ids, InstanceLimits limits)
            throws RuntimeFailure, IOException {
        InstanceSpec.LifecycleHooks hooks = spec.lifecycle();
        LifecycleScripts.Launcher launcher = lifecycleLauncher(spec, l, ids, limits);
        // OnCreate runs once in the life of an instance, whether it worked or not (as on AWS).
        if (hooks.onCreate() != null && !Files.exists(l.onCreateDone())) {
            Files.writeString(l.onCreateDone(), Instant.now().toString());
            LifecycleScripts.run(LifecycleScripts.Hook.ON_CREATE, hooks.onCreate(), spec, l, launcher,
                    options.lifecycleTimeout());
        } else if (!Files.exists(l.onCreateDone())) {
            Files.writeString(l.onCreateDone(), Instant.now().toString()); // a config attached later has no OnCreate turn
        }
        if (hooks.onStart() != null) {
            LifecycleScripts.run(LifecycleScripts.Hook.ON_START, hooks.onStart(), spec, l, launcher,
                    options.lifecycleTimeout());
        }
    }

    /** Lifecycle scripts: root inside the sandbox's user namespace, from /, no pid namespace (see Sandbox). */
    private LifecycleScripts.Launcher lifecycleLauncher(InstanceSpec spec, InstanceLayout l, InstanceUsers.Ids ids,
                                                        InstanceLimits limits) {
        boolean sandboxed = ids != null;
        return new LifecycleScripts.Launcher() {
            @Override
            public String place(Path scriptFile) throws IOException {
                if (!sandboxed) return scriptFile.toString();
                Files.copy(scriptFile, l.sandbox().resolve("lifecycle.sh"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return Sandbox.LIFECYCLE_SCRIPT;
            }

            @Override
            public List<String> command(Path scriptFile, List<String> command) {
                List<String> cmd = new ArrayList<>(cgroups.enterPrefix(l.cgroupName()));
                if (!sandboxed) {
                    cmd.addAll(command);
                    return cmd;
                }
                cmd.addAll(memory.enterPrefix(l.cgroupName(), limits.memoryBytes()));
                Optional<Integer> relay = spec.directInternetAccess() ? Optional.empty() : ApiRelay.port(spec);
                cmd.addAll(Sandbox.wrap(l, ids, new Sandbox.Options(!spec.directInternetAccess(), true, false, "/",
                        limits), relay.map(port -> ApiRelay.wrap(port, command)).orElse(command)));
                return cmd;
            }

            @Override
            public JupyterCommand.Paths paths() {
                return sandboxed ? JupyterCommand.Paths.sandboxed() : JupyterCommand.Paths.onHost(l);
            }

            @Override
            public String user() {
                return sandboxed ? "ec2-user" : System.getProperty("user.name");
            }
        };
    }

    private Running launch(InstanceSpec spec, InstanceLayout l, InstanceUsers.Ids ids, InstanceLimits limits,
                           String token, String defaultFolder) throws IOException, RuntimeFailure {
        boolean sandboxed = ids != null;
        boolean unixSocket = !spec.directInternetAccess();
        boolean rootInside = sandboxed && spec.rootAccess();
        JupyterCommand.Paths paths = sandboxed ? JupyterCommand.Paths.sandboxed() : JupyterCommand.Paths.onHost(l);
        RuntimeFailure last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = unixSocket ? 0 : JupyterCommand.freePort();
            List<String> jupyter = JupyterCommand.build(paths, port, unixSocket, rootInside, defaultFolder);
            List<String> cmd = new ArrayList<>(cgroups.enterPrefix(l.cgroupName()));
            if (sandboxed) {
                cmd.addAll(memory.enterPrefix(l.cgroupName(), limits.memoryBytes()));
                Optional<Integer> relay = unixSocket ? ApiRelay.port(spec) : Optional.empty();
                cmd.addAll(Sandbox.wrap(l, ids, new Sandbox.Options(unixSocket, rootInside, true, Sandbox.VOLUME,
                        limits), relay.map(p -> ApiRelay.wrap(p, jupyter)).orElse(jupyter)));
            } else {
                cmd.addAll(jupyter);
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(l.volume().toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(l.jupyterLog().toFile()));
            pb.environment().clear();
            String user = !sandboxed ? System.getProperty("user.name") : rootInside ? "root" : "ec2-user";
            pb.environment().putAll(JupyterCommand.environment(paths, user, token, spec.callback()));
            pb.environment().put("SM_NOTEBOOK_INSTANCE_NAME", spec.name());
            Process p = pb.start();
            Files.writeString(l.pidFile(), Long.toString(p.pid()));
            UnixSocketRelay relay = unixSocket ? new UnixSocketRelay(l.socket(), spec.name()) : null;
            URI uri = URI.create("http://127.0.0.1:" + (relay != null ? relay.port() : port));
            Upstream up = new Upstream(uri, token);
            try {
                awaitReady(p, up, l);
                return new Running(p, l, up, relay);
            } catch (RuntimeFailure e) {
                if (relay != null) relay.close();
                terminate(p);
                last = e;
                if (!Commands.tail(l.jupyterLog(), 4096).contains("is already in use")) break;
            }
        }
        throw last;
    }

    private void awaitReady(Process p, Upstream up, InstanceLayout l) throws RuntimeFailure {
        HttpRequest probe = HttpRequest.newBuilder(up.uri().resolve("/api/status"))
                .header("Authorization", "token " + up.token()).timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + options.readyTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new RuntimeFailure("The Jupyter server exited during start-up with code " + p.exitValue()
                        + ". Last lines of its log: " + Commands.lastLines(Commands.tail(l.jupyterLog(), 4096), 5));
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RuntimeFailure("Interrupted while waiting for Jupyter to start");
            }
            sleep(50);
        }
        throw new RuntimeFailure("The Jupyter server did not answer within " + options.readyTimeout().toSeconds()
                + " seconds. Last lines of its log: " + Commands.lastLines(Commands.tail(l.jupyterLog(), 4096), 5));
    }

    /** Notices a Jupyter that ends by itself (a crash, an OOM kill): the controller turns this into Failed. */
    private void watch(InstanceKey key, Running r) {
        r.process().onExit().thenRun(() -> {
            if (running.get(key) != r) return; // stopped on purpose
            // The reason first, then "not running": the controller must never see neither.
            exited.put(key, "The Jupyter server of the notebook instance exited unexpectedly with code "
                    + r.process().exitValue() + ". Last lines of its log: "
                    + Commands.lastLines(Commands.tail(r.layout().jupyterLog(), 4096), 5));
            if (running.remove(key, r) && r.relay() != null) r.relay().close();
        });
    }

    @Override
    public Optional<String> exitReason(InstanceKey key) {
        return Optional.ofNullable(exited.get(key));
    }

    @Override
    public boolean isRunning(InstanceKey key) {
        return running.containsKey(key);
    }

    @Override
    public void stop(InstanceKey key) {
        Running r = running.remove(key);
        exited.remove(key);
        InstanceLayout l = r != null ? r.layout() : InstanceLayout.of(options.root(), key);
        if (r != null) {
            if (r.relay() != null) r.relay().close();
            terminate(r.process());
        }
        cleanUp(l);
    }

    @Override
    public void reset(InstanceKey key) {
        if (running.containsKey(key)) return;
        InstanceLayout l = InstanceLayout.of(options.root(), key);
        try {
            if (Files.exists(l.pidFile())) {
                long pid = Long.parseLong(Files.readString(l.pidFile()).strip());
                Optional<ProcessHandle> h = ProcessHandle.of(pid);
                Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
                // Only a process that is really this instance's Jupyter (or its sandbox): pids are reused.
                if (h.isPresent() && Files.exists(cmdline)
                        && Files.readString(cmdline).replace('\0', ' ').contains(l.volume().toString())) {
                    log.info("Stopping a Jupyter left running for notebook instance {} (pid {})", key, pid);
                    h.get().destroy();
                    h.get().onExit().get(options.stopGrace().toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (Exception e) {
            // fall through to the kill by uid, which is thorough
        }
        cleanUp(l);
    }

    /** Kills whatever of the instance is left (its uid, its cgroup), unmounts its volume, forgets the pid. */
    private void cleanUp(InstanceLayout l) {
        // Cleaning up must finish even when the thread was interrupted (server shutdown): a volume left mounted
        // under a data directory that is then deleted would take its contents with it.
        boolean interrupted = Thread.interrupted();
        try {
            killAndUnmount(l);
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private void killAndUnmount(InstanceLayout l) {
        UnixSocketRelay api = apiRelays.remove(l.key());
        if (api != null) api.close();
        if (host.sandboxes()) {
            InstanceUsers.Ids ids = InstanceUsers.lookup(l.userName());
            if (ids != null && ids.uid() != 0) InstanceProcesses.killAll(ids.uid());
        }
        cgroups.killAll(l.cgroupName());
        memory.remove(l.cgroupName());
        volumes.detach(l.volume());
        try {
            Files.deleteIfExists(l.pidFile());
        } catch (IOException ignored) {
            // stale pid files are verified before use
        }
    }

    /** SIGTERM to Jupyter itself (it shuts its kernels down), then SIGKILL to whatever is left of the tree. */
    private void terminate(Process p) {
        ProcessTree.stop(p.toHandle(), options.stopGrace(),
                h -> h.info().commandLine().orElse("").contains(" -m notebook "));
    }

    @Override
    public void update(InstanceSpec spec) throws RuntimeFailure {
        InstanceLayout l = InstanceLayout.of(options.root(), spec.key());
        try {
            volumes.grow(l.volumeImage(), l.volume(), spec.volumeSizeInGB());
        } catch (IOException e) {
            throw new RuntimeFailure("Could not resize the volume: " + e.getMessage());
        }
    }

    @Override
    public void destroy(InstanceKey key) {
        stop(key);
        InstanceLayout l = InstanceLayout.of(options.root(), key);
        if (LoopVolumes.isMounted(l.volume())) {
            log.warn("Volume of notebook instance {} is still mounted; leaving {} in place", key, l.base());
            return;
        }
        try {
            deleteTree(l.base());
        } catch (IOException e) {
            log.warn("Could not remove {}", l.base(), e);
        }
        if (host.setpriv()) InstanceUsers.remove(l.userName());
    }

    @Override
    public void close() {
        // Stop in parallel: each stop may wait for its Jupyter to shut its kernels down.
        List<Thread> stops = new ArrayList<>();
        for (InstanceKey key : List.copyOf(running.keySet())) {
            Thread t = new Thread(() -> stop(key), "nb-stop-" + key.label());
            t.start();
            stops.add(t);
        }
        for (Thread t : stops) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static long hostMemoryBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: the instance type alone decides
        }
        return 0;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
