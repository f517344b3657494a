package dev.sagebrush.storage;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.Headers;
import java.net.URI;
import java.util.Deque;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;

/**
 * Serves S3 on Sagebrush's own port by reverse-proxying to the embedded s3proxy, so users configure one endpoint URL
 * for SageMaker and S3 (as with LocalStack's edge port).
 *
 * <p>SigV4 covers the Host header, the raw path and query, and the {@code x-amz-*} headers, so the proxy must forward
 * them byte for byte: host rewriting is off and the request URI is passed through as received. s3proxy then verifies
 * the client's own signature. Bodies stream both ways (Undertow's proxy never buffers a whole body), which keeps
 * aws-chunked uploads with trailing checksums intact.
 */
public final class S3FrontDoor implements HttpHandler, AutoCloseable {
    // SigV4 header or presigned-URL credential scope: <key>/<date>/<region>/s3/aws4_request.
    private static final Pattern S3_SCOPE = Pattern.compile("Credential=[^/,\\s]+/\\d{8}/[^/]+/s3/aws4_request");
    private static final Pattern S3_QUERY_SCOPE = Pattern.compile("/s3/aws4_request$");

    private final LoadBalancingProxyClient client;
    private final ProxyHandler proxy;

    public S3FrontDoor(URI backend) {
        this.client = new LoadBalancingProxyClient()
                .addHost(backend)
                .setConnectionsPerThread(32)
                .setMaxQueueSize(256)   // queue briefly instead of answering 503 under a burst
                .setTtl(10_000)         // drop idle connections before Jetty's 30 s idle timeout does
                .setProblemServerRetry(1); // one backend: never sideline it for long after a hiccup
        this.proxy = ProxyHandler.builder()
                .setProxyClient(client)
                .setRewriteHostHeader(false)
                .setMaxRequestTime(-1)  // a multi-GB upload may legitimately take long
                .setNext(ResponseCodeHandler.HANDLE_404)
                .build();
        // Expect: 100-continue (sent on every PutObject/UploadPart) is relayed: ProxyHandler forwards it and passes
        // s3proxy's 100 back, so a request s3proxy rejects (bad signature) never uploads its body. Answering the 100
        // here instead measured ~2x slower per PUT, because Undertow then dispatches to a worker thread.
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        // Undertow 2.3 caps request bodies at UndertowOptions.DEFAULT_MAX_ENTITY_SIZE (2 MiB) unless the listener
        // says otherwise, answering 417 to Expect: 100-continue above it. S3 bodies go up to 5 GiB per part, and
        // s3proxy enforces S3's own limits, so lift the cap for these exchanges only (<= 0 means unlimited).
        exchange.setMaxEntitySize(-1);
        proxy.handleRequest(exchange);
    }

    /**
     * True when the request is signed for the {@code s3} service (SigV4 header or presigned query) or uses S3's
     * legacy V2 signature ({@code Authorization: AWS key:sig}). The gateway routes these here and everything else
     * (awsJson1.1 SageMaker calls carry {@code X-Amz-Target} and the {@code sagemaker} scope) to the SageMaker API.
     */
    public static boolean isS3Request(HttpServerExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (auth != null) {
            return auth.startsWith("AWS ") || (auth.startsWith("AWS4-HMAC-SHA256 ") && S3_SCOPE.matcher(auth).find());
        }
        Deque<String> credential = exchange.getQueryParameters().get("X-Amz-Credential");
        if (credential != null && !credential.isEmpty()) {
            return S3_QUERY_SCOPE.matcher(credential.getFirst()).find();
        }
        return exchange.getQueryParameters().containsKey("AWSAccessKeyId"); // presigned V2
    }

    @Override
    public void close() {
        try {
            client.closeCurrentConnections();
        } catch (RejectedExecutionException alreadyStopped) {
            // The Undertow worker that owns the pooled connections was stopped first; they are closed with it.
        }
    }
}
