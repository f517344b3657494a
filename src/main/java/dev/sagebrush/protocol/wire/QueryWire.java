package dev.sagebrush.protocol.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.sagebrush.errors.AwsException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The AWS query protocol (STS, and CloudWatch for botocore of 2023 and the AWS CLI 2.9): a form-encoded
 * {@code Action=<Operation>&Version=...} request with members flattened into dotted keys
 * ({@code Dimensions.member.1.Name}), and an XML answer {@code <OpResponse><OpResult>...</OpResult>
 * <ResponseMetadata><RequestId>} with lists as {@code <member>} elements. Every input value arrives as a string;
 * handlers read numbers and booleans with Jackson's lenient {@code asInt()/asBoolean()}.
 */
public final class QueryWire implements WireProtocol {
    /** More list elements than any query API accepts (CloudWatch's largest list is 500): bounds what a key can allocate. */
    static final int MAX_LIST_INDEX = 1000;
    static final int MAX_PARAMETERS = 5000;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The parameters of a form body, in order; a malformed body is a MalformedQueryString error. */
    public static Map<String, String> parameters(byte[] body) {
        Map<String, String> out = new LinkedHashMap<>();
        String s = new String(body, StandardCharsets.UTF_8);
        if (s.isEmpty()) return out;
        for (String pair : s.split("&")) {
            if (pair.isEmpty()) continue;
            if (out.size() >= MAX_PARAMETERS) throw malformed("too many parameters");
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.put(k, v);
            } catch (IllegalArgumentException e) {
                throw malformed(e.getMessage());
            }
        }
        return out;
    }

    @Override
    public JsonNode readInput(byte[] body) {
        ObjectNode root = NODES.objectNode();
        for (Map.Entry<String, String> e : parameters(body).entrySet()) {
            if (e.getKey().equals("Action") || e.getKey().equals("Version")) continue;
            put(root, e.getKey().split("\\.", -1), e.getValue());
        }
        return root;
    }

    private static void put(ObjectNode root, String[] path, String value) {
        ObjectNode obj = root;
        for (int i = 0; i < path.length; i++) {
            String name = path[i];
            if (name.isEmpty()) throw malformed("empty member name in a parameter key");
            boolean listHere = i + 2 < path.length && path[i + 1].equals("member") && isIndex(path[i + 2]);
            if (listHere) {
                int index = Integer.parseInt(path[i + 2]);
                if (index < 1 || index > MAX_LIST_INDEX) throw malformed("list index " + index + " out of range");
                JsonNode existing = obj.get(name);
                ArrayNode list = existing instanceof ArrayNode a ? a : obj.putArray(name);
                while (list.size() < index) list.add(NullNode.getInstance());
                if (i + 2 == path.length - 1) {
                    list.set(index - 1, TextNode.valueOf(value));
                    return;
                }
                JsonNode element = list.get(index - 1);
                if (!(element instanceof ObjectNode)) {
                    element = NODES.objectNode();
                    list.set(index - 1, element);
                }
                obj = (ObjectNode) element;
                i += 2;
                continue;
            }
            if (i == path.length - 1) {
                obj.put(name, value);
                return;
            }
            JsonNode next = obj.get(name);
            obj = next instanceof ObjectNode o ? o : obj.putObject(name);
        }
    }

    private static boolean isIndex(String s) {
        if (s.isEmpty() || s.length() > 6) return false;
        for (int i = 0; i < s.length(); i++) if (!Character.isDigit(s.charAt(i))) return false;
        return true;
    }

    @Override
    public void writeOutput(HttpServerExchange exchange, Call call, ObjectNode output) {
        StringBuilder xml = new StringBuilder(256).append("<").append(call.operation()).append("Response xmlns=\"")
                .append(call.xmlNamespace()).append("\">\n  <").append(call.operation()).append("Result>");
        writeMembers(xml, output);
        xml.append("</").append(call.operation()).append("Result>\n  <ResponseMetadata><RequestId>")
                .append(call.requestId()).append("</RequestId></ResponseMetadata>\n</")
                .append(call.operation()).append("Response>\n");
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/xml");
        exchange.getResponseSender().send(xml.toString(), StandardCharsets.UTF_8);
    }

    private static void writeMembers(StringBuilder xml, JsonNode obj) {
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            writeElement(xml, e.getKey(), e.getValue());
        }
    }

    private static void writeElement(StringBuilder xml, String name, JsonNode value) {
        if (value == null || value.isNull()) return;
        xml.append('<').append(name).append('>');
        if (value.isObject()) {
            writeMembers(xml, value);
        } else if (value.isArray()) {
            for (JsonNode v : value) writeElement(xml, "member", v);
        } else if (value instanceof POJONode p && p.getPojo() instanceof Instant t) {
            xml.append(DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
        } else {
            escape(xml, value.asText());
        }
        xml.append("</").append(name).append('>');
    }

    @Override
    public void writeError(HttpServerExchange exchange, Call call, AwsException error) {
        String code = queryCode(error.errorType());
        int status = code.equals(error.errorType()) ? error.httpStatus() : 403;
        StringBuilder xml = new StringBuilder(256).append("<ErrorResponse xmlns=\"").append(call.xmlNamespace())
                .append("\">\n  <Error>\n    <Type>").append(Trees.faultOf(status)).append("</Type>\n    <Code>");
        escape(xml, code);
        xml.append("</Code>\n    <Message>");
        escape(xml, error.getMessage());
        xml.append("</Message>\n  </Error>\n  <RequestId>").append(call.requestId()).append("</RequestId>\n</ErrorResponse>\n");
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/xml");
        exchange.getResponseSender().send(xml.toString(), StandardCharsets.UTF_8);
    }

    /** The signature errors have other codes in the query protocol than in awsJson (and are 403s there). */
    static String queryCode(String jsonType) {
        return switch (jsonType) {
            case "InvalidSignatureException" -> "SignatureDoesNotMatch";
            case "UnrecognizedClientException" -> "InvalidClientTokenId";
            case "MissingAuthenticationTokenException" -> "MissingAuthenticationToken";
            default -> jsonType;
        };
    }

    static void escape(StringBuilder xml, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> xml.append("&lt;");
                case '>' -> xml.append("&gt;");
                case '&' -> xml.append("&amp;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') xml.append('\uFFFD'); // not allowed in XML 1.0
                    else xml.append(c);
                }
            }
        }
    }

    private static AwsException malformed(String why) {
        return new AwsException("MalformedQueryString", 400, "The query string is malformed: " + why);
    }
}
