package dev.sagebrush.protocol;

import dev.sagebrush.errors.AwsException;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * Reads a request body of at most {@code maxBytes} without holding a worker thread: Undertow's non-blocking receiver
 * collects it on the connection's IO thread, and the callback runs when the last byte is in. A client that declares
 * a large body and sends it slowly therefore costs one idle connection, never a worker, and it gets
 * {@code deadline} for the whole body, after which the connection is closed (a read timeout alone would let a client
 * trickle one byte per period forever).
 */
final class BodyReader {
    private BodyReader() {}

    /**
     * Starts reading. {@code onBody} receives the complete body; {@code onError} an {@link AwsException} to answer
     * (the body is too large). A connection that fails or times out is closed, with nothing to answer.
     */
    static void read(HttpServerExchange exchange, int maxBytes, long deadlineMillis,
                     BiConsumer<HttpServerExchange, byte[]> onBody, BiConsumer<HttpServerExchange, AwsException> onError) {
        long declared = exchange.getRequestContentLength();
        if (declared > maxBytes) {
            exchange.setPersistent(false); // answer at once and close rather than drain what we refused
            onError.accept(exchange, tooLarge(declared, maxBytes));
            return;
        }
        // Undertow's own default cap (2 MiB) would cut in below the documented limit: this exchange gets exactly ours.
        exchange.setMaxEntitySize(maxBytes);
        AtomicBoolean done = new AtomicBoolean();
        XnioExecutor.Key deadline = exchange.getIoThread().executeAfter(() -> {
            if (done.compareAndSet(false, true)) {
                IoUtils.safeClose(exchange.getConnection());
            }
        }, deadlineMillis, TimeUnit.MILLISECONDS);
        exchange.getRequestReceiver().receiveFullBytes((ex, body) -> {
            if (finish(done, deadline)) onBody.accept(ex, body);
        }, (ex, e) -> {
            if (!finish(done, deadline)) return;
            if (e instanceof RequestTooBigException) {
                onError.accept(ex, tooLarge(maxBytes + 1L, maxBytes));
            } else {
                IoUtils.safeClose(ex.getConnection()); // the client went away or sent a broken chunked body
            }
        });
    }

    private static boolean finish(AtomicBoolean done, XnioExecutor.Key deadline) {
        deadline.remove();
        return done.compareAndSet(false, true);
    }

    static AwsException tooLarge(long size, int maxBytes) {
        return new AwsException("RequestEntityTooLargeException", 413,
                "Request body of " + (size > maxBytes ? "more than " + maxBytes : size)
                        + " bytes exceeds the limit of " + maxBytes + " bytes");
    }

}
