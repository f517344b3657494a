package dev.sagebrush;

import dev.sagebrush.notebook.callback.CredentialsEndpoint;
import dev.sagebrush.notebook.proxy.NotebookProxy;
import dev.sagebrush.storage.S3FrontDoor;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * Everything on the endpoint that is not a SageMaker API call: requests addressed to a notebook instance's own
 * origin ({@code <name>.<account>.<region>.notebook.localhost}) go to the notebook proxy, whatever their path; S3
 * REST requests (recognised by their S3 signature) go to the embedded S3; the notebook instances' credentials
 * endpoint answers its one path. Anything else gets a short explanation.
 */
final class FrontDoor implements HttpHandler {
    private final HttpHandler s3;
    private final NotebookProxy notebooks;
    private final CredentialsEndpoint instanceCredentials;

    FrontDoor(HttpHandler s3, NotebookProxy notebooks, CredentialsEndpoint instanceCredentials) {
        this.s3 = s3;
        this.notebooks = notebooks;
        this.instanceCredentials = instanceCredentials;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (notebooks.handles(exchange)) {
            notebooks.handleRequest(exchange);
            return;
        }
        if (S3FrontDoor.isS3Request(exchange)) {
            s3.handleRequest(exchange);
            return;
        }
        if (CredentialsEndpoint.handles(exchange)) {
            instanceCredentials.handleRequest(exchange);
            return;
        }
        exchange.setStatusCode(404);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send("Sagebrush: this endpoint answers the Amazon SageMaker API (POST / with "
                + "X-Amz-Target: SageMaker.<Operation>) and S3 (path-style, SigV4-signed). Nothing is served at "
                + exchange.getRequestPath() + ".\n");
    }
}
