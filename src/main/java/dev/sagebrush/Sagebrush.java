package dev.sagebrush;

import dev.sagebrush.auth.Credentials;
import dev.sagebrush.auth.SigV4Verifier;
import dev.sagebrush.compilation.CompilationController;
import dev.sagebrush.compilation.CompilationJobListing;
import dev.sagebrush.compilation.CompilationJobs;
import dev.sagebrush.compilation.CompilationWork;
import dev.sagebrush.compilation.NeoCompilationWork;
import dev.sagebrush.config.Config;
import dev.sagebrush.notebook.LifecycleConfigs;
import dev.sagebrush.notebook.NodeIdentity;
import dev.sagebrush.notebook.NotebookController;
import dev.sagebrush.notebook.NotebookInstanceListing;
import dev.sagebrush.notebook.NotebookInstances;
import dev.sagebrush.notebook.NotebookSettings;
import dev.sagebrush.notebook.proxy.NotebookProxy;
import dev.sagebrush.notebook.proxy.NotebookRoutes;
import dev.sagebrush.notebook.proxy.SessionSigner;
import dev.sagebrush.notebook.runtime.HostCapabilities;
import dev.sagebrush.notebook.runtime.LocalProcessRuntime;
import dev.sagebrush.storage.EmbeddedS3;
import dev.sagebrush.storage.ObjectStorage;
import dev.sagebrush.validation.Validator;
import java.util.Map;
import dev.sagebrush.protocol.Gateway;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.OperationTable;
import dev.sagebrush.store.PageTokens;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.SqliteResourceStore;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: turns a {@link Config} into a running server, and {@link #close()} stops all of it in reverse
 * order. Tests embed it on port 0; {@code bin/sagebrush server} runs it until interrupted.
 */
public final class Sagebrush implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sagebrush.class);

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final Undertow undertow;
    private final int port;
    private final Config config;

    private Sagebrush(Config config) throws IOException {
        this.config = config;
        Clock clock = Clock.systemUTC();
        Path dataDir = Files.createDirectories(config.dataDir());
        Credentials credentials = config.credentialsFile().isPresent()
                ? Credentials.load(config.credentialsFile().get()) : Credentials.defaults();
        if (credentials.isDefault() && !config.bindsLoopbackOnly()) {
            throw new IllegalStateException("Refusing to listen on " + config.host() + " with the well-known test/test "
                    + "credentials: anyone who can reach the port could use them. Write a credentials file with lines "
                    + "'<access-key-id> <secret-access-key> <12-digit-account-id>' and start with --credentials FILE, "
                    + "or bind to 127.0.0.1.");
        }

        ResourceStore store = closeLater(new SqliteResourceStore(dataDir.resolve("sagebrush.db")));
        JsonCodec codec = new JsonCodec();
        PageTokens tokens = new PageTokens(Secrets.loadOrCreate(dataDir.resolve("secrets").resolve("page-token.key")));

        EmbeddedS3 s3 = closeLater(EmbeddedS3.start(dataDir, credentials.secretsByAccessKey()));
        ObjectStorage storage = closeLater(s3.openServiceStorage());
        CompilationWork compilationWork = new NeoCompilationWork(storage, Archives::extractModel, Map.of());
        CompilationController compilationController = closeLater(new CompilationController(store, codec, clock,
                compilationWork, dataDir.resolve("work").resolve("compilation"), config.compileWorkers(),
                "node-" + UUID.randomUUID(), Duration.ofSeconds(1)).start());
        CompilationJobs compilation = new CompilationJobs(store, codec, compilationController::wake);
        CompilationJobListing compilationListing = new CompilationJobListing(store, codec, tokens);

        NotebookSettings nb = config.notebooks();
        SessionSigner notebookSigner = new SessionSigner(
                Secrets.loadOrCreate(dataDir.resolve("secrets").resolve("notebook-session.key")));
        NotebookRoutes notebookRoutes = new NotebookRoutes();
        LocalProcessRuntime notebookRuntime = new LocalProcessRuntime(new LocalProcessRuntime.Options(
                dataDir.resolve("notebooks"), nb.lifecycleTimeout(), nb.readyTimeout(), nb.stopGrace(), nb.gitConfig(),
                nb.loopVolumes()), nb.runInstances() ? HostCapabilities.probe() : HostCapabilities.none());
        // The controller stops every Jupyter when it closes; it closes before the store (stack order).
        NotebookController notebookController = closeLater(new NotebookController(store, codec, clock, notebookRuntime,
                notebookRoutes, NodeIdentity.loadOrCreate(dataDir.resolve("secrets").resolve("notebook-node-id")),
                Duration.ofSeconds(1)));
        if (nb.runInstances()) notebookController.start();
        NotebookInstances notebooks = new NotebookInstances(store, codec, notebookController::wake, notebookSigner,
                this::endpoint);
        OperationTable table = ApiOperations.table(compilation, compilationListing, notebooks,
                new NotebookInstanceListing(store, codec, tokens, notebooks), new LifecycleConfigs(store, codec, tokens));

        HttpHandler gateway = new Gateway(table, new SigV4Verifier(credentials, "sagemaker", clock),
                Validator.loadDefault()::validate, codec, clock, config.maxRequestBytes(),
                new FrontDoor(s3.frontDoorHandler(), new NotebookProxy(notebookSigner, notebookRoutes, clock,
                        notebooks::instanceNamed, notebookRuntime::logDirectory)));
        this.undertow = Undertow.builder()
                .addHttpListener(config.port(), config.host())
                .setHandler(gateway)
                .build();
        undertow.start();
        toClose.push(undertow::stop);
        this.port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        log.info("Sagebrush listening on http://{}:{} (data in {})", config.host(), port, dataDir.toAbsolutePath());
    }

    public static Sagebrush start(Config config) throws IOException {
        return new Sagebrush(config);
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://" + (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":" + port;
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
}
