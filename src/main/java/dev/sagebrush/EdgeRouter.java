package dev.sagebrush;

import dev.sagebrush.console.ConsoleHandler;
import dev.sagebrush.storage.S3FrontDoor;
import dev.sagebrush.telemetry.MetricsEndpoint;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * Picks the browser-facing paths off before the API gateway sees a request: {@code /console/...} (whose API calls
 * carry X-Amz-Target but a session instead of SigV4) and {@code /metrics}. An S3-signed request always goes on to the
 * gateway, so buckets named "console" or "metrics" keep working.
 */
final class EdgeRouter implements HttpHandler {
    private final HttpHandler console;
    private final HttpHandler metrics;
    private final HttpHandler gateway;

    EdgeRouter(HttpHandler console, HttpHandler metrics, HttpHandler gateway) {
        this.console = console;
        this.metrics = metrics;
        this.gateway = gateway;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        boolean browserPath = ConsoleHandler.isConsolePath(path) || path.equals(MetricsEndpoint.PATH);
        if (!browserPath || S3FrontDoor.isS3Request(exchange)) {
            gateway.handleRequest(exchange);
        } else if (path.equals(MetricsEndpoint.PATH)) {
            metrics.handleRequest(exchange);
        } else {
            console.handleRequest(exchange);
        }
    }
}
