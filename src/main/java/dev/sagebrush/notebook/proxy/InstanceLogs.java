package dev.sagebrush.notebook.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import dev.sagebrush.notebook.runtime.InstanceKey;

/**
 * {@code <instance origin>/sagebrush-logs/<stream>}: the instance's logs, for whoever holds a session for it, in
 * place of AWS's CloudWatch streams {@code <name>/LifecycleConfigOnCreate} and {@code <name>/LifecycleConfigOnStart}
 * (plus {@code Jupyter}, the server's own log). Served whatever the instance's status: a Failed instance is exactly
 * when its lifecycle log is wanted. The last 1 MiB of each log is returned.
 */
final class InstanceLogs {
    static final String PATH = "sagebrush-logs";
    private static final Map<String, String> STREAMS = Map.of(
            "LifecycleConfigOnCreate", "LifecycleConfigOnCreate.log",
            "LifecycleConfigOnStart", "LifecycleConfigOnStart.log",
            "Jupyter", "jupyter.log");
    private static final int MAX = 1 << 20;

    private final Function<InstanceKey, Optional<SessionSigner.InstanceRef>> currentInstance;
    private final Function<InstanceKey, Path> logDirectory;

    /**
     * @param currentInstance the instance now holding a name (a session for an earlier one must not read it)
     * @param logDirectory    where an instance's log files are
     */
    InstanceLogs(Function<InstanceKey, Optional<SessionSigner.InstanceRef>> currentInstance, Function<InstanceKey, Path> logDirectory) {
        this.currentInstance = currentInstance;
        this.logDirectory = logDirectory;
    }

    void handle(HttpServerExchange exchange, SessionSigner.InstanceRef session, String stream) throws IOException {
        if (exchange.isInIoThread()) {
            // The instance lookup reads the store: never on an IO thread.
            exchange.dispatch(() -> {
                try {
                    handle(exchange, session, stream);
                } catch (IOException e) {
                    exchange.setStatusCode(500);
                    exchange.endExchange();
                }
            });
            return;
        }
        if (!currentInstance.apply(NotebookRoutes.keyOf(session)).map(session::equals).orElse(false)) {
            NotebookProxy.deny(exchange, 403, "Forbidden: the session is not valid for this notebook instance.");
            return;
        }
        String file = STREAMS.get(stream);
        if (file == null) {
            NotebookProxy.deny(exchange, 404, "No log stream " + stream + ". Streams: " + String.join(", ", STREAMS.keySet()));
            return;
        }
        Path log = logDirectory.apply(new InstanceKey(session.account(), session.region(), session.name())).resolve(file);
        byte[] body = Files.exists(log) ? tail(log) : new byte[0];
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(ByteBuffer.wrap(body));
    }

    private static byte[] tail(Path log) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long from = Math.max(0, f.length() - MAX);
            byte[] b = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(b);
            return b;
        }
    }
}
