package dev.sagebrush.protocol;

import dev.sagebrush.auth.SigV4Verifier;
import dev.sagebrush.errors.AwsException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.HeaderMap;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkPojo;

/**
 * The SageMaker API front door: {@code POST /} with {@code X-Amz-Target: SageMaker.<Operation>}. For each request it
 * verifies SigV4 (what the headers prove first, then the body: see {@link BodyReader}), finds the operation in the table, decodes and validates the typed input, calls the feature, and
 * writes the output or the AWS error. Requests without an X-Amz-Target (S3's REST calls, browsers) go to
 * {@code next}.
 */
public final class Gateway implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    private static final HttpString TARGET = new HttpString("X-Amz-Target");
    private static final HttpString REQUEST_ID = new HttpString("x-amzn-RequestId");
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final String TARGET_PREFIX = "SageMaker.";
    private static final HttpString SECURITY_TOKEN = new HttpString("X-Amz-Security-Token");
    /** Bodies up to this size may be read and answered on the I/O thread (a Describe's is a few dozen bytes). */
    static final long IO_THREAD_MAX_BODY = 16 * 1024;
    /** The whole body must arrive within this long (8 MiB at 140 KB/s); slower clients are disconnected. */
    static final long BODY_DEADLINE_MILLIS = 60_000;

    /** Who made a request, set once it is authenticated (the access log and request metrics read it). */
    public static final io.undertow.util.AttachmentKey<RequestContext> CONTEXT =
            io.undertow.util.AttachmentKey.create(RequestContext.class);

    /**
     * Proves who sends a request: SigV4 for AWS clients, the console's session cookie + CSRF token for its pages.
     * {@code check} looks at the headers only; the function it returns verifies the body (SigV4's payload hash) once
     * it has arrived. Everything after it (operation table, decoding, validation, the feature) is the same for both.
     */
    @FunctionalInterface
    public interface Authenticator {
        Function<byte[], SigV4Verifier.Verified> check(HttpServerExchange exchange);
    }

    private final OperationTable operations;
    private final Authenticator authenticator;
    /** True for a request whose {@link Authenticator#check} and verification never block; null: for none. */
    private final java.util.function.Predicate<HttpServerExchange> authenticatesInMemory;
    private final InputValidator validator;
    private final JsonCodec codec;
    private final Clock clock;
    private final int maxBodyBytes;
    private final HttpHandler next;

    /**
     * SigV4 clients. Verifying a long-term key's signature is arithmetic on the headers and body against keys held in
     * memory, so such requests may be answered on the I/O thread; temporary credentials
     * ({@code X-Amz-Security-Token}) are checked against the store, so those always go to a worker.
     */
    public Gateway(OperationTable operations, SigV4Verifier verifier, InputValidator validator, JsonCodec codec,
                   Clock clock, int maxBodyBytes, HttpHandler next) {
        this(operations, exchange -> verifier.check(head(exchange))::complete,
                exchange -> !exchange.getRequestHeaders().contains(SECURITY_TOKEN), validator, codec, clock,
                maxBodyBytes, next);
    }

    public Gateway(OperationTable operations, Authenticator authenticator, InputValidator validator, JsonCodec codec,
                   Clock clock, int maxBodyBytes, HttpHandler next) {
        this(operations, authenticator, null, validator, codec, clock, maxBodyBytes, next);
    }

    private Gateway(OperationTable operations, Authenticator authenticator,
                    java.util.function.Predicate<HttpServerExchange> authenticatesInMemory, InputValidator validator,
                    JsonCodec codec, Clock clock, int maxBodyBytes, HttpHandler next) {
        this.operations = operations;
        this.authenticator = authenticator;
        this.authenticatesInMemory = authenticatesInMemory;
        this.validator = validator;
        this.codec = codec;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
        this.next = next;
    }

    /**
     * Whether this request may start on the I/O thread: its operation has an in-memory answer, its authentication
     * never blocks, and its body is small and of a declared length (so reading it is one look at bytes already
     * received, or a short wait that costs no thread). Everything else is dispatched to a worker at once, as before.
     */
    private boolean mayStartOnIoThread(HttpServerExchange exchange, String target) {
        if (authenticatesInMemory == null || !target.startsWith(TARGET_PREFIX)) return false;
        long length = exchange.getRequestContentLength();
        if (length < 0 || length > IO_THREAD_MAX_BODY || !exchange.getRequestMethod().equals(io.undertow.util.Methods.POST)) {
            return false;
        }
        Operation<?> operation = operations.find(target.substring(TARGET_PREFIX.length())).orElse(null);
        return operation != null && operation.inMemory() != null && authenticatesInMemory.test(exchange);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String target = exchange.getRequestHeaders().getFirst(TARGET);
        if (target == null) {
            next.handleRequest(exchange);
            return;
        }
        if (exchange.isInIoThread() && !mayStartOnIoThread(exchange, target)) {
            // Features touch the store and may block; the IO threads must never wait.
            exchange.dispatch(this);
            return;
        }
        String requestId = requestId();
        exchange.getResponseHeaders().put(REQUEST_ID, requestId);
        Function<byte[], SigV4Verifier.Verified> pending;
        try {
            if (!"POST".equals(exchange.getRequestMethod().toString())) {
                throw new AwsException("InvalidAction", 400, "Only POST is accepted for X-Amz-Target requests");
            }
            // Who is asking is settled from the headers before the body is read: a client without a valid key gets
            // its answer at once and never holds a connection open with a slow body at our expense.
            pending = authenticator.check(exchange);
        } catch (AwsException e) {
            exchange.setPersistent(false); // the unread body is not drained: the connection closes after the answer
            sendError(exchange, e);
            return;
        } catch (RuntimeException e) {
            internalError(exchange, requestId, target, e);
            return;
        }
        // The body arrives on the IO thread without holding this worker; the call continues on a worker.
        BodyReader.read(exchange, maxBodyBytes, BODY_DEADLINE_MILLIS,
                (ex, body) -> {
                    // A body that was already in (the usual small call) arrives on this worker: answer here rather
                    // than hop to another worker; one that arrived later is on the IO thread, where only a call
                    // that started there (an in-memory answer) may go on.
                    if (ex.isInIoThread()) {
                        respondOnIoThread(ex, target, requestId, pending, body);
                    } else {
                        respond(ex, target, requestId, pending, body);
                    }
                },
                Gateway::sendError);
    }

    /** One decoded, validated call from a verified client, ready to invoke. */
    private record Call(Operation<?> operation, RequestContext context, SdkPojo input) {}

    private void respond(HttpServerExchange exchange, String target, String requestId,
                         Function<byte[], SigV4Verifier.Verified> pending, byte[] body) {
        answering(exchange, target, requestId, () -> {
            Call call = prepare(exchange, target, requestId, pending, body);
            send(exchange, call.operation().invoke(call.context(), call.input()));
        });
    }

    /** Runs one step of answering a call; its AWS error, or an internal error, becomes the response. */
    private void answering(HttpServerExchange exchange, String target, String requestId, Runnable step) {
        try {
            step.run();
        } catch (AwsException e) {
            sendError(exchange, e);
        } catch (RuntimeException | OutOfMemoryError e) {
            // An OutOfMemoryError here is one request's (the budgets on every parser should make it impossible): the
            // request fails, the worker thread lives on and the error is logged, instead of the thread dying silently.
            internalError(exchange, requestId, target, e);
        }
    }

    /**
     * On the I/O thread: verifies, decodes and validates (arithmetic on bytes in memory), then answers from memory
     * if the operation can; otherwise the call goes to a worker, as any other.
     */
    private void respondOnIoThread(HttpServerExchange exchange, String target, String requestId,
                                   Function<byte[], SigV4Verifier.Verified> pending, byte[] body) {
        if (!mayStartOnIoThread(exchange, target)) { // e.g. a large body that arrived after its worker let go
            exchange.dispatch(() -> respond(exchange, target, requestId, pending, body));
            return;
        }
        answering(exchange, target, requestId, () -> {
            Call call = prepare(exchange, target, requestId, pending, body);
            SdkPojo answer = call.operation().invokeInMemory(call.context(), call.input());
            if (answer != null) {
                send(exchange, answer);
                return;
            }
            exchange.dispatch(() -> answering(exchange, target, requestId,
                    () -> send(exchange, call.operation().invoke(call.context(), call.input()))));
        });
    }

    private void send(HttpServerExchange exchange, SdkPojo output) {
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, CONTENT_TYPE);
        // Operations without an output shape answer an empty body, as AWS does.
        exchange.getResponseSender().send(output == null ? ByteBuffer.allocate(0)
                : ByteBuffer.wrap(output instanceof PreEncoded wire ? wire.json() : codec.encode(output)));
    }

    private Call prepare(HttpServerExchange exchange, String target, String requestId,
                         Function<byte[], SigV4Verifier.Verified> pending, byte[] body) {
        SigV4Verifier.Verified who = pending.apply(body);
        if (!target.startsWith(TARGET_PREFIX)) {
            throw AwsException.unknownOperation("Unknown operation " + target);
        }
        String name = target.substring(TARGET_PREFIX.length());
        Operation<?> operation = operations.find(name).orElseThrow(() -> SageMakerModel.notHere(target, name));
        RequestContext context = new RequestContext(who.account().accountId(), who.region(),
                who.account().accessKeyId(), requestId, clock.instant());
        exchange.putAttachment(CONTEXT, context);
        SdkPojo input = decode(operation, body);
        validator.validate(name, input);
        return new Call(operation, context, input);
    }

    /**
     * A random (version 4) UUID from the thread's generator: a request id must be unique, not secret, and
     * {@link UUID#randomUUID()} draws from the shared SecureRandom on every call.
     */
    static String requestId() {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    static SigV4Verifier.RequestHead head(HttpServerExchange exchange) {
        HeaderMap headers = exchange.getRequestHeaders();
        // The names as the header map holds them, without copying them into a set first (once per request).
        Iterable<String> names = () -> new java.util.Iterator<>() {
            private final java.util.Iterator<io.undertow.util.HeaderValues> values = headers.iterator();

            @Override
            public boolean hasNext() {
                return values.hasNext();
            }

            @Override
            public String next() {
                return values.next().getHeaderName().toString();
            }
        };
        return new SigV4Verifier.RequestHead(exchange.getRequestMethod().toString(), exchange.getRequestURI(),
                exchange.getQueryString(), headers::getFirst, names);
    }

    private <I extends SdkPojo> SdkPojo decode(Operation<I> operation, byte[] body) {
        return codec.decode(body, operation.inputBuilder().get());
    }

    private static void internalError(HttpServerExchange exchange, String requestId, String target, Throwable e) {
        log.error("Request {} ({}) failed", requestId, target, e);
        sendError(exchange, AwsException.internal("We encountered an internal error. Please try again. (request "
                + requestId + ")"));
    }

    private static void sendError(HttpServerExchange exchange, AwsException e) {
        exchange.setStatusCode(e.httpStatus());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, CONTENT_TYPE);
        exchange.getResponseHeaders().put(new HttpString("x-amzn-ErrorType"), e.errorType());
        String json = "{\"__type\":" + quote(e.errorType()) + ",\"message\":" + quote(e.getMessage()) + "}";
        exchange.getResponseSender().send(json, StandardCharsets.UTF_8);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
