package dev.sagebrush.telemetry;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The access log's appender (see logback.xml): each event's message is one line on stdout, written by a background
 * thread in batches. Logback's AsyncAppender in front of a ConsoleAppender did the same one line at a time: a queue
 * lock and a thread wake-up per line, then one write and flush to stdout per line. That was about a seventh of the CPU
 * of a DescribeTrainingJob answered from memory. Here a request only appends to a lock-free queue; the writer wakes
 * every {@link #BATCH_NANOS} while lines come in (a wake-up only when it had gone idle) and writes all pending lines
 * with one write to {@code System.out}.
 *
 * <p>No line is lost on a clean shutdown: a JVM shutdown hook (and {@link #stop}) switches the appender to writing
 * every line before {@code append} returns, after writing what was pending, so the lines of the requests that finish
 * while the server stops are written too. Like the AsyncAppender configured before ({@code neverBlock}), a request
 * never waits for stdout: when {@link #MAX_PENDING} lines are pending (stdout blocked), further lines are dropped and
 * counted, and the count is written to stderr once stdout moves again.
 */
public final class BatchedStdoutAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    static final int MAX_PENDING = 65_536;
    /** How long lines gather between two writes while they come in: bounds how late a line appears. */
    static final long BATCH_NANOS = 2_000_000;

    private final ConcurrentLinkedQueue<String> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final Object writing = new Object();
    private final ByteArrayOutputStream batch = new ByteArrayOutputStream(CHUNK + 4096); // guarded by writing
    private volatile boolean direct; // shutting down: every append writes before it returns
    private volatile boolean idle;
    private volatile boolean running;
    private Thread writer;
    private Thread hook;

    @Override
    public void start() {
        running = true;
        direct = false;
        writer = new Thread(this::loop, "access-log-writer");
        writer.setDaemon(true);
        writer.start();
        hook = new Thread(this::writeThrough, "access-log-shutdown");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            direct = true;
        }
        super.start();
    }

    @Override
    public void stop() {
        writeThrough();
        running = false;
        LockSupport.unpark(writer);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or ran: nothing to remove
        }
        super.stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        pending.add(event.getFormattedMessage());
        if (direct) {
            writePending(); // a line appended while shutdown began is written by this call or the one that began it
        } else if (idle) {
            idle = false;
            LockSupport.unpark(writer);
        }
    }

    /** From now on every line is written before append returns; what is pending is written now. */
    private void writeThrough() {
        direct = true;
        writePending();
    }

    private void loop() {
        while (running) {
            if (writePending() > 0) {
                LockSupport.parkNanos(this, BATCH_NANOS);
                continue;
            }
            idle = true;
            // A line added before this check is seen here; one added after it sees idle and wakes this thread.
            if (pending.isEmpty() && running) LockSupport.parkNanos(this, 1_000_000_000L);
            idle = false;
        }
    }

    /** Writes every pending line to stdout, in writes of up to {@link #CHUNK} bytes; returns how many lines. */
    int writePending() {
        synchronized (writing) {
            PrintStream out = System.out; // looked up each time, as ConsoleAppender does: honours System.setOut
            int n = 0;
            for (String line; (line = pending.poll()) != null; n++) {
                pendingCount.decrementAndGet();
                byte[] b = line.getBytes(StandardCharsets.UTF_8);
                batch.write(b, 0, b.length);
                batch.write('\n');
                if (batch.size() >= CHUNK) writeBatch(out);
            }
            if (batch.size() > 0) writeBatch(out);
            long lost = dropped.get() > 0 ? dropped.getAndSet(0) : 0;
            if (lost > 0) System.err.println("sagebrush: stdout did not keep up: " + lost + " access-log lines were dropped");
            return n;
        }
    }

    private static final int CHUNK = 64 * 1024;

    private void writeBatch(PrintStream out) {
        try {
            batch.writeTo(out);
            out.flush();
        } catch (IOException e) {
            addError("Cannot write the access log to stdout", e);
        }
        batch.reset();
    }
}
