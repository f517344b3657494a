package dev.sagebrush.telemetry;

import dev.sagebrush.protocol.Gateway;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.storage.S3FrontDoor;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.function.Predicate;

/**
 * The outermost handler: times every request, counts it per channel and operation, and writes its access-log line
 * when the exchange completes (however it completes: answered, failed, or the client went away).
 */
public final class RequestTelemetry implements HttpHandler {
    private static final HttpString TARGET = new HttpString("X-Amz-Target");
    private static final HttpString AMZN_REQUEST_ID = new HttpString("x-amzn-RequestId");
    private static final HttpString S3_REQUEST_ID = new HttpString("x-amz-request-id");
    private static final HttpString ERROR_TYPE = new HttpString("x-amzn-ErrorType");

    private final HttpHandler next;
    private final Telemetry telemetry;
    private final AccessLog accessLog;
    private final Predicate<String> knownTarget;

    /**
     * @param knownTarget true for an X-Amz-Target this server answers: only those become a label value; anything
     *                    else a client sends is counted as "unknown"
     */
    public RequestTelemetry(HttpHandler next, Telemetry telemetry, Clock clock, Predicate<String> knownTarget) {
        this.next = next;
        this.telemetry = telemetry;
        this.accessLog = new AccessLog(clock);
        this.knownTarget = knownTarget;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        long started = System.nanoTime();
        String target = exchange.getRequestHeaders().getFirst(TARGET);
        String path = exchange.getRequestPath();
        String channel = channel(exchange, target, path);
        String operation = target == null ? "-" : knownTarget.test(target) ? target : "unknown";
        exchange.addExchangeCompleteListener((ex, nextListener) -> {
            try {
                long nanos = System.nanoTime() - started;
                int status = ex.getStatusCode();
                String errorType = ex.getResponseHeaders().getFirst(ERROR_TYPE);
                telemetry.request(channel, operation, status, errorType == null ? "-" : errorType, nanos);
                RequestContext ctx = ex.getAttachment(Gateway.CONTEXT);
                String requestId = ex.getResponseHeaders().getFirst(AMZN_REQUEST_ID);
                if (requestId == null) requestId = ex.getResponseHeaders().getFirst(S3_REQUEST_ID);
                InetSocketAddress peer = ex.getSourceAddress();
                accessLog.write(new AccessLog.Entry(requestId, ctx == null ? null : ctx.accountId(),
                        ctx == null ? null : ctx.region(), channel, operation, ex.getRequestMethod().toString(), path,
                        status, errorType, nanos, peer == null ? null : peer.getAddress().getHostAddress()));
            } finally {
                nextListener.proceed();
            }
        });
        next.handleRequest(exchange);
    }

    private static String channel(HttpServerExchange exchange, String target, String path) {
        if (target != null) return path.startsWith("/console/") ? "console-api" : "api";
        if (S3FrontDoor.isS3Request(exchange)) return "s3";
        if (path.equals("/console") || path.startsWith("/console/")) return "console";
        if (path.startsWith("/notebooks/")) return "notebook";
        if (path.equals("/metrics")) return "metrics";
        return "other";
    }
}
