package dev.sagebrush.notebook.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A byte relay between a unix socket and loopback TCP, in either direction.
 *
 * <p>{@link #UnixSocketRelay(Path, String)}: TCP connections on 127.0.0.1:ephemeral to a Jupyter that listens on a
 * unix socket. An instance without
 * direct internet access runs in its own network namespace, which the proxy cannot reach over TCP; the socket file is
 * reachable from the host's namespace. Undertow's proxy client speaks TCP only, hence this byte relay (WebSocket
 * upgrades pass through untouched: it never parses HTTP). Two threads per connection: notebook traffic is a handful of
 * long-lived connections, not thousands.
 */
final class UnixSocketRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UnixSocketRelay.class);
    private final ServerSocketChannel server;
    private final java.net.SocketAddress target;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    UnixSocketRelay(Path socket, String name) throws IOException {
        this(bound(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), UnixDomainSocketAddress.of(socket), name);
    }

    /**
     * The other way: connections to the unix socket {@code listen} (made for {@code uid}, who alone may connect) are
     * relayed to 127.0.0.1:{@code port}. An instance in its own network namespace reaches this server's API through
     * it (see the sandbox's relay script).
     */
    static UnixSocketRelay toLoopbackPort(Path listen, int port, int uid, int gid, String name) throws IOException {
        java.nio.file.Files.deleteIfExists(listen);
        ServerSocketChannel s = bound(UnixDomainSocketAddress.of(listen));
        java.nio.file.Files.setPosixFilePermissions(listen, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        java.nio.file.Files.setAttribute(listen, "unix:uid", uid);
        java.nio.file.Files.setAttribute(listen, "unix:gid", gid);
        return new UnixSocketRelay(s, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), name);
    }

    private static ServerSocketChannel bound(java.net.SocketAddress address) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(address instanceof UnixDomainSocketAddress
                ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
        s.bind(address);
        return s;
    }

    private UnixSocketRelay(ServerSocketChannel server, java.net.SocketAddress target, String name) {
        this.server = server;
        this.target = target;
        Thread t = new Thread(this::acceptLoop, "nb-relay-" + name);
        t.setDaemon(true);
        t.start();
    }

    int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                SocketChannel upstream;
                try {
                    upstream = SocketChannel.open(target instanceof UnixDomainSocketAddress
                            ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
                    upstream.connect(target);
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                open.add(client);
                open.add(upstream);
                java.util.concurrent.atomic.AtomicInteger live = new java.util.concurrent.atomic.AtomicInteger(2);
                pump(client, upstream, live);
                pump(upstream, client, live);
            } catch (IOException e) {
                if (!closed) log.debug("relay accept failed", e);
                return;
            }
        }
    }

    /** Copies one direction; the last of the pair to finish closes both channels. */
    private void pump(SocketChannel from, SocketChannel to, java.util.concurrent.atomic.AtomicInteger live) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(32 * 1024);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) to.write(buf);
                    buf.clear();
                }
                to.shutdownOutput(); // half-close: let the other side finish its answer
            } catch (IOException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
            if (live.decrementAndGet() == 0) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "nb-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already gone
        }
        open.remove(c);
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(this::closeQuietly);
    }
}
