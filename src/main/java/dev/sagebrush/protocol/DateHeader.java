package dev.sagebrush.protocol;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.DateUtils;
import io.undertow.util.Headers;
import java.time.Clock;
import java.util.Date;

/**
 * Sets every response's {@code Date} from this server's clock, when the response is committed. AWS SDKs correct
 * their clock from the Date of a signature error, so a wrong Date makes a client sign every later request with that
 * error (in the SDK for Java, for every client in the process). Undertow's own Date ({@code ALWAYS_SET_DATE}, turned
 * off where this is installed) is cached in a static shared by every server in the JVM and invalidated by a task on
 * the IO thread of whichever server cached it: once that server stops before the task runs, all the others send the
 * frozen Date for good. It happened in the test suite (a Date 1,000 s old, then "Signature expired" everywhere); an
 * application embedding Sagebrush and restarting it would see the same. This cache is per server and checked on use.
 */
public final class DateHeader implements HttpHandler {
    private record Formatted(long second, String text) {}

    private final HttpHandler next;
    private final Clock clock;
    private volatile Formatted cached = new Formatted(Long.MIN_VALUE, "");

    public DateHeader(HttpHandler next, Clock clock) {
        this.next = next;
        this.clock = clock;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        exchange.addResponseCommitListener(ex -> {
            if (!ex.getResponseHeaders().contains(Headers.DATE)) ex.getResponseHeaders().put(Headers.DATE, now());
        });
        next.handleRequest(exchange);
    }

    String now() {
        long millis = clock.millis();
        long second = Math.floorDiv(millis, 1000);
        Formatted f = cached;
        if (f.second() != second) {
            f = new Formatted(second, DateUtils.toDateString(new Date(second * 1000)));
            cached = f;
        }
        return f.text();
    }
}
