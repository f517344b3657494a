package dev.sagebrush.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.auth.SigV4Verifier;
import dev.sagebrush.errors.AwsException;
import dev.sagebrush.protocol.wire.WireProtocol;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one call to an {@link AwsService} in the wire protocol the client used: reads the body (bounded), verifies
 * SigV4 for the service's signing name, decodes the input, calls the operation and writes the output or the error.
 * The SageMaker {@link Gateway} does the same for typed SageMaker shapes; this is its counterpart for tree-based
 * services.
 */
public final class ServiceHandler {
    private static final Logger log = LoggerFactory.getLogger(ServiceHandler.class);
    private static final HttpString REQUEST_ID = new HttpString("x-amzn-RequestId");

    private final AwsService service;
    private final String xmlNamespace;
    private final SigV4Verifier verifier;
    private final Clock clock;
    private final int maxBodyBytes;

    public ServiceHandler(AwsService service, String xmlNamespace, SigV4Verifier verifier, Clock clock,
                          int maxBodyBytes) {
        this.service = service;
        this.xmlNamespace = xmlNamespace;
        this.verifier = verifier;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
    }

    public AwsService service() {
        return service;
    }

    /** Runs on a worker thread; {@code operation} is what the router read from the target, path or Action. */
    public void handle(HttpServerExchange exchange, WireProtocol wire, String operation, byte[] body) {
        String requestId = UUID.randomUUID().toString();
        exchange.getResponseHeaders().put(REQUEST_ID, requestId);
        WireProtocol.Call call = new WireProtocol.Call(operation == null ? "Unknown" : operation, xmlNamespace, requestId);
        try {
            SigV4Verifier.Verified who = verifier.verify(new SigV4Verifier.IncomingRequest(Gateway.head(exchange), body));
            if (operation == null || !service.operations().contains(operation)) {
                throw new AwsException("InvalidAction", 400, "The action or operation requested is invalid. "
                        + "Sagebrush's " + service.signingName() + " endpoint answers: "
                        + String.join(", ", new java.util.TreeSet<>(service.operations())) + ".");
            }
            JsonNode input = wire.readInput(body);
            RequestContext ctx = new RequestContext(who.account().accountId(), who.region(),
                    who.account().accessKeyId(), requestId, clock.instant());
            ObjectNode output = service.call(operation, ctx, input);
            wire.writeOutput(exchange, call, output);
        } catch (AwsException e) {
            wire.writeError(exchange, call, e);
        } catch (RuntimeException e) {
            log.error("Request {} ({} {}) failed", requestId, service.signingName(), operation, e);
            wire.writeError(exchange, call, AwsException.internal("We encountered an internal error. Please try "
                    + "again. (request " + requestId + ")"));
        }
    }

}
