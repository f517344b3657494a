package dev.sagebrush.notebook.proxy;

import dev.sagebrush.notebook.runtime.InstanceKey;
import dev.sagebrush.notebook.runtime.Upstream;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running instances the proxy may forward to, by account, region and (lower-cased) name. The notebook controller registers an instance when its
 * Jupyter answers and unregisters it before stopping it, so the proxy never forwards to a Jupyter that is going away.
 */
public final class NotebookRoutes {

    /** One instance's upstream: who it is (for credential checks), its token, and a proxy to its Jupyter. */
    record Route(SessionSigner.InstanceRef instance, Upstream upstream, ProxyHandler handler,
                 LoadBalancingProxyClient client) {}

    private final Map<InstanceKey, Route> routes = new ConcurrentHashMap<>();

    /** The routing key of an instance: names are unique per account and region ignoring case. */
    static InstanceKey keyOf(SessionSigner.InstanceRef ref) {
        InstanceKey k = new InstanceKey(ref.account(), ref.region(), ref.name());
        return new InstanceKey(k.account(), k.region(), k.label());
    }

    static InstanceKey normalise(InstanceKey k) {
        return new InstanceKey(k.account(), k.region(), k.label());
    }

    public void register(SessionSigner.InstanceRef instance, Upstream upstream) {
        LoadBalancingProxyClient client = new LoadBalancingProxyClient()
                .setConnectionsPerThread(32)
                .addHost(upstream.uri());
        ProxyHandler handler = ProxyHandler.builder()
                .setProxyClient(client)
                .setMaxRequestTime(-1) // kernel WebSockets live for hours
                .setRewriteHostHeader(false) // Jupyter compares Origin with Host
                .setMaxConnectionRetries(1)
                .build();
        Route old = routes.put(keyOf(instance), new Route(instance, upstream, handler, client));
        if (old != null) close(old);
    }

    public void unregister(InstanceKey key) {
        Route old = routes.remove(normalise(key));
        if (old != null) close(old);
    }

    Optional<Route> find(InstanceKey key) {
        return Optional.ofNullable(routes.get(normalise(key)));
    }

    /** How many Jupyter servers this node routes to now (operators' metrics). */
    public int size() {
        return routes.size();
    }

    public boolean isRegistered(InstanceKey key) {
        return routes.containsKey(normalise(key));
    }

    private static void close(Route r) {
        r.client().removeHost(r.upstream().uri());
        r.client().closeCurrentConnections();
    }
}
