package dev.sagebrush;

import dev.sagebrush.auth.Credentials;
import dev.sagebrush.auth.PageTokens;
import dev.sagebrush.auth.ServerKeys;
import dev.sagebrush.auth.SigV4Verifier;
import dev.sagebrush.compilation.CompilationController;
import dev.sagebrush.compilation.CompilationJobListing;
import dev.sagebrush.compilation.CompilationJobs;
import dev.sagebrush.compilation.CompilationWork;
import dev.sagebrush.compilation.ArtifactPublisher;
import dev.sagebrush.compilation.NeoCompilationWork;
import dev.sagebrush.compilation.XgboostModelCompiler;
import dev.sagebrush.compilation.onnx.OnnxTvmCompiler;
import dev.sagebrush.compilation.pytorch.PyTorchTvmCompiler;
import dev.sagebrush.compilation.tflite.TfliteTvmCompiler;
import dev.sagebrush.compilation.tvm.TvmPipeline;
import dev.sagebrush.config.Config;
import dev.sagebrush.console.Console;
import dev.sagebrush.logs.CloudWatchLogs;
import dev.sagebrush.metrics.CloudWatchMetrics;
import dev.sagebrush.protocol.wire.JsonWire;
import dev.sagebrush.protocol.InputValidator;
import dev.sagebrush.store.ReadCache;
import dev.sagebrush.store.SqlResourceStore;
import dev.sagebrush.store.SqliteResourceStore;
import dev.sagebrush.telemetry.MetricsEndpoint;
import dev.sagebrush.telemetry.OpsMetrics;
import dev.sagebrush.telemetry.RequestTelemetry;
import dev.sagebrush.telemetry.Telemetry;
import java.util.Optional;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.ModelArtifacts;
import dev.sagebrush.jobs.sandbox.LoopVolumes;
import dev.sagebrush.jobs.sandbox.SandboxSettings;
import dev.sagebrush.jobs.sandbox.Sandboxes;
import dev.sagebrush.logs.FileLogIngester;
import dev.sagebrush.logs.LogStore;
import dev.sagebrush.metrics.MetricStore;
import dev.sagebrush.notebook.LifecycleConfigs;
import dev.sagebrush.notebook.NodeIdentity;
import dev.sagebrush.notebook.NotebookController;
import dev.sagebrush.notebook.NotebookInstanceListing;
import dev.sagebrush.notebook.NotebookInstances;
import dev.sagebrush.notebook.NotebookSettings;
import dev.sagebrush.notebook.callback.CredentialsEndpoint;
import dev.sagebrush.notebook.callback.InstanceCredentials;
import dev.sagebrush.cluster.ForwardSignature;
import dev.sagebrush.notebook.proxy.NotebookForwarder;
import dev.sagebrush.notebook.proxy.NotebookOrigins;
import dev.sagebrush.store.Claim;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.notebook.proxy.NotebookProxy;
import dev.sagebrush.notebook.proxy.NotebookRoutes;
import dev.sagebrush.notebook.proxy.SessionSigner;
import dev.sagebrush.notebook.runtime.HostCapabilities;
import dev.sagebrush.notebook.runtime.LocalProcessRuntime;
import dev.sagebrush.storage.EmbeddedS3;
import dev.sagebrush.storage.AccountStorage;
import dev.sagebrush.storage.SafeArchive;
import dev.sagebrush.search.Searches;
import dev.sagebrush.tags.Tags;
import dev.sagebrush.training.TrainingController;
import dev.sagebrush.training.TrainingJobListing;
import dev.sagebrush.training.TrainingJobs;
import dev.sagebrush.training.container.Containers;
import dev.sagebrush.training.runner.ContainerBackend;
import dev.sagebrush.training.runner.ImageRegistry;
import dev.sagebrush.training.runner.LocalTrainingRunner;
import dev.sagebrush.validation.Validator;
import java.util.Map;
import dev.sagebrush.protocol.DateHeader;
import dev.sagebrush.protocol.Gateway;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.OperationTable;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.ChangeFollower;
import dev.sagebrush.store.ResourceStores;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: turns a {@link Config} into a running server, and {@link #close()} stops all of it in reverse
 * order. Tests embed it on port 0; {@code bin/sagebrush server} runs it until interrupted.
 */
public final class Sagebrush implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sagebrush.class);

    /** How often the change feed is read when nothing signalled a write (a lost NOTIFY costs at most this). */
    private static final Duration FEED_POLL = Duration.ofMillis(500);
    /** Training jobs whose Describe is kept in memory (~2 kB each): the ones being watched, not the whole history. */
    private static final int DESCRIBE_CACHE_ROWS = 4096;

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final Undertow undertow;
    private final int port;
    private final Config config;

    private Sagebrush(Config config, DataDirectoryLock lock) throws IOException {
        this.config = config;
        toClose.push(lock); // closed last
        StartupStages stages = new StartupStages();
        Clock clock = Clock.systemUTC();
        Path dataDir = DataDirectory.secure(config.dataDir(), config.database().isEmpty());
        // Every untrusted workload (compiler steps, training processes) runs in one of these sandboxes.
        SandboxSettings sandboxSettings = SandboxSettings.fromEnvironment();
        Sandboxes sandboxes = Sandboxes.create(sandboxSettings, dataDir.resolve("sandbox"));
        if (!sandboxes.host().available()) {
            log.warn("Sandboxes are not available on this host, so compilation and training jobs will fail: {}",
                    String.join("; ", sandboxes.host().problems()));
        }
        stages.done("sandboxes");
        Credentials credentials = config.credentialsFile().isPresent()
                ? Credentials.load(config.credentialsFile().get()) : Credentials.defaults();
        if (credentials.isDefault() && !config.bindsLoopbackOnly()) {
            throw new IllegalStateException("Refusing to listen on " + config.host() + " with the well-known test/test "
                    + "credentials: anyone who can reach the port could use them. Write a credentials file with lines "
                    + "'<access-key-id> <secret-access-key> <12-digit-account-id>' and start with --credentials FILE, "
                    + "or bind to 127.0.0.1.");
        }

        // The embedded S3 (s3proxy and jclouds: ~1,500 classes to load) starts on another core while the store opens.
        java.util.concurrent.CompletableFuture<EmbeddedS3> s3Start = startInBackground("s3-start", () ->
                EmbeddedS3.startIn(config.cluster().objectStoreDir().orElse(dataDir.resolve("s3")), credentials::find,
                        credentials.accountIds()));
        Telemetry telemetry = closeLater(new Telemetry());
        ResourceStore store = closeLater(ResourceStores.open(config.database(), dataDir));
        stages.done("store");
        if (store instanceof SqlResourceStore sql) sql.observeWrites(telemetry::storeCommit);
        JsonCodec codec = new JsonCodec();
        // Every key that signs what clients hold, from one place: the data directory, or the database nodes share.
        ServerKeys keys = config.database().isEmpty() ? ServerKeys.inDirectory(dataDir.resolve("secrets"))
                : ServerKeys.shared(store::sharedKey);
        PageTokens tokens = new PageTokens(keys.get(ServerKeys.PAGE_TOKENS));

        // One identity for this node in every lease it takes, so two nodes sharing a database never run one job twice;
        // kept in the data directory, so after a crash this node takes its own interrupted work back at once.
        String nodeId = NodeIdentity.loadOrCreate(dataDir.resolve("secrets").resolve("node-id"));
        // The Search index (a snapshot read, or a scan of the store) loads on another core while the rest starts;
        // the server listens only once it is in.
        byte[] searchKey = keys.get(ServerKeys.SEARCH_TOKENS);
        Path snapshotFile = DataDirectory.privateDir(dataDir.resolve("search")).resolve("training-jobs.snapshot");
        java.util.concurrent.CompletableFuture<Searches> searchIndex = startInBackground("search-index-load",
                () -> new Searches(store, codec, searchKey, snapshotFile));
        stages.done("keys");
        EmbeddedS3 s3 = closeLater(join(s3Start));
        stages.done("s3");
        Duration lease = config.cluster().leaseTtl();
        // Jobs read and write S3 as their account: its own buckets only.
        AccountStorage storage = closeLater(s3.accountStorage());
        CompilationWork compilationWork = new NeoCompilationWork(storage, SafeArchive.Limits.DEFAULT,
                compilers(storage, dataDir, sandboxes, sandboxSettings.compileMemoryBytes()));
        CompilationController compilationController = closeLater(new CompilationController(store, codec, clock,
                compilationWork, DataDirectory.privateDir(dataDir.resolve("work").resolve("compilation")),
                config.compileWorkers(),
                nodeId, lease, Duration.ofSeconds(1)).start());
        CompilationJobs compilation = new CompilationJobs(store, codec, compilationController::wake);
        CompilationJobListing compilationListing = new CompilationJobListing(store, codec, tokens);
        stages.done("compilation");

        ImageRegistry images = config.training().imagesFile().map(ImageRegistry::load).orElseGet(ImageRegistry::empty);
        // Shared by the nodes of a cluster when they give one --cloudwatch-dir: any node reads any job's logs and metrics.
        // Private to the server like the object store: lines and metrics of every account are in it.
        Path cloudWatchDir = config.cluster().cloudWatchDir().isPresent()
                ? DataDirectory.privateDir(config.cluster().cloudWatchDir().get()) : dataDir;
        LogStore logs = closeLater(new LogStore(cloudWatchDir.resolve("logs"), clock, LogStore.Limits.DEFAULT));
        MetricStore metrics = closeLater(new MetricStore(cloudWatchDir.resolve("metrics")));
        // Containers only where jobs run at all and can be sandboxed (root: each container's uids are a leased range).
        java.util.function.Supplier<Optional<ContainerBackend>> containers = config.training().workers() > 0
                && sandboxes.host().available() ? Containers.lazily(config.training().containerEngine(),
                config.training().imageMapFile(), sandboxSettings, config.training().containerUids(),
                sandboxes.host().memoryCgroup(), nodeId) : Optional::empty;
        // Each training host's /opt/ml is a loop-mounted volume of VolumeSizeInGB where the host can make one.
        LoopVolumes trainingVolumes = new LoopVolumes(config.training().workers() > 0 && LoopVolumes.hostSupports());
        if (config.training().workers() > 0 && !trainingVolumes.enforcesSize()) {
            log.info("Training jobs' VolumeSizeInGB is not enforced on this host (needs root, loop devices and "
                    + "e2fsprogs)");
        }
        LocalTrainingRunner trainingRunner = new LocalTrainingRunner(images, storage,
                DataDirectory.privateDir(dataDir.resolve("training")), config.training().stopGrace(), clock, sandboxes,
                config.training().memoryBytes().orElse(sandboxSettings.trainingMemoryBytes()),
                new TrainingTelemetry(logs, metrics, clock), containers, trainingVolumes);
        TrainingController trainingController = closeLater(new TrainingController(store, codec, clock,
                trainingRunner, config.training().workers(), nodeId, lease, Duration.ofSeconds(1)).start());
        // Describe from memory while provably current: only where this process sees every write (see ReadCache).
        ReadCache describeCache = store instanceof SqliteResourceStore ? new ReadCache(store, DESCRIBE_CACHE_ROWS) : null;
        TrainingJobs training = new TrainingJobs(store, codec, trainingController::wake,
                config.training().maxInstances(), describeCache);
        TrainingJobListing trainingListing = new TrainingJobListing(store, codec, tokens);
        stages.done("training");
        Tags tags = new Tags(store, tokens);
        // Closed after the change follower (registered later, closed first), while the store is still open: writes the
        // index snapshot that the next start reads back (see IndexSnapshot). Loaded in parallel (above).
        Searches searches = closeLater(join(searchIndex));
        stages.done("search index (waiting for its loader)");
        NotebookSettings nb = config.notebooks();
        SessionSigner notebookSigner = new SessionSigner(
                keys.get(ServerKeys.NOTEBOOK_SESSIONS));
        NotebookRoutes notebookRoutes = new NotebookRoutes();
        NotebookOrigins notebookOrigins = new NotebookOrigins(nb.domain(), () -> java.net.URI.create(endpoint()));
        InstanceCredentials instanceCredentials = new InstanceCredentials(
                keys.get(ServerKeys.NOTEBOOK_CREDENTIALS), clock,
                ref -> NotebookInstances.isActive(store, ref));
        CredentialsEndpoint credentialsEndpoint = new CredentialsEndpoint(instanceCredentials);
        LocalProcessRuntime notebookRuntime = new LocalProcessRuntime(new LocalProcessRuntime.Options(
                dataDir.resolve("notebooks"), nb.lifecycleTimeout(), nb.readyTimeout(), nb.stopGrace(), nb.gitConfig(),
                nb.loopVolumes()), nb.runInstances() ? HostCapabilities.probe() : HostCapabilities.none());
        // The controller stops every Jupyter when it closes; it closes before the store (stack order).
        NotebookController notebookController = closeLater(new NotebookController(store, codec, clock, notebookRuntime,
                notebookRoutes, nodeId, lease, Duration.ofSeconds(1), credentialsEndpoint.environment(this::loopbackEndpoint)));
        if (nb.runInstances()) notebookController.start();
        closeLater(new FileLogIngester(logs, new NotebookLogFiles(store, notebookRuntime::logDirectory),
                dataDir.resolve("logs").resolve("ingest"), clock, Duration.ofSeconds(1)).start());
        NotebookInstances notebooks = new NotebookInstances(store, codec, notebookController::wake, notebookSigner,
                notebookOrigins);
        stages.done("notebooks");
        // The store's change feed: the Search index follows it, and a write on any node queues the resource it changed in
        // the work queue of its kind's controller.
        ChangeFollower changes = closeLater(new ChangeFollower(store, searches.loadedAt(), FEED_POLL));
        searches.follow(changes);
        if (describeCache != null) describeCache.follow(changes);
        changes.subscribe(compilationController::onChanges).subscribe(trainingController::onChanges);
        if (nb.runInstances()) changes.subscribe(notebookController::onChanges);
        changes.start();
        stages.done("change feed");
        OperationTable table = ApiOperations.table(compilation, compilationListing, training, trainingListing, tags,
                searches, notebooks, new NotebookInstanceListing(store, codec, tokens, notebooks),
                new LifecycleConfigs(store, codec, tokens));

        InputValidator validator = Validator.loadDefault()::validate;
        HttpHandler gateway = new Gateway(table, new SigV4Verifier(credentials, instanceCredentials, "sagemaker", clock),
                validator, codec, clock, config.maxRequestBytes(),
                new FrontDoor(s3.frontDoorHandler(instanceCredentials, clock), new NotebookProxy(notebookSigner,
                        notebookRoutes, notebookOrigins, clock, notebooks::instanceAt, notebookRuntime::logDirectory,
                        notebookForwarder(store, keys, nodeId, clock, notebooks)), credentialsEndpoint));
        CloudWatchLogs consoleLogs = new CloudWatchLogs(logs);
        CloudWatchMetrics consoleMetrics = new CloudWatchMetrics(metrics);
        // The console: the same operation table and the same CloudWatch services, behind its session instead of SigV4.
        HttpHandler console = Console.create(credentials, table, validator, codec, clock, config.maxRequestBytes(),
                Map.of("compilation", (ctx, name) -> Optional.ofNullable(compilation.describe(ctx,
                                DescribeCompilationJobRequest.builder().compilationJobName(name).build()).modelArtifacts())
                                .map(ModelArtifacts::s3ModelArtifacts),
                        "training", (ctx, name) -> Optional.ofNullable(training.describe(ctx,
                                DescribeTrainingJobRequest.builder().trainingJobName(name).build()).modelArtifacts())
                                .map(ModelArtifacts::s3ModelArtifacts)),
                Map.of(CloudWatchLogs.TARGET_PREFIX + ".", Map.entry(consoleLogs, JsonWire.v1_1()),
                        CloudWatchMetrics.JSON_TARGET_PREFIX + ".", Map.entry(consoleMetrics, JsonWire.v1_0())));
        closeLater(OpsMetrics.jobGauges(store, telemetry, clock, notebookRoutes::size));
        HttpHandler root = new RequestTelemetry(new EdgeRouter(console,
                new MetricsEndpoint(telemetry, MetricsEndpoint.token(config.metricsTokenFile())),
                ServiceEndpoints.route(gateway, credentials, instanceCredentials, clock, config.maxRequestBytes(), logs,
                        metrics)), telemetry, clock,
                target -> target.startsWith("SageMaker.") ? table.find(target.substring("SageMaker.".length())).isPresent()
                        : target.startsWith(CloudWatchLogs.TARGET_PREFIX + ".") ? consoleLogs.operations().contains(
                                target.substring(CloudWatchLogs.TARGET_PREFIX.length() + 1))
                        : target.startsWith(CloudWatchMetrics.JSON_TARGET_PREFIX + ".") && consoleMetrics.operations()
                                .contains(target.substring(CloudWatchMetrics.JSON_TARGET_PREFIX.length() + 1)));
        stages.done("api");
        DataDirectory.secureSecrets(dataDir); // keys and the node id written since start are the server's alone too
        this.undertow = Undertow.builder()
                .addHttpListener(config.port(), config.host())
                // Slow or silent clients cost a connection, never a thread, and not for long: headers must arrive in
                // 30 s, an idle keep-alive connection is closed after 5 min (the gateway bounds bodies itself), and
                // the default body cap is the documented API limit (S3 lifts it per exchange).
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 30_000)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 300_000)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, (long) config.maxRequestBytes())
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, false) // see DateHeader
                .setHandler(new DateHeader(root, clock))
                .build();
        undertow.start();
        toClose.push(undertow::stop);
        this.port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        stages.done("http");
        if (config.database().isPresent()) {
            // The other nodes forward requests only this node can serve (its notebooks' Jupyter) to this address.
            String address = config.cluster().nodeAddress().orElseGet(this::loopbackEndpoint);
            if (config.cluster().nodeAddress().isEmpty() && !config.bindsLoopbackOnly()) {
                log.warn("No --node-address: other nodes will forward notebook requests to {}, which reaches this node "
                        + "only from this machine. Set --node-address for nodes on several machines.", address);
            }
            store.announceNode(nodeId, address, clock.instant());
            log.info("Node {} announced at {} to the nodes sharing its database", nodeId, address);
            stages.done("node announced");
        }
        log.info("Sagebrush listening on http://{}:{} (data in {})", config.host(), port, dataDir.toAbsolutePath());
        stages.report();
    }

    /** Sends a notebook request to the node whose Jupyter serves the instance: the node holding its live claim. */
    private NotebookForwarder notebookForwarder(ResourceStore store, ServerKeys keys, String nodeId, Clock clock,
                                                NotebookInstances notebooks) throws IOException {
        if (config.database().isEmpty()) return NotebookForwarder.none(); // alone on its store: it serves everything
        return new NotebookForwarder(nodeId, new ForwardSignature(keys.get(ServerKeys.NODE_FORWARDING)), clock,
                key -> notebooks.instanceAt(key).flatMap(ref -> store.currentClaim(new ResourceKey(ref.account(),
                                ref.region(), NotebookInstances.KIND, ref.name())))
                        .filter(claim -> claim.until().isAfter(clock.instant())).map(Claim::owner),
                store::nodeAddress);
    }

    /** Runs one start-up step on a thread of its own; {@link #join} takes its result (or its exception) back. */
    private static <T> java.util.concurrent.CompletableFuture<T> startInBackground(String name,
                                                                                 java.util.function.Supplier<T> step) {
        java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(step.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return result;
    }

    private static <T> T join(java.util.concurrent.CompletableFuture<T> step) throws IOException {
        try {
            return step.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    public static Sagebrush start(Config config) throws IOException {
        DataDirectoryLock lock = DataDirectoryLock.acquire(config.dataDir());
        try {
            return new Sagebrush(config, lock);
        } catch (IOException | RuntimeException | Error e) {
            try {
                lock.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://" + (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":" + port;
    }

    /** This server as a process on this host reaches it (a wildcard bind address is not a destination). */
    private String loopbackEndpoint() {
        String h = config.host();
        boolean wildcard = h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]");
        return wildcard ? "http://127.0.0.1:" + port : endpoint();
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        toClose.push(resource);
        return resource;
    }

    @Override
    public void close() {
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception e) {
                log.warn("Error while stopping", e);
            }
        }
    }

    /** One compiler per framework: XGBoost to C; ONNX, PyTorch and TFLite through TVM (refused on a host without it). */
    private static Map<String, dev.sagebrush.compilation.ModelCompiler> compilers(AccountStorage storage, Path dataDir,
                                                                                 Sandboxes sandboxes, long memory) {
        TvmPipeline tvm = new TvmPipeline(new ArtifactPublisher(storage), dataDir.resolve("cache"));
        return Map.of("XGBOOST", new XgboostModelCompiler(new ArtifactPublisher(storage), sandboxes),
                "ONNX", new OnnxTvmCompiler(tvm, sandboxes, memory),
                "PYTORCH", new PyTorchTvmCompiler(tvm, sandboxes, memory),
                "TFLITE", new TfliteTvmCompiler(tvm, sandboxes, memory));
    }
}
