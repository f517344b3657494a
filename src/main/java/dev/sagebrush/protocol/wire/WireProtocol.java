package dev.sagebrush.protocol.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.errors.AwsException;
import io.undertow.server.HttpServerExchange;

/** One of the wire protocols AWS SDKs speak: reads a request body into a tree, writes an output tree or an error. */
public interface WireProtocol {
    /** What a response needs besides the tree: the operation's name, the service's XML namespace, the request id. */
    record Call(String operation, String xmlNamespace, String requestId) {}

    /** The request's input members; a malformed body is a SerializationException (or the protocol's equivalent). */
    JsonNode readInput(byte[] body);

    void writeOutput(HttpServerExchange exchange, Call call, ObjectNode output);

    void writeError(HttpServerExchange exchange, Call call, AwsException error);
}
