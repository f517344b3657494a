package dev.sagebrush.console;

import dev.sagebrush.auth.SigV4Verifier;
import dev.sagebrush.errors.AwsException;
import dev.sagebrush.protocol.AwsService;
import dev.sagebrush.protocol.Gateway;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.protocol.wire.WireProtocol;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /console/api}: the console's calls, in exactly the bodies and X-Amz-Target values of the AWS SDKs.
 * SageMaker calls go through the console's {@link Gateway} (the server's one operation table); calls to the other
 * JSON services on this endpoint (CloudWatch Logs, CloudWatch metrics: what the log and chart views read) go to the
 * same {@link AwsService} objects the SigV4 router calls, by target prefix. Either way the session, CSRF token and
 * Origin are checked from the headers first ({@link SessionAuthenticator}).
 */
final class ConsoleApi implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(ConsoleApi.class);
    private static final HttpString TARGET = new HttpString("X-Amz-Target");
    private static final HttpString REQUEST_ID = new HttpString("x-amzn-RequestId");

    /** A JSON service reachable from the console, and the wire protocol its SDKs speak. */
    record JsonService(AwsService service, WireProtocol wire) {}

    private final HttpHandler sagemaker;
    private final SessionAuthenticator authenticator;
    private final Map<String, JsonService> byTargetPrefix;
    private final Clock clock;

    ConsoleApi(HttpHandler sagemaker, SessionAuthenticator authenticator, Map<String, JsonService> byTargetPrefix,
               Clock clock) {
        this.sagemaker = sagemaker;
        this.authenticator = authenticator;
        this.byTargetPrefix = Map.copyOf(byTargetPrefix);
        this.clock = clock;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String target = exchange.getRequestHeaders().getFirst(TARGET);
        int dot = target == null ? -1 : target.indexOf('.');
        JsonService service = dot < 0 ? null : byTargetPrefix.get(target.substring(0, dot + 1));
        if (service == null) {
            sagemaker.handleRequest(exchange); // SageMaker, or the Gateway's own answer for anything unknown
            return;
        }
        String operation = target.substring(dot + 1);
        String requestId = UUID.randomUUID().toString();
        exchange.getResponseHeaders().put(REQUEST_ID, requestId);
        WireProtocol.Call call = new WireProtocol.Call(operation, "", requestId);
        Function<byte[], SigV4Verifier.Verified> pending;
        try {
            pending = authenticator.check(exchange);
        } catch (AwsException e) {
            exchange.setPersistent(false);
            service.wire().writeError(exchange, call, e);
            return;
        }
        // The body arrives without holding a worker (the server caps its size); the call then runs on a worker.
        exchange.getRequestReceiver().receiveFullBytes((ex, body) -> ex.dispatch(() -> {
            try {
                SigV4Verifier.Verified who = pending.apply(body);
                if (!service.service().operations().contains(operation)) {
                    throw new AwsException("InvalidAction", 400, "The action or operation requested is invalid.");
                }
                RequestContext ctx = new RequestContext(who.account().accountId(), who.region(),
                        who.account().accessKeyId(), requestId, clock.instant());
                ex.putAttachment(Gateway.CONTEXT, ctx);
                service.wire().writeOutput(ex, call, service.service().call(operation, ctx,
                        service.wire().readInput(body)));
            } catch (AwsException e) {
                service.wire().writeError(ex, call, e);
            } catch (RuntimeException e) {
                log.error("Console request {} ({}) failed", requestId, target, e);
                service.wire().writeError(ex, call, AwsException.internal("We encountered an internal error. "
                        + "Please try again. (request " + requestId + ")"));
            }
        }), (ex, e) -> ex.endExchange());
    }
}
