package dev.sagebrush.storage;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.undertow.server.Connectors;
import io.undertow.util.ImmediatePooledByteBuffer;
import java.net.URI;
import java.nio.ByteBuffer;
import org.xnio.IoUtils;
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
    private static final Logger log = LoggerFactory.getLogger(S3FrontDoor.class);
    // SigV4 header or presigned-URL credential scope: <key>/<date>/<region>/s3/aws4_request.
    private static final Pattern S3_SCOPE = Pattern.compile("Credential=[^/,\\s]+/\\d{8}/[^/]+/s3/aws4_request");
    private static final Pattern S3_QUERY_SCOPE = Pattern.compile("/s3/aws4_request$");

    private final LoadBalancingProxyClient client;
    private final ProxyHandler proxy;
    private final SessionTokenGate sessionTokens;

    S3FrontDoor(URI backend, SessionTokenGate sessionTokens) {
        this.sessionTokens = sessionTokens;
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
        if (exchange.isInIoThread() && SessionTokenGate.hasSessionToken(exchange)) {
            exchange.dispatch(this); // its issuer reads the store (is the notebook instance still running?)
            return;
        }
        dropHttp2Upgrade(exchange);
        String publicGrant = publicAclIn(exchange);
        if (publicGrant != null) {
            log.info("Refused a public ACL ({}) on {} {}", publicGrant, exchange.getRequestMethod(),
                    exchange.getRequestPath());
            sendError(exchange, new S3RequestRules.Refusal(403, "AccessDenied", "Access Denied"));
            return;
        }
        S3RequestRules.Refusal refusal = S3RequestRules.check(exchange);
        if (refusal == null) refusal = sessionTokens.check(exchange);
        if (refusal != null) {
            sendError(exchange, refusal);
            return;
        }
        if (S3XmlBodies.isControlRequest(exchange)) {
            checkXmlBodyThenProxy(exchange);
            return;
        }
        // Undertow 2.3 caps request bodies at UndertowOptions.DEFAULT_MAX_ENTITY_SIZE (2 MiB) unless the listener
        // says otherwise, answering 417 to Expect: 100-continue above it. S3 bodies go up to 5 GiB per part, and
        // s3proxy enforces S3's own limits, so lift the cap for these exchanges only (<= 0 means unlimited).
        exchange.setMaxEntitySize(-1);
        proxy.handleRequest(exchange);
    }

    /**
     * An offer to switch to HTTP/2 ({@code Upgrade: h2c}, which Java's HttpClient sends by default on http URLs) is
     * for this hop only: relayed, s3proxy's Jetty answers it 400 Bad Request. Without it the request stays HTTP/1.1,
     * as the client offered to keep it.
     */
    private static void dropHttp2Upgrade(HttpServerExchange exchange) {
        String upgrade = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
        if (upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("h2c")) {
            exchange.getRequestHeaders().remove(Headers.UPGRADE);
            exchange.getRequestHeaders().remove(new HttpString("HTTP2-Settings"));
        }
    }

    /**
     * A public canned ACL ({@code x-amz-acl: public-read}, {@code public-read-write}, {@code authenticated-read}) or a
     * grant header naming the AllUsers or AuthenticatedUsers group: the header that makes it public, or null. Checked
     * here, on every request, so that no operation (CreateBucket, PutObject, Put*Acl, CopyObject, multipart) can
     * carry one to s3proxy; {@link PrivateOnlyBlobStore} refuses the same in XML bodies and for direct callers.
     */
    static String publicAclIn(HttpServerExchange exchange) {
        for (HeaderValues h : exchange.getRequestHeaders()) {
            String name = h.getHeaderName().toString().toLowerCase(Locale.ROOT);
            if (name.equals("x-amz-acl")) {
                for (String v : h) {
                    if (PrivateOnlyBlobStore.isPublic(v)) return name + ": " + v;
                }
            } else if (name.startsWith("x-amz-grant-")) {
                for (String v : h) {
                    String lower = v.toLowerCase(Locale.ROOT);
                    if (lower.contains("/groups/global/allusers") || lower.contains("/groups/global/authenticatedusers")) {
                        return name + ": " + v;
                    }
                }
            }
        }
        return null;
    }

    /**
     * S3's small XML control bodies (Put*Acl, DeleteObjects, CompleteMultipartUpload) are read first (bounded) and
     * checked by {@link S3XmlBodies}: an ACL granting to a group or another user, or XML that is malformed or carries
     * a DTD, is answered here; the rest goes to s3proxy unchanged.
     */
    private void checkXmlBodyThenProxy(HttpServerExchange exchange) {
        exchange.setMaxEntitySize(S3XmlBodies.MAX_BYTES);
        exchange.getRequestReceiver().receiveFullBytes((ex, body) -> {
            S3RequestRules.Refusal refusal = S3XmlBodies.check(ex, body);
            if (refusal != null) {
                sendError(ex, refusal);
                return;
            }
            Connectors.ungetRequestBytes(ex, new ImmediatePooledByteBuffer(ByteBuffer.wrap(body)));
            Connectors.resetRequestChannel(ex);
            try {
                proxy.handleRequest(ex);
            } catch (Exception e) {
                log.warn("Proxying an S3 request failed", e);
                IoUtils.safeClose(ex.getConnection());
            }
        }, (ex, e) -> {
            if (e instanceof io.undertow.server.RequestTooBigException) {
                sendError(ex, new S3RequestRules.Refusal(400, "MaxMessageLengthExceeded",
                        "Your request was too big."));
            } else {
                IoUtils.safeClose(ex.getConnection());
            }
        });
    }

    /** An S3 error document (403 AccessDenied is S3's answer when Block Public Access refuses an ACL). */
    private static void sendError(HttpServerExchange exchange, S3RequestRules.Refusal refusal) {
        String requestId = UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT);
        exchange.setStatusCode(refusal.status());
        exchange.setPersistent(false); // the body (if any) is not read
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/xml");
        exchange.getResponseHeaders().put(new HttpString("x-amz-request-id"), requestId);
        exchange.getResponseSender().send("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + refusal.code()
                + "</Code><Message>" + xml(refusal.message()) + "</Message><Resource>" + xml(exchange.getRequestPath())
                + "</Resource><RequestId>" + requestId + "</RequestId></Error>");
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
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
