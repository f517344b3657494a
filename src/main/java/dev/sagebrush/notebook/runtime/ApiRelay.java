package dev.sagebrush.notebook.runtime;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How an instance with DirectInternetAccess=Disabled still calls this server back: its network namespace has only
 * loopback, so the server listens on a unix socket in the instance's runtime directory ({@code api.sock}, the
 * instance's uid alone may connect) and relays to its own TCP port, and inside the sandbox a small Python relay
 * listens on 127.0.0.1 at the port of {@code AWS_ENDPOINT_URL} and forwards to that socket. Clients see the same
 * endpoint as everywhere else.
 */
final class ApiRelay {
    static final String SOCKET_INSIDE = Sandbox.RUNTIME + "/api.sock";

    private ApiRelay() {}

    /** The port of the server's loopback endpoint, if the instance was given one to call back. */
    static Optional<Integer> port(InstanceSpec spec) {
        String url = spec.callback().get("AWS_ENDPOINT_URL");
        if (url == null) return Optional.empty();
        int port = URI.create(url).getPort();
        return port > 0 ? Optional.of(port) : Optional.empty();
    }

    /** The host side: the unix socket in the instance's runtime directory, relayed to the server's port. */
    static UnixSocketRelay open(InstanceLayout l, InstanceUsers.Ids ids, int port) throws IOException {
        return UnixSocketRelay.toLoopbackPort(l.runtime().resolve("api.sock"), port, ids.uid(), ids.gid(),
                "api-" + l.key().label());
    }

    /** The sandbox side: starts the relay in the background, then execs {@code command}. */
    static List<String> wrap(int port, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", JupyterCommand.PYTHON + " "
                + Sandbox.SHIM + "/sagebrush_relay.py \"$0\" " + SOCKET_INSIDE + " & exec \"$@\"", Integer.toString(port)));
        cmd.addAll(command);
        return cmd;
    }
}
