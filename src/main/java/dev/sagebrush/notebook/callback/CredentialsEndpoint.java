package dev.sagebrush.notebook.callback;

import dev.sagebrush.notebook.proxy.SessionSigner;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code GET /sagebrush/instance-credentials}: the container credentials endpoint that the AWS SDKs poll when
 * {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} is set (botocore, the AWS CLI, the SDK for Java), answering AWS's
 * document ({@code AccessKeyId}, {@code SecretAccessKey}, {@code Token}, {@code Expiration}). The caller proves which
 * instance it is with {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}, which only that instance's environment holds; the
 * SDKs send it as the Authorization header and fetch new credentials before the old ones expire, so a kernel that
 * runs for days keeps working.
 */
public final class CredentialsEndpoint implements HttpHandler {
    public static final String PATH = "/sagebrush/instance-credentials";

    private final InstanceCredentials credentials;

    public CredentialsEndpoint(InstanceCredentials credentials) {
        this.credentials = credentials;
    }

    public static boolean handles(HttpServerExchange exchange) {
        return exchange.getRequestPath().equals(PATH);
    }

    /**
     * The environment that points code in an instance at this server: endpoint and region for every AWS SDK, the
     * credentials endpoint and its token, and the Python shim for Debian's older botocore (see SandboxFiles).
     *
     * @param endpoint this server as the instance reaches it, e.g. {@code http://127.0.0.1:8080}
     */
    public Function<SessionSigner.InstanceRef, Map<String, String>> environment(java.util.function.Supplier<String> endpoint) {
        return ref -> Map.of(
                "AWS_ENDPOINT_URL", endpoint.get(),
                "AWS_DEFAULT_REGION", ref.region(),
                "AWS_REGION", ref.region(),
                "AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.get() + PATH,
                "AWS_CONTAINER_AUTHORIZATION_TOKEN", credentials.endpointToken(ref),
                "PYTHONPATH", "/opt/sagebrush/python");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this); // the instance check reads the store
            return;
        }
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        if (!exchange.getRequestMethod().toString().equals("GET")) {
            send(exchange, 405, "{\"message\":\"Only GET is allowed.\"}");
            return;
        }
        Optional<SessionSigner.InstanceRef> ref = Optional.ofNullable(
                exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION)).flatMap(credentials::verifyEndpointToken);
        if (ref.isEmpty()) {
            send(exchange, 403, "{\"message\":\"The authorization token is invalid, or its notebook instance is not "
                    + "running.\"}");
            return;
        }
        InstanceCredentials.Issued c = credentials.issue(ref.get());
        send(exchange, 200, "{\"AccessKeyId\":\"" + c.accessKeyId() + "\",\"SecretAccessKey\":\"" + c.secretAccessKey()
                + "\",\"Token\":\"" + c.sessionToken() + "\",\"Expiration\":\""
                + DateTimeFormatter.ISO_INSTANT.format(c.expiration().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                + "\"}");
    }

    private static void send(HttpServerExchange exchange, int status, String json) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(json);
    }
}
