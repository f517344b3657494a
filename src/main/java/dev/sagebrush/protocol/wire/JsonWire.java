package dev.sagebrush.protocol.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.errors.AwsException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * awsJson 1.0 and 1.1: {@code POST /} with {@code X-Amz-Target: <Prefix>.<Operation>}, a JSON object each way, errors
 * as {@code {"__type", "message"}}. For services that were query services first (CloudWatch), the
 * {@code x-amzn-query-error} header carries the query error code, which such SDKs read.
 */
public final class JsonWire implements WireProtocol {
    static final HttpString ERROR_TYPE = new HttpString("x-amzn-ErrorType");
    static final HttpString QUERY_ERROR = new HttpString("x-amzn-query-error");

    private static final ObjectMapper MAPPER = Trees.withTimestamps(new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(1 << 22)
                    .maxNumberLength(100).build()).build()))
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String contentType;

    private JsonWire(String contentType) {
        this.contentType = contentType;
    }

    public static JsonWire v1_0() {
        return new JsonWire("application/x-amz-json-1.0");
    }

    public static JsonWire v1_1() {
        return new JsonWire("application/x-amz-json-1.1");
    }

    @Override
    public JsonNode readInput(byte[] body) {
        if (body.length == 0) return MAPPER.createObjectNode();
        try {
            JsonNode n = MAPPER.readTree(body);
            if (n == null || !n.isObject()) throw AwsException.serialization("The request body must be a JSON object");
            return n;
        } catch (IOException e) {
            throw AwsException.serialization("Malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    @Override
    public void writeOutput(HttpServerExchange exchange, Call call, ObjectNode output) {
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes(output)));
    }

    @Override
    public void writeError(HttpServerExchange exchange, Call call, AwsException error) {
        exchange.setStatusCode(error.httpStatus());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        exchange.getResponseHeaders().put(ERROR_TYPE, error.errorType());
        exchange.getResponseHeaders().put(QUERY_ERROR, error.errorType() + ";" + Trees.faultOf(error.httpStatus()));
        ObjectNode body = MAPPER.createObjectNode().put("__type", error.errorType()).put("message", error.getMessage());
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes(body)));
    }

    static byte[] bytes(JsonNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
