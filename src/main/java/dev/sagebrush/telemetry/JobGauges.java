package dev.sagebrush.telemetry;

import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges read from the store and the host on a timer, never during a scrape (a scrape must stay cheap whatever the
 * store holds): resources by kind and status, each kind's backlog (resources not yet in a final status) and the age
 * of its oldest one (how far the controllers lag), the server's child processes (compilers, training processes,
 * Jupyter servers and kernels, each in its sandbox), and anything else registered with {@link #gauge}.
 */
public final class JobGauges implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobGauges.class);

    /** A resource kind and its statuses that are not final (the work its controller still has to do). */
    public record Kind(String name, List<String> unfinishedStatuses) {}

    private final ResourceStore store;
    private final MeterRegistry registry;
    private final Clock clock;
    private final List<Kind> kinds;
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "metrics-refresh");
        t.setDaemon(true);
        return t;
    });

    public JobGauges(ResourceStore store, MeterRegistry registry, Clock clock, List<Kind> kinds) {
        this.store = store;
        this.registry = registry;
        this.clock = clock;
        this.kinds = List.copyOf(kinds);
    }

    /** Refreshes now and every {@code every}, on the timer's thread: the first counts are not worth a slower start. */
    public JobGauges start(Duration every) {
        timer.scheduleWithFixedDelay(this::refreshQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** A host-local count read at each refresh (e.g. Jupyter servers this node runs). */
    public JobGauges gauge(String name, String description, IntSupplier value) {
        AtomicLong v = value(name, description, new String[0]);
        timer.scheduleWithFixedDelay(() -> v.set(value.getAsInt()), 0, 5, TimeUnit.SECONDS);
        return this;
    }

    void refresh() {
        Map<String, Map<String, Long>> counts = store.countByKindAndStatus(kinds.stream().map(Kind::name).toList());
        for (Kind kind : kinds) {
            Map<String, Long> byStatus = counts.getOrDefault(kind.name(), Map.of());
            // Every status seen once stays reported (as 0 when it empties), so a series never just vanishes.
            values.forEach((key, v) -> {
                if (key.startsWith("jobs\u0000" + kind.name() + "\u0000")) v.set(0);
            });
            long backlog = 0;
            for (var e : byStatus.entrySet()) {
                value("sagebrush.resources", "Resources by kind and status, over every account",
                        new String[] {"kind", kind.name(), "status", e.getKey()}, "jobs\u0000" + kind.name() + "\u0000" + e.getKey())
                        .set(e.getValue());
                if (kind.unfinishedStatuses().contains(e.getKey())) backlog += e.getValue();
            }
            value("sagebrush.controller.backlog", "Resources of a kind not yet in a final status",
                    new String[] {"kind", kind.name()}).set(backlog);
            List<StoredResource> oldest = kind.unfinishedStatuses().isEmpty() ? List.of()
                    : store.findByStatus(kind.name(), kind.unfinishedStatuses(), 1);
            long age = oldest.isEmpty() ? 0 : Math.max(0, Duration.between(oldest.get(0).createdAt(), clock.instant()).toSeconds());
            value("sagebrush.controller.oldest.unfinished.seconds", "Age of the oldest resource of a kind not yet in a "
                    + "final status: how far its controller lags", new String[] {"kind", kind.name()}).set(age);
        }
        value("sagebrush.child.processes", "Processes started by this server still running (compilers, training "
                + "processes, Jupyter servers and kernels, with their descendants)", new String[0])
                .set(ProcessHandle.current().descendants().count());
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("Metrics refresh failed: {}", e.toString());
        }
    }

    private AtomicLong value(String name, String description, String[] tags) {
        return value(name, description, tags, name + "\u0000" + String.join("\u0000", tags));
    }

    private AtomicLong value(String name, String description, String[] tags, String key) {
        return values.computeIfAbsent(key, k -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder(name, v, AtomicLong::get).description(description).tags(tags).register(registry);
            return v;
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            // A refresh under way finishes before the store it reads is closed (else it logs a spurious failure).
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
