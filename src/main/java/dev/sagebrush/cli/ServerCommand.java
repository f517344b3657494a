package dev.sagebrush.cli;

import dev.sagebrush.Sagebrush;
import dev.sagebrush.cluster.ClusterSettings;
import dev.sagebrush.config.Config;
import dev.sagebrush.config.TrainingSettings;
import java.time.Duration;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/sagebrush server}: runs until interrupted (Ctrl-C or SIGTERM stop it cleanly). */
@Command(name = "server", description = "Start the Sagebrush server (SageMaker API and S3 on one endpoint).")
public final class ServerCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "${env:SAGEBRUSH_HOST:-127.0.0.1}",
            description = "Address to listen on (default: ${DEFAULT-VALUE}). Non-loopback addresses need --credentials.")
    String host;

    @Option(names = "--port", defaultValue = "${env:SAGEBRUSH_PORT:-8080}", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", defaultValue = "${env:SAGEBRUSH_DATA_DIR:-data}",
            description = "Data directory: database, embedded S3 objects, job work space (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--credentials", defaultValue = "${env:SAGEBRUSH_CREDENTIALS}",
            description = "Credentials file, one '<access-key-id> <secret-access-key> <account-id>' per line. "
                    + "Default: the key test/test for account 000000000000, allowed on loopback only.")
    Path credentials;

    @Option(names = "--database", defaultValue = "${env:SAGEBRUSH_DATABASE}",
            description = "A postgresql://[user[:password]@]host[:port]/database URL: several nodes share it (see "
                    + "docs/cluster.md). Default: SQLite in the data directory.")
    String database;

    @Option(names = "--compile-workers", defaultValue = "${env:SAGEBRUSH_COMPILE_WORKERS:--1}",
            description = "Compilation jobs run at once on this node (default: half the CPU cores, at least 1; 0 runs none: an API-only node).")
    int compileWorkers;

    @Option(names = "--training-images", defaultValue = "${env:SAGEBRUSH_TRAINING_IMAGES}",
            description = "Training image registry: lines '<image-uri-or-prefix*> <command...>' mapping TrainingImage "
                    + "URIs to local commands (see docs/training.md). Without it every training job fails, saying so.")
    Path trainingImages;

    @Option(names = "--training-image-map", defaultValue = "${env:SAGEBRUSH_TRAINING_IMAGE_MAP}",
            description = "Container image mapping: lines '<image-uri-pattern> <local-image>' ('*' matches anything) "
                    + "mapping TrainingImage URIs to images in the host's podman/docker store (see docs/training.md).")
    Path trainingImageMap;

    @Option(names = "--container-engine", defaultValue = "${env:SAGEBRUSH_CONTAINER_ENGINE:-auto}",
            description = "Container engine for training images: auto (podman, else docker), podman, docker or none.")
    String containerEngine;

    @Option(names = "--training-workers", defaultValue = "${env:SAGEBRUSH_TRAINING_WORKERS:--1}",
            description = "Training jobs run at once on this node (default: half the CPU cores, at least 1; 0 runs none).")
    int trainingWorkers;

    @Option(names = "--max-training-instances", defaultValue = "${env:SAGEBRUSH_MAX_TRAINING_INSTANCES:-0}",
            description = "The account-level limit on instances across all of an account's running training jobs "
                    + "(default 0: no quota; jobs past the hosts' capacity wait); CreateTrainingJob past it fails with "
                    + "ResourceLimitExceeded.")
    int maxTrainingInstances;

    @Option(names = "--training-stop-grace", defaultValue = "${env:SAGEBRUSH_TRAINING_STOP_GRACE:-120}",
            description = "Seconds between SIGTERM and SIGKILL when a training job is stopped (default: ${DEFAULT-VALUE}, as SageMaker).")
    int trainingStopGrace;

    @Option(names = "--notebook-git-config", defaultValue = "${env:SAGEBRUSH_NOTEBOOK_GIT_CONFIG}",
            description = "A git config file used when cloning notebook code repositories (mirrors, insteadOf rules).")
    Path notebookGitConfig;

    @Option(names = "--notebook-lifecycle-timeout", defaultValue = "${env:SAGEBRUSH_NOTEBOOK_LIFECYCLE_TIMEOUT:-300}",
            description = "Seconds a notebook lifecycle script may run (default: ${DEFAULT-VALUE}, as SageMaker).")
    int notebookLifecycleTimeout;

    @Option(names = "--notebook-domain", defaultValue = "${env:SAGEBRUSH_NOTEBOOK_DOMAIN:-notebook.localhost}",
            description = "Wildcard domain of the notebook instances' own origins, <name>.<account>.<region>.<domain> "
                    + "(default: ${DEFAULT-VALUE}; browsers resolve *.localhost to this machine). For a remote server, "
                    + "point a wildcard DNS name at it.")
    String notebookDomain;

    @Option(names = "--no-notebook-runtime", description = "Run no Jupyter on this node: notebook instances are "
            + "accepted and stay Pending (an API-only node).")
    boolean noNotebookRuntime;

    @Option(names = "--metrics-token-file", defaultValue = "${env:SAGEBRUSH_METRICS_TOKEN_FILE}",
            description = "File holding a bearer token: with it anyone presenting the token may scrape /metrics; "
                    + "without it only loopback peers may.")
    Path metricsTokenFile;

    @Option(names = "--lease-ttl", defaultValue = "${env:SAGEBRUSH_LEASE_TTL:-60}",
            description = "Seconds a node's claim on a job or notebook instance lasts without renewal: how long after a "
                    + "node dies another node resumes its work (default: ${DEFAULT-VALUE}, at least 3). Give every node "
                    + "the same value.")
    int leaseTtl;

    @Option(names = "--node-address", defaultValue = "${env:SAGEBRUSH_NODE_ADDRESS}",
            description = "URL at which the other nodes reach this one, e.g. http://10.0.0.5:8080 (they forward "
                    + "notebook requests to it). Default: this node's listening address (127.0.0.1 for a wildcard "
                    + "--host: set it for nodes on several machines).")
    String nodeAddress;

    @Option(names = "--object-store-dir", defaultValue = "${env:SAGEBRUSH_OBJECT_STORE_DIR}",
            description = "Directory of the embedded S3's objects. Nodes sharing one database must share it (one "
                    + "shared file system path on every node). Default: <data-dir>/s3.")
    Path objectStoreDir;

    @Option(names = "--cloudwatch-dir", defaultValue = "${env:SAGEBRUSH_CLOUDWATCH_DIR}",
            description = "Directory of CloudWatch logs and metrics (of training jobs and notebook instances). Nodes "
                    + "sharing one database should share it, so that every node answers them. Default: <data-dir>.")
    Path cloudWatchDir;

    @Override
    public Integer call() throws Exception {
        if (leaseTtl < 3) {
            System.err.println("sagebrush: --lease-ttl must be at least 3 seconds (claims are renewed about every second)");
            return 2;
        }
        Config config = Config.defaults(dataDir).withHost(host).withPort(port).withCredentialsFile(credentials)
                .withDatabase(database).withMetricsTokenFile(metricsTokenFile)
                .withCluster(ClusterSettings.defaults().withLeaseTtl(Duration.ofSeconds(leaseTtl))
                        .withNodeAddress(nodeAddress).withObjectStoreDir(objectStoreDir)
                        .withCloudWatchDir(cloudWatchDir));
        if (compileWorkers >= 0) config = config.withCompileWorkers(compileWorkers);
        TrainingSettings training = config.training().withImagesFile(trainingImages)
                .withStopGrace(Duration.ofSeconds(trainingStopGrace)).withImageMapFile(trainingImageMap)
                .withContainerEngine(containerEngine);
        if (trainingWorkers >= 0) training = training.withWorkers(trainingWorkers);
        if (maxTrainingInstances < 0) {
            System.err.println("sagebrush: --max-training-instances must be 0 (no quota) or more");
            return 2;
        }
        training = training.withMaxInstances(maxTrainingInstances);
        config = config.withTraining(training);
        config = config.withNotebooks(config.notebooks().withGitConfig(notebookGitConfig)
                .withLifecycleTimeout(Duration.ofSeconds(notebookLifecycleTimeout)).withRunInstances(!noNotebookRuntime).withDomain(notebookDomain));
        if (PortInUse.isBusy(host, port)) {
            System.err.println(PortInUse.message(host, port));
            return 2;
        }
        Sagebrush server;
        try {
            server = Sagebrush.start(config);
        } catch (IllegalStateException | dev.sagebrush.store.StoreException e) {
            System.err.println("sagebrush: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            if (!PortInUse.causedBy(e)) throw e;
            System.err.println(PortInUse.message(host, port));
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "shutdown"));
        System.out.println("Sagebrush is ready at " + server.endpoint()
                + " (SageMaker API and S3). Press Ctrl-C to stop.");
        stopped.await();
        return 0;
    }
}
