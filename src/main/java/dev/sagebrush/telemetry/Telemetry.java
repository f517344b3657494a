package dev.sagebrush.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;

/**
 * This server's operators' metrics, one registry per server (tests run several servers in one JVM). Labels never carry
 * an account, a resource name or any value a caller chose freely: the per-operation label is checked against the
 * operation table, so a scrape reveals totals only, and cardinality stays bounded whatever clients send.
 */
public final class Telemetry implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    private final Timer storeCommit = Timer.builder("sagebrush.store.commit")
            .description("Store write transactions from the caller's side: queueing, commit and fsync (durable on return)")
            .publishPercentiles(0.5, 0.99)
            .register(registry);

    public Telemetry() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Meters by label values, so that a request costs one map lookup rather than building and registering a meter id
     * (sorting tags, hashing them, the registry's lookup): that was a few percent of a Describe's CPU. Labels are
     * bounded (see the class comment), so the maps are too.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Timer> requestTimers =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, Counter> errorCounters =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** One finished HTTP request: {@code channel} is api, console-api, s3, console, notebook, metrics or other. */
    void request(String channel, String operation, int status, String errorType, long nanos) {
        requestTimers.computeIfAbsent(channel + '\u0000' + operation + '\u0000' + status, k -> Timer.builder("sagebrush.requests")
                .description("HTTP requests by channel and SageMaker operation (api: SigV4 clients; console-api: the "
                        + "console's calls of the same operations)")
                .tags("channel", channel, "operation", operation, "status", Integer.toString(status))
                .publishPercentiles(0.5, 0.99)
                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
        if (status >= 400) {
            errorCounters.computeIfAbsent(channel + '\u0000' + operation + '\u0000' + errorType, k -> Counter.builder("sagebrush.request.errors")
                    .description("Requests answered with an error, by the AWS error type")
                    .tags("channel", channel, "operation", operation, "error", errorType)
                    .register(registry))
                    .increment();
        }
    }

    /** One store write as its caller saw it: waiting for the writer, the transaction, commit and fsync. */
    public void storeCommit(long nanos) {
        storeCommit.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The text Prometheus scrapes. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
