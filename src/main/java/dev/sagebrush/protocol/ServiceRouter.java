package dev.sagebrush.protocol;

import dev.sagebrush.errors.AwsException;
import dev.sagebrush.protocol.wire.CborWire;
import dev.sagebrush.protocol.wire.JsonWire;
import dev.sagebrush.protocol.wire.QueryWire;
import dev.sagebrush.protocol.wire.WireProtocol;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.xnio.IoUtils;

/**
 * Sends each request on the one endpoint to the service and wire protocol it was made in, before the SageMaker
 * {@link Gateway} sees it:
 * <ul>
 *   <li>{@code X-Amz-Target: SageMaker.*} and everything without a target (S3, the notebook proxy): the gateway;</li>
 *   <li>{@code X-Amz-Target: <Prefix>.<Op>} of a registered JSON service (e.g. {@code Logs_20140328}): that service in
 *       awsJson; an unknown prefix gets a JSON error that names it;</li>
 *   <li>{@code POST /service/<Name>/operation/<Op>} with {@code smithy-protocol: rpc-v2-cbor}: that service in CBOR;</li>
 *   <li>a form-encoded {@code POST /} ({@code Action=...}): the query service named by the SigV4 signing scope
 *       ({@code monitoring}, {@code sts}); another scope gets a query-protocol error that names it.</li>
 * </ul>
 * A client of a service this server does not host thus reads a clear error in its own protocol, never a 404 page.
 */
public final class ServiceRouter implements HttpHandler {
    private static final HttpString TARGET = new HttpString("X-Amz-Target");
    private static final String SAGEMAKER_PREFIX = "SageMaker.";
    static final String SERVED = "this endpoint serves Amazon SageMaker, S3, CloudWatch Logs, CloudWatch (metrics) and "
            + "STS (GetCallerIdentity)";

    private record JsonRoute(ServiceHandler handler, WireProtocol wire) {}

    private final HttpHandler sagemaker;
    private final int maxBodyBytes;
    private final Map<String, JsonRoute> byTargetPrefix = new HashMap<>();
    private final Map<String, ServiceHandler> bySmithyName = new HashMap<>();
    private final Map<String, ServiceHandler> byQueryScope = new HashMap<>();
    private final WireProtocol cbor = new CborWire();
    private final WireProtocol query = new QueryWire();

    public ServiceRouter(HttpHandler sagemaker, int maxBodyBytes) {
        this.sagemaker = sagemaker;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** awsJson: requests whose X-Amz-Target starts with {@code targetPrefix + "."}. */
    public ServiceRouter json(String targetPrefix, WireProtocol wire, ServiceHandler handler) {
        byTargetPrefix.put(targetPrefix, new JsonRoute(handler, wire));
        return this;
    }

    /** Smithy RPC v2 CBOR: requests to {@code /service/<smithyName>/operation/<Op>}. */
    public ServiceRouter cbor(String smithyName, ServiceHandler handler) {
        bySmithyName.put(smithyName, handler);
        return this;
    }

    /** The query protocol: form-encoded {@code POST /} requests signed for the handler's service. */
    public ServiceRouter query(ServiceHandler handler) {
        byQueryScope.put(handler.service().signingName(), handler);
        return this;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String target = exchange.getRequestHeaders().getFirst(TARGET);
        if (target != null && target.startsWith(SAGEMAKER_PREFIX)) {
            sagemaker.handleRequest(exchange);
            return;
        }
        String path = exchange.getRequestPath();
        boolean isCbor = target == null && path.startsWith("/service/")
                && CborWire.RPC_V2_CBOR.equals(exchange.getRequestHeaders().getFirst(CborWire.SMITHY_PROTOCOL));
        boolean isQuery = target == null && !isCbor && "/".equals(path) && isFormPost(exchange);
        if (target == null && !isCbor && !isQuery) {
            sagemaker.handleRequest(exchange); // S3, the notebook proxy, and the gateway's own answers
            return;
        }
        // Routing and reading the body happen on the IO thread without blocking (see withBody); only the call itself,
        // which touches the services' stores, runs on a worker.
        if (target != null) {
            routeJson(exchange, target);
        } else if (isCbor) {
            routeCbor(exchange, path);
        } else {
            routeQuery(exchange);
        }
    }

    private void routeJson(HttpServerExchange exchange, String target) throws IOException {
        int dot = target.indexOf('.');
        String prefix = dot < 0 ? target : target.substring(0, dot);
        String operation = dot < 0 ? null : target.substring(dot + 1);
        JsonRoute route = byTargetPrefix.get(prefix);
        String contentType = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        WireProtocol wire = route != null ? route.wire()
                : contentType != null && contentType.contains("1.0") ? JsonWire.v1_0() : JsonWire.v1_1();
        if (route == null) {
            notServed(exchange, wire, operation, "X-Amz-Target '" + target + "'");
            return;
        }
        withBody(exchange, wire, operation, body -> route.handler().handle(exchange, wire, operation, body));
    }

    private void routeCbor(HttpServerExchange exchange, String path) throws IOException {
        // /service/<ServiceName>/operation/<Operation>
        String[] parts = path.split("/");
        String name = parts.length > 2 ? parts[2] : "";
        String operation = parts.length == 5 && "operation".equals(parts[3]) ? parts[4] : null;
        ServiceHandler handler = bySmithyName.get(name);
        if (handler == null) {
            notServed(exchange, cbor, operation, "the Smithy service '" + name + "'");
            return;
        }
        withBody(exchange, cbor, operation, body -> handler.handle(exchange, cbor, operation, body));
    }

    private void routeQuery(HttpServerExchange exchange) throws IOException {
        Optional<String> scope = SigningScope.service(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION),
                null);
        withBody(exchange, query, null, body -> {
            String action = QueryWire.parameters(body).get("Action");
            ServiceHandler handler = scope.map(byQueryScope::get).orElse(null);
            if (handler == null) {
                notServed(exchange, query, action, "the query-protocol service '" + scope.orElse("(unsigned)")
                        + "'");
                return;
            }
            handler.handle(exchange, query, action, body);
        });
    }

    private interface BodyUser {
        void accept(byte[] body) throws IOException;
    }

    /**
     * Reads the body as the SageMaker {@link Gateway} does (see {@link BodyReader}): without holding a worker, within
     * a deadline and the size limit, so a client that declares a body and sends it slowly costs one connection for at
     * most the deadline, never a worker; then runs {@code user} on a worker.
     */
    private void withBody(HttpServerExchange exchange, WireProtocol wire, String operation, BodyUser user) {
        if (!"POST".equals(exchange.getRequestMethod().toString())) {
            wire.writeError(exchange, errorCall(exchange, operation),
                    new AwsException("InvalidAction", 400, "Only POST is accepted for this request"));
            return;
        }
        BodyReader.read(exchange, maxBodyBytes, Gateway.BODY_DEADLINE_MILLIS,
                (ex, body) -> ex.dispatch(() -> call(ex, wire, operation, user, body)),
                (ex, e) -> wire.writeError(ex, errorCall(ex, operation), e));
    }

    private static void call(HttpServerExchange exchange, WireProtocol wire, String operation, BodyUser user,
                             byte[] body) {
        try {
            user.accept(body);
        } catch (AwsException e) {
            wire.writeError(exchange, errorCall(exchange, operation), e);
        } catch (IOException e) {
            IoUtils.safeClose(exchange.getConnection());
        }
    }

    private static final String QUERY_NAMESPACE = "https://sagebrush.dev/doc/";

    private static void notServed(HttpServerExchange exchange, WireProtocol wire, String operation, String what) {
        wire.writeError(exchange, errorCall(exchange, operation), new AwsException("UnsupportedOperationException", 400,
                "Sagebrush does not serve " + what + (operation == null ? "" : " (operation " + operation + ")")
                        + ": " + SERVED + ". Point this client at the real AWS service instead."));
    }

    private static WireProtocol.Call errorCall(HttpServerExchange exchange, String operation) {
        String requestId = UUID.randomUUID().toString();
        exchange.getResponseHeaders().put(new HttpString("x-amzn-RequestId"), requestId);
        return new WireProtocol.Call(operation == null ? "Unknown" : operation, QUERY_NAMESPACE, requestId);
    }

    private static boolean isFormPost(HttpServerExchange exchange) {
        String ct = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        return "POST".equals(exchange.getRequestMethod().toString()) && ct != null
                && ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }
}
