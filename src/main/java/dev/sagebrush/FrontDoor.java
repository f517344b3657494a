package dev.sagebrush;

import dev.sagebrush.notebook.proxy.NotebookProxy;
import dev.sagebrush.storage.S3FrontDoor;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * Everything on the endpoint that is not a SageMaker API call: S3 REST requests (recognised by their S3
 * signature) go to the embedded S3; other requests under {@code /notebooks/<name>/} go to the notebook proxy
 * (browsers carry no S3 signature, and a bucket named "notebooks" keeps working); one endpoint URL serves all three.
 * Anything else gets a short explanation.
 */
final class FrontDoor implements HttpHandler {
    private final HttpHandler s3;
    private final HttpHandler notebooks;

    FrontDoor(HttpHandler s3, HttpHandler notebooks) {
        this.s3 = s3;
        this.notebooks = notebooks;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (S3FrontDoor.isS3Request(exchange)) {
            s3.handleRequest(exchange);
            return;
        }
        if (NotebookProxy.isNotebookPath(exchange.getRequestPath())) {
            notebooks.handleRequest(exchange);
            return;
        }
        exchange.setStatusCode(404);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send("Sagebrush: this endpoint answers the Amazon SageMaker API (POST / with "
                + "X-Amz-Target: SageMaker.<Operation>) and S3 (path-style, SigV4-signed). Nothing is served at "
                + exchange.getRequestPath() + ".\n");
    }
}
