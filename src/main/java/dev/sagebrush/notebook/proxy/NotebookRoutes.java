package dev.sagebrush.notebook.proxy;

import dev.sagebrush.notebook.runtime.Upstream;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running instances the proxy may forward to, by name. The notebook controller registers an instance when its
 * Jupyter answers and unregisters it before stopping it, so the proxy never forwards to a Jupyter that is going away.
 */
public final class NotebookRoutes {

    /** One instance's upstream: who it is (for credential checks), its token, and a proxy to its Jupyter. */
    record Route(SessionSigner.InstanceRef instance, Upstream upstream, ProxyHandler handler,
                 LoadBalancingProxyClient client) {}

    private final Map<String, Route> routes = new ConcurrentHashMap<>();

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
        Route old = routes.put(instance.name(), new Route(instance, upstream, handler, client));
        if (old != null) close(old);
    }

    public void unregister(String name) {
        Route old = routes.remove(name);
        if (old != null) close(old);
    }

    Optional<Route> find(String name) {
        return Optional.ofNullable(routes.get(name));
    }

    /** How many Jupyter servers this node routes to now (operators' metrics). */
    public int size() {
        return routes.size();
    }

    public boolean isRegistered(String name) {
        return routes.containsKey(name);
    }

    private static void close(Route r) {
        r.client().removeHost(r.upstream().uri());
        r.client().closeCurrentConnections();
    }
}
