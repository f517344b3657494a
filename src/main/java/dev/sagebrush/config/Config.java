package dev.sagebrush.config;

import dev.sagebrush.cluster.ClusterSettings;
import dev.sagebrush.notebook.NotebookSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Everything a Sagebrush server needs to start. {@link #defaults(Path)} is the embedded setup the README's quickstart
 * runs: loopback, port 8080, SQLite and an embedded S3 under the data directory, the test/test credentials.
 *
 * @param host              address to bind; the default credentials are refused unless it is a loopback address
 * @param port              0 picks a free port (tests)
 * @param dataDir           holds the database, the embedded S3's objects, job work directories and the token key
 * @param credentialsFile   access keys (see {@code Credentials}); empty means the embedded test/test key
 * @param maxRequestBytes   larger SageMaker API bodies are refused before they are read
 * @param compileWorkers    compilation jobs run at once on this node
 * @param training          the training runner's image registry, workers and stop grace period
 * @param notebooks         how notebook instances run (Jupyter processes, lifecycle limits, volumes)
 * @param database          a {@code postgresql://} URL shared by several nodes; empty means SQLite in the data dir
 * @param metricsTokenFile  holds the bearer token that lets anyone scrape /metrics; empty: loopback peers only
 * @param cluster           lease TTL, this node's address for the others, the shared object store directory
 */
public record Config(String host, int port, Path dataDir, Optional<Path> credentialsFile, int maxRequestBytes,
                     int compileWorkers, TrainingSettings training, NotebookSettings notebooks,
                     Optional<String> database, Optional<Path> metricsTokenFile, ClusterSettings cluster) {

    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_MAX_REQUEST_BYTES = 8 * 1024 * 1024;

    /**
     * The data directory is made absolute once, here: its paths are handed to child processes (useradd homes,
     * SM_* variables, dlopen paths) that run in other working directories, where a relative path means something else.
     */
    public Config {
        dataDir = dataDir == null ? null : dataDir.toAbsolutePath().normalize();
    }

    public static Config defaults(Path dataDir) {
        return new Config("127.0.0.1", DEFAULT_PORT, dataDir, Optional.empty(), DEFAULT_MAX_REQUEST_BYTES,
                Math.max(1, Runtime.getRuntime().availableProcessors() / 2), TrainingSettings.defaults(),
                NotebookSettings.defaults(), Optional.empty(), Optional.empty(), ClusterSettings.defaults());
    }

    public Config withPort(int p) {
        return new Config(host, p, dataDir, credentialsFile, maxRequestBytes, compileWorkers, training, notebooks, database, metricsTokenFile, cluster);
    }

    public Config withHost(String h) {
        return new Config(h, port, dataDir, credentialsFile, maxRequestBytes, compileWorkers, training, notebooks, database, metricsTokenFile, cluster);
    }

    public Config withCredentialsFile(Path f) {
        return new Config(host, port, dataDir, Optional.ofNullable(f), maxRequestBytes, compileWorkers, training, notebooks, database, metricsTokenFile, cluster);
    }

    public Config withMaxRequestBytes(int n) {
        return new Config(host, port, dataDir, credentialsFile, n, compileWorkers, training, notebooks, database, metricsTokenFile, cluster);
    }

    public Config withCompileWorkers(int n) {
        return new Config(host, port, dataDir, credentialsFile, maxRequestBytes, n, training, notebooks, database, metricsTokenFile, cluster);
    }

    public Config withTraining(TrainingSettings t) {
        return new Config(host, port, dataDir, credentialsFile, maxRequestBytes, compileWorkers, t, notebooks, database, metricsTokenFile, cluster);
    }

    public Config withNotebooks(NotebookSettings n) {
        return new Config(host, port, dataDir, credentialsFile, maxRequestBytes, compileWorkers, training, n, database, metricsTokenFile, cluster);
    }

    public Config withDatabase(String url) {
        return new Config(host, port, dataDir, credentialsFile, maxRequestBytes, compileWorkers, training, notebooks,
                Optional.ofNullable(url).filter(u -> !u.isBlank()), metricsTokenFile, cluster);
    }

    public Config withMetricsTokenFile(Path f) {
        return new Config(host, port, dataDir, credentialsFile, maxRequestBytes, compileWorkers, training, notebooks,
                database, Optional.ofNullable(f), cluster);
    }

    public Config withCluster(ClusterSettings c) {
        return new Config(host, port, dataDir, credentialsFile, maxRequestBytes, compileWorkers, training, notebooks,
                database, metricsTokenFile, c);
    }

    public boolean bindsLoopbackOnly() {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
