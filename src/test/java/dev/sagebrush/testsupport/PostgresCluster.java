package dev.sagebrush.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: Debian's {@code postgresql} binaries, {@code initdb} into a temporary directory,
 * a free port on 127.0.0.1, its unix socket in the same directory; stopped when the JVM exits. One cluster per test
 * JVM, one fresh database per {@link #newDatabase()}. PostgreSQL refuses to run as root, so as root it runs as the
 * {@code postgres} user (through {@code setpriv}). A missing PostgreSQL skips the test, and fails it under CI=true.
 */
public final class PostgresCluster {
    private static PostgresCluster shared;
    private static final AtomicInteger databases = new AtomicInteger();

    private final Path dir;
    private final int port;
    private final Process server;

    /** The JVM's cluster, started on first use. */
    public static synchronized PostgresCluster shared() {
        Path bin = binDir();
        Prerequisites.require(bin != null, "PostgreSQL server binaries (Debian package postgresql, /usr/lib/postgresql/*/bin)");
        if (shared == null) {
            try {
                shared = new PostgresCluster(bin);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("Cannot start a PostgreSQL server for the tests: " + e.getMessage(), e);
            }
            PostgresCluster started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "postgres-stop"));
        }
        return shared;
    }

    /** A new, empty database; returns its {@code postgresql://} URL (superuser, trust authentication on loopback). */
    public String newDatabase() {
        String name = "sagebrush_test_" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create a test database: " + e.getMessage(), e);
        }
        return "postgresql://postgres@127.0.0.1:" + port + "/" + name;
    }

    public int port() {
        return port;
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private PostgresCluster(Path bin) throws IOException, InterruptedException {
        this.dir = Files.createTempDirectory("sagebrush-pg");
        Path data = dir.resolve("data");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) run(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
        run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "--auth=trust", "--username=postgres",
                "--encoding=UTF8", "--locale=C", "--no-sync"), root);
        this.port = freePort();
        List<String> cmd = asUser(List.of(bin.resolve("postgres").toString(), "-D", data.toString(),
                "-p", Integer.toString(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1",
                "-c", "max_connections=300", "-c", "shared_buffers=64MB"), root);
        this.server = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "")) {
                return;
            } catch (SQLException e) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    String log = Files.exists(dir.resolve("server.log")) ? Files.readString(dir.resolve("server.log")) : "";
                    stop();
                    throw new IOException("PostgreSQL did not start: " + e.getMessage() + "\n" + log);
                }
                Thread.sleep(100);
            }
        }
    }

    private static List<String> asUser(List<String> cmd, boolean root) {
        if (!root) return cmd;
        List<String> out = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
        out.addAll(cmd);
        return out;
    }

    private void run(List<String> cmd, boolean root) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(asUser(cmd, root)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }

    private static Path binDir() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) return null;
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres"))
                    && Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString()))).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int versionOf(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void stop() {
        if (server != null && server.isAlive()) {
            // SIGINT is PostgreSQL's fast shutdown: it ends client sessions instead of waiting for them.
            try {
                new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).start().waitFor();
                if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
            } catch (IOException | InterruptedException e) {
                server.destroyForcibly();
            }
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: best effort
        }
    }
}
