package dev.sagebrush;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a server start spends its time, as one log line once it listens: the JVM's own start (from the process's
 * start to {@link Sagebrush}'s constructor: JVM boot, the CLI, class loading so far), then each stage of the
 * composition root. It tells an operator whether a slow start is the JVM, the database, the index or the rest.
 */
final class StartupStages {
    private static final Logger log = LoggerFactory.getLogger(StartupStages.class);

    private final long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
    private final long beforeMs = System.currentTimeMillis() - jvmStartMillis;
    private final List<String> stages = new ArrayList<>();
    private long last = System.nanoTime();

    /** Ends the stage under way, named {@code name}. */
    void done(String name) {
        long now = System.nanoTime();
        stages.add(name + " " + (now - last) / 1_000_000);
        last = now;
    }

    /** Logs the stages; returns the milliseconds since the JVM started. */
    long report() {
        long total = System.currentTimeMillis() - jvmStartMillis;
        log.info("Started in {} ms since the JVM started (ms: JVM and CLI {}, {})", total, beforeMs,
                String.join(", ", stages));
        return total;
    }
}
