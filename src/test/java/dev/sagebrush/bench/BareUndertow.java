package dev.sagebrush.bench;

import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ceiling for {@code bench/describe-cpu.sh}: Undertow with Sagebrush's Undertow version and defaults, answering
 * every request on its IO thread with the same bytes (a DescribeTrainingJob answer the bench saved), without reading
 * the body (wrk's request body is small and arrives with the headers), signature, store or log. wrk's CPU per
 * request against it, and the server's, show what the harness itself costs on the shared cores.
 *
 * <pre>  java -cp ... dev.sagebrush.bench.BareUndertow PORT RESPONSE.json</pre>
 */
public final class BareUndertow {
    public static void main(String[] args) throws Exception {
        byte[] body = Files.readAllBytes(Path.of(args[1]));
        ByteBuffer direct = ByteBuffer.allocateDirect(body.length).put(body).flip();
        Undertow server = Undertow.builder()
                .addHttpListener(Integer.parseInt(args[0]), "127.0.0.1")
                .setHandler(exchange -> {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/x-amz-json-1.1");
                    exchange.getResponseSender().send(direct.duplicate());
                })
                .build();
        server.start();
        System.err.println("bare Undertow on " + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()));
        Thread.currentThread().join();
    }
}
