package dev.sagebrush.protocol.wire;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.sagebrush.errors.AwsException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Smithy RPC v2 CBOR: {@code POST /service/<ServiceName>/operation/<Operation>} with {@code smithy-protocol:
 * rpc-v2-cbor}, a CBOR map each way (timestamps tagged 1, epoch seconds), errors as a CBOR map {@code {"__type",
 * "message"}}. The current AWS SDK for Java v2 speaks it to CloudWatch.
 */
public final class CborWire implements WireProtocol {
    public static final HttpString SMITHY_PROTOCOL = new HttpString("smithy-protocol");
    public static final String RPC_V2_CBOR = "rpc-v2-cbor";
    private static final String CONTENT_TYPE = "application/cbor";

    private static final ObjectMapper MAPPER = Trees.withTimestamps(new ObjectMapper(CBORFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(1 << 22)
                    .maxNumberLength(100).build()).build()))
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Override
    public JsonNode readInput(byte[] body) {
        if (body.length == 0) return MAPPER.createObjectNode();
        try {
            JsonNode n = MAPPER.readTree(body);
            if (n == null || !n.isObject()) throw AwsException.serialization("The request body must be a CBOR map");
            return n;
        } catch (IOException e) {
            throw AwsException.serialization("Malformed CBOR: " + JsonWire.firstLine(e.getMessage()));
        }
    }

    @Override
    public void writeOutput(HttpServerExchange exchange, Call call, ObjectNode output) {
        exchange.setStatusCode(200);
        headers(exchange);
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes(output)));
    }

    @Override
    public void writeError(HttpServerExchange exchange, Call call, AwsException error) {
        exchange.setStatusCode(error.httpStatus());
        headers(exchange);
        exchange.getResponseHeaders().put(JsonWire.QUERY_ERROR,
                error.errorType() + ";" + Trees.faultOf(error.httpStatus()));
        ObjectNode body = MAPPER.createObjectNode().put("__type", error.errorType()).put("message", error.getMessage());
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes(body)));
    }

    private static void headers(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, CONTENT_TYPE);
        exchange.getResponseHeaders().put(SMITHY_PROTOCOL, RPC_V2_CBOR);
    }

    static byte[] bytes(JsonNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
