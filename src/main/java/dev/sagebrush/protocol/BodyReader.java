package dev.sagebrush.protocol;

import dev.sagebrush.errors.AwsException;
import io.undertow.server.Connectors;
import io.undertow.server.HttpServerExchange;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.channels.StreamSourceChannel;
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
        if (declared >= 0 && declared <= SMALL_BODY) {
            readSmall(exchange, (int) declared, deadlineMillis, onBody);
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

    /** Bodies of a declared length up to this are read straight into one array (see {@link #readSmall}). */
    static final int SMALL_BODY = 16 * 1024;

    /**
     * A body of declared {@code length}, read into one array from the request channel. A small call's body usually
     * came with its headers, so it is read at once, without arming the deadline timer; only a body still on its way
     * waits, under the deadline, for the connection's read events. (Undertow's receiver copied such a body into a
     * {@code ByteArrayOutputStream} one byte at a time, and armed and cancelled a timer for every call: together about
     * a tenth of a small call's CPU.)
     */
    private static void readSmall(HttpServerExchange exchange, int length, long deadlineMillis,
                                  BiConsumer<HttpServerExchange, byte[]> onBody) {
        ByteBuffer body = ByteBuffer.allocate(length);
        if (length == 0) {
            onBody.accept(exchange, body.array());
            return;
        }
        StreamSourceChannel channel = exchange.getRequestChannel();
        try {
            if (fill(channel, body)) {
                onBody.accept(exchange, body.array());
                return;
            }
        } catch (IOException e) {
            IoUtils.safeClose(exchange.getConnection()); // the client went away mid-body
            return;
        }
        AtomicBoolean done = new AtomicBoolean();
        XnioExecutor.Key deadline = exchange.getIoThread().executeAfter(() -> {
            if (done.compareAndSet(false, true)) {
                IoUtils.safeClose(exchange.getConnection());
            }
        }, deadlineMillis, TimeUnit.MILLISECONDS);
        channel.getReadSetter().set(ch -> {
            boolean full;
            try {
                full = fill(ch, body);
            } catch (IOException e) {
                ch.suspendReads();
                if (finish(done, deadline)) IoUtils.safeClose(exchange.getConnection());
                return;
            }
            if (!full) return; // more to come: this listener runs again
            ch.suspendReads();
            ch.getReadSetter().set(null);
            // As Undertow's receiver does: the rest of the call runs as a handler of the exchange, so it may
            // dispatch to a worker or answer here.
            if (finish(done, deadline)) Connectors.executeRootHandler(ex -> onBody.accept(ex, body.array()), exchange);
        });
        channel.resumeReads();
    }

    /** Reads what has arrived; true once {@code body} is full. A stream that ends first is an {@link EOFException}. */
    private static boolean fill(StreamSourceChannel channel, ByteBuffer body) throws IOException {
        while (body.hasRemaining()) {
            int n = channel.read(body);
            if (n < 0) throw new EOFException("the request body ended early");
            if (n == 0) return false;
        }
        return true;
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
