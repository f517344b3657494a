package dev.sagebrush.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every line reaches stdout, whole, in each thread's order; stopping writes what is pending; lines do not linger. */
class BatchedStdoutAppenderTest {
    private static LoggingEvent event(LoggerContext ctx, String message) {
        return new LoggingEvent("test", ctx.getLogger("sagebrush.access"), Level.INFO, message, null, null);
    }

    @Test
    void everyLineIsWrittenOnceInOrderAndStopWritesWhatIsPending() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext ctx = new LoggerContext();
        BatchedStdoutAppender appender = new BatchedStdoutAppender();
        appender.setContext(ctx);
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            appender.start();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                threads.add(new Thread(() -> {
                    for (int i = 0; i < 5_000; i++) appender.doAppend(event(ctx, "{\"t\":" + thread + ",\"i\":" + i + "}"));
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) t.join();
            appender.stop(); // whatever the writer had not written yet is written now
        } finally {
            System.setOut(original);
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(20_000);
        int[] next = new int[4];
        for (String line : lines) {
            int t = line.charAt(5) - '0';
            assertThat(line).isEqualTo("{\"t\":" + t + ",\"i\":" + next[t] + "}");
            next[t]++;
        }
    }

    @Test
    void aLineAppearsWithoutWaitingForMore() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext ctx = new LoggerContext();
        BatchedStdoutAppender appender = new BatchedStdoutAppender();
        appender.setContext(ctx);
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            appender.start();
            Thread.sleep(50); // the writer has gone idle
            appender.doAppend(event(ctx, "one"));
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (captured.size() == 0 && System.nanoTime() < deadline) Thread.sleep(1);
            assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo("one\n");
        } finally {
            appender.stop();
            System.setOut(original);
        }
    }
}
