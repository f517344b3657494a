package dev.sagebrush.notebook.proxy;

import dev.sagebrush.cluster.ForwardSignature;
import dev.sagebrush.notebook.runtime.InstanceKey;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Several nodes on one database: a notebook instance's Jupyter runs on the one node that claimed it, but its
 * browser requests reach whichever node the load balancer picks. A node that does not serve the instance forwards
 * the request (HTTP and WebSocket, Host and cookies unchanged) to the node that does, at the address that node
 * announced in the store, signed with {@link ForwardSignature}. The serving node checks the session itself, as for
 * any request, and never forwards a forwarded request again.
 */
public final class NotebookForwarder {
    private static final HttpString HEADER = new HttpString(ForwardSignature.HEADER);
    private static final HttpString FORWARDED_PROTO = new HttpString("X-Forwarded-Proto");

    private final String nodeId;
    private final ForwardSignature signature;
    private final Clock clock;
    private final Function<InstanceKey, Optional<String>> servingNode;
    private final Function<String, Optional<String>> nodeAddress;
    private final Map<String, ProxyHandler> proxies = new ConcurrentHashMap<>();

    /**
     * @param servingNode the node holding a current claim on the instance (its Jupyter runs there), if any
     * @param nodeAddress the address a node announced
     */
    public NotebookForwarder(String nodeId, ForwardSignature signature, Clock clock,
                             Function<InstanceKey, Optional<String>> servingNode,
                             Function<String, Optional<String>> nodeAddress) {
        this.nodeId = nodeId;
        this.signature = signature;
        this.clock = clock;
        this.servingNode = servingNode;
        this.nodeAddress = nodeAddress;
    }

    /** A forwarder for a node alone on its store: nothing is ever forwarded. */
    public static NotebookForwarder none() {
        return new NotebookForwarder("", new ForwardSignature(new byte[32]), Clock.systemUTC(),
                k -> Optional.empty(), n -> Optional.empty());
    }

    /**
     * The node that forwarded this request: empty when it carries no forwarding header; a header that does not verify
     * throws, so a client can never pose as a node.
     */
    Optional<String> forwardedBy(HttpServerExchange exchange) throws ForgedForwardException {
        String header = exchange.getRequestHeaders().getFirst(HEADER);
        if (header == null) return Optional.empty();
        Optional<String> from = signature.verify(header, clock.instant(), exchange.getRequestMethod().toString(),
                exchange.getRequestHeaders().getFirst(Headers.HOST), requestUri(exchange));
        if (from.isEmpty()) throw new ForgedForwardException();
        return from;
    }

    /** The scheme the client used: what the forwarding node saw, for a verified forward; this exchange's otherwise. */
    static String clientScheme(HttpServerExchange exchange, boolean verifiedForward) {
        String proto = verifiedForward ? exchange.getRequestHeaders().getFirst(FORWARDED_PROTO) : null;
        boolean known = "https".equalsIgnoreCase(proto) || "http".equalsIgnoreCase(proto);
        return known ? proto.toLowerCase(java.util.Locale.ROOT) : exchange.getRequestScheme();
    }

    /**
     * Forwards the request to the node serving {@code key}, if that is another node with a live claim and a known
     * address; false (nothing sent) otherwise. Call on a worker thread: it reads the store.
     */
    boolean forward(HttpServerExchange exchange, InstanceKey key) throws Exception {
        Optional<String> owner = servingNode.apply(key).filter(o -> !o.equals(nodeId));
        if (owner.isEmpty()) return false;
        Optional<String> address = nodeAddress.apply(owner.get());
        if (address.isEmpty()) return false;
        exchange.getRequestHeaders().put(HEADER, signature.sign(nodeId, clock.instant(),
                exchange.getRequestMethod().toString(), exchange.getRequestHeaders().getFirst(Headers.HOST),
                requestUri(exchange)));
        proxies.computeIfAbsent(address.get(), NotebookForwarder::proxyTo).handleRequest(exchange);
        return true;
    }

    private static ProxyHandler proxyTo(String address) {
        LoadBalancingProxyClient client = new LoadBalancingProxyClient().setConnectionsPerThread(8)
                .addHost(URI.create(address));
        return ProxyHandler.builder()
                .setProxyClient(client)
                .setMaxRequestTime(-1) // kernel WebSockets live for hours
                .setRewriteHostHeader(false) // the serving node finds the instance, and Jupyter the origin, by Host
                .setMaxConnectionRetries(1)
                .build();
    }

    private static String requestUri(HttpServerExchange exchange) {
        String q = exchange.getQueryString();
        return exchange.getRequestURI() + (q == null || q.isEmpty() ? "" : "?" + q);
    }

    /** A request carried a forwarding header that does not verify: a client posing as a node, or a stale replay. */
    static final class ForgedForwardException extends Exception {
        ForgedForwardException() {
            super("invalid node-to-node forwarding signature", null, false, false);
        }
    }
}
