package dev.sagebrush;

import dev.sagebrush.storage.S3FrontDoor;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * Everything on the endpoint that is not a SageMaker API call: S3 REST requests go to the embedded S3, so one
 * endpoint URL serves both; anything else gets a short explanation.
 */
final class FrontDoor implements HttpHandler {
    private final HttpHandler s3;

    FrontDoor(HttpHandler s3) {
        this.s3 = s3;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (S3FrontDoor.isS3Request(exchange)) {
            s3.handleRequest(exchange);
            return;
        }
        exchange.setStatusCode(404);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send("Sagebrush: this endpoint answers the Amazon SageMaker API (POST / with "
                + "X-Amz-Target: SageMaker.<Operation>) and S3 (path-style, SigV4-signed). Nothing is served at "
                + exchange.getRequestPath() + ".\n");
    }
}
