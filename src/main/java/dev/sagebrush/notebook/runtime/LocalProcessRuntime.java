package dev.sagebrush.notebook.runtime;

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
    private final Volumes volumes;
    private final InstanceCgroups cgroups;
    private final CodeRepositories repositories;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, String> exited = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final SecureRandom random = new SecureRandom();

    public LocalProcessRuntime(Options options, HostCapabilities host) throws IOException {
        this.options = options;
        this.host = host;
        this.volumes = new Volumes(options.loopVolumes() && host.loopVolumes());
        this.cgroups = new InstanceCgroups(host.cgroup2());
        this.repositories = new CodeRepositories(options.gitConfig());
        Files.createDirectories(options.root());
        if (host.setpriv()) {
            // Instance users must traverse (not list) the data directory to reach their own 0700 directories.
            addTraverse(options.root());
            addTraverse(options.root().getParent());
            InstanceUsers.removeOrphans();
        }
        log.info("Notebook runtime: {}", describeHost());
    }

    @Override
    public Path logDirectory(String name) {
        return InstanceLayout.of(options.root(), name).logs();
    }

    @Override
    public String describeHost() {
        return host.describe() + (volumes.enforcesSize() || !host.loopVolumes() ? "" : " (loop volumes switched off)");
    }

    @Override
    public Upstream start(InstanceSpec spec) throws RuntimeFailure {
        if (running.containsKey(spec.name())) return running.get(spec.name()).upstream();
        if (!spec.directInternetAccess() && !host.netns()) {
            // Failing is honest; starting with internet access the user asked not to have would not be.
            throw new RuntimeFailure("DirectInternetAccess is Disabled, but this host cannot give the instance its "
                    + "own network namespace (Sagebrush must run as root, with unshare and ip installed). The "
                    + "instance was not started rather than started with internet access.");
        }
        if (!jupyterInstalled()) {
            throw new RuntimeFailure("Jupyter is not installed on this host: install the Debian packages "
                    + "jupyter-notebook and python3-ipykernel (" + JupyterCommand.PYTHON + " -m notebook must work).");
        }
        InstanceLayout l = InstanceLayout.of(options.root(), spec.name());
        exited.remove(spec.name());
        try {
            String user = prepareDirectories(l, spec);
            if (!volumes.enforcesSize()) {
                log.info("Notebook instance {}: VolumeSizeInGB={} is not enforced on this host", spec.name(), spec.volumeSizeInGB());
            }
            volumes.attach(l, spec.volumeSizeInGB());
            // Only the instance's user may enter its volume (a fresh directory or filesystem root is 0755).
            Files.setPosixFilePermissions(l.volume(), PosixFilePermissions.fromString("rwx------"));
            List<String> folders = repositories.cloneInto(l.volume(), spec.codeRepositories());
            if (host.setpriv()) Commands.run(List.of("chown", "-R", user + ":" + user, l.volume().toString()), Duration.ofMinutes(5));
            runLifecycle(spec, l, user);
            String token = HexFormat.of().formatHex(bytes(32));
            Running r = launch(spec, l, user, token, spec.defaultCodeRepository() == null ? null : folders.get(0));
            running.put(spec.name(), r);
            watch(spec.name(), r);
            return r.upstream();
        } catch (RuntimeFailure e) {
            cleanUp(l);
            throw e;
        } catch (IOException | RuntimeException e) {
            cleanUp(l);
            log.error("Notebook instance {} could not start", spec.name(), e);
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

    /** Makes the directories with their owners; wipes home/ and runtime/, which do not persist on AWS either. */
    private String prepareDirectories(InstanceLayout l, InstanceSpec spec) throws IOException, RuntimeFailure {
        Files.createDirectories(l.base());
        Files.setPosixFilePermissions(l.base(), PosixFilePermissions.fromString("rwx--x--x"));
        Files.createDirectories(l.meta());
        Files.setPosixFilePermissions(l.meta(), PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(l.logs());
        Files.setPosixFilePermissions(l.logs(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(l.volume());
        for (Path p : List.of(l.home(), l.runtime())) {
            deleteTree(p);
            Files.createDirectories(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        }
        if (!host.setpriv()) return System.getProperty("user.name");
        String user = l.userName();
        InstanceUsers.ensure(user, l.home(), l.base());
        Commands.run(List.of("chown", user + ":" + user, l.home().toString(), l.runtime().toString()), Duration.ofSeconds(30));
        return user;
    }

    private void runLifecycle(InstanceSpec spec, InstanceLayout l, String user) throws RuntimeFailure, IOException {
        InstanceSpec.LifecycleHooks hooks = spec.lifecycle();
        // OnCreate runs once in the life of an instance, whether it worked or not (as on AWS).
        if (hooks.onCreate() != null && !Files.exists(l.onCreateDone())) {
            Files.writeString(l.onCreateDone(), Instant.now().toString());
            LifecycleScripts.run(LifecycleScripts.Hook.ON_CREATE, hooks.onCreate(), spec, l, user,
                    options.lifecycleTimeout(), cgroups.enterPrefix(l.cgroupName()));
        } else if (!Files.exists(l.onCreateDone())) {
            Files.writeString(l.onCreateDone(), Instant.now().toString()); // a config attached later has no OnCreate turn
        }
        if (hooks.onStart() != null) {
            LifecycleScripts.run(LifecycleScripts.Hook.ON_START, hooks.onStart(), spec, l, user,
                    options.lifecycleTimeout(), cgroups.enterPrefix(l.cgroupName()));
        }
    }

    private Running launch(InstanceSpec spec, InstanceLayout l, String user, String token, String defaultFolder)
            throws IOException, RuntimeFailure {
        boolean isolate = !spec.directInternetAccess();
        boolean asRoot = spec.rootAccess() || !host.setpriv();
        InstanceUsers.Ids ids = asRoot ? null : InstanceUsers.lookup(user);
        RuntimeFailure last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = isolate ? 0 : JupyterCommand.freePort();
            List<String> cmd = new ArrayList<>(cgroups.enterPrefix(l.cgroupName()));
            cmd.addAll(JupyterCommand.build(l, port, isolate, ids, host.root() && asRoot, defaultFolder));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(l.volume().toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(l.jupyterLog().toFile()));
            pb.environment().clear();
            pb.environment().putAll(JupyterCommand.environment(l, asRoot && host.root() ? "root" : user, token));
            Process p = pb.start();
            Files.writeString(l.pidFile(), Long.toString(p.pid()));
            UnixSocketRelay relay = isolate ? new UnixSocketRelay(l.socket(), spec.name()) : null;
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
        HttpRequest probe = HttpRequest.newBuilder(up.uri().resolve(l.baseUrl() + "api/status"))
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
    private void watch(String name, Running r) {
        r.process().onExit().thenRun(() -> {
            if (running.get(name) != r) return; // stopped on purpose
            // The reason first, then "not running": the controller must never see neither.
            exited.put(name, "The Jupyter server of the notebook instance exited unexpectedly with code "
                    + r.process().exitValue() + ". Last lines of its log: "
                    + Commands.lastLines(Commands.tail(r.layout().jupyterLog(), 4096), 5));
            if (running.remove(name, r) && r.relay() != null) r.relay().close();
        });
    }

    @Override
    public Optional<String> exitReason(String name) {
        return Optional.ofNullable(exited.get(name));
    }

    @Override
    public boolean isRunning(String name) {
        return running.containsKey(name);
    }

    @Override
    public void stop(String name) {
        Running r = running.remove(name);
        exited.remove(name);
        InstanceLayout l = r != null ? r.layout() : InstanceLayout.of(options.root(), name);
        if (r != null) {
            if (r.relay() != null) r.relay().close();
            terminate(r.process());
        }
        cleanUp(l);
    }

    @Override
    public void reset(String name) {
        if (running.containsKey(name)) return;
        InstanceLayout l = InstanceLayout.of(options.root(), name);
        try {
            if (Files.exists(l.pidFile())) {
                long pid = Long.parseLong(Files.readString(l.pidFile()).strip());
                Optional<ProcessHandle> h = ProcessHandle.of(pid);
                Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
                // Only a process that is really this instance's Jupyter: pids are reused.
                if (h.isPresent() && Files.exists(cmdline)
                        && Files.readString(cmdline).replace('\0', ' ').contains("base_url=" + l.baseUrl())) {
                    log.info("Stopping a Jupyter left running for notebook instance {} (pid {})", name, pid);
                    h.get().destroy();
                    h.get().onExit().get(options.stopGrace().toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (Exception e) {
            // fall through to the cgroup kill, which is thorough
        }
        cleanUp(l);
    }

    /** Kills whatever of the instance is left (cgroup), unmounts its volume, forgets the pid. */
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
        cgroups.killAll(l.cgroupName());
        volumes.detach(l);
        try {
            Files.deleteIfExists(l.pidFile());
        } catch (IOException ignored) {
            // stale pid files are verified before use
        }
    }

    private void terminate(Process p) {
        List<ProcessHandle> tree = p.descendants().toList();
        p.destroy(); // SIGTERM: Jupyter shuts its kernels down cleanly
        try {
            if (!p.waitFor(options.stopGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public void update(InstanceSpec spec) throws RuntimeFailure {
        InstanceLayout l = InstanceLayout.of(options.root(), spec.name());
        try {
            volumes.grow(l, spec.volumeSizeInGB());
        } catch (IOException e) {
            throw new RuntimeFailure("Could not resize the volume: " + e.getMessage());
        }
    }

    @Override
    public void destroy(String name) {
        stop(name);
        InstanceLayout l = InstanceLayout.of(options.root(), name);
        if (Volumes.isMounted(l.volume())) {
            log.warn("Volume of notebook instance {} is still mounted; leaving {} in place", name, l.base());
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
        for (String name : List.copyOf(running.keySet())) {
            Thread t = new Thread(() -> stop(name), "nb-stop-" + name);
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

    private static void addTraverse(Path dir) throws IOException {
        if (dir == null || !Files.isDirectory(dir)) return;
        var perms = Files.getPosixFilePermissions(dir);
        if (perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) Files.setPosixFilePermissions(dir, perms);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
