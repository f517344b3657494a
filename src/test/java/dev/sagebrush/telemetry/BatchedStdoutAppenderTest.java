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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every line reaches stdout, whole, in each thread's order; stopping writes what is pending; lines do not linger. */
class BatchedStdoutAppenderTest {
    private final PrintStream original = System.out;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final LoggerContext ctx = new LoggerContext();
    private final BatchedStdoutAppender appender = new BatchedStdoutAppender();

    @BeforeEach
    void startWritingToCapturedStdout() {
        appender.setContext(ctx);
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        appender.start();
    }

    @AfterEach
    void stopAndRestoreStdout() {
        appender.stop();   // a second stop after a test's own is harmless: nothing is pending
        System.setOut(original);
    }

    private LoggingEvent event(String message) {
        return new LoggingEvent("test", ctx.getLogger("sagebrush.access"), Level.INFO, message, null, null);
    }

    @Test
    void everyLineIsWrittenOnceInOrderAndStopWritesWhatIsPending() throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 5_000; i++) appender.doAppend(event("{\"t\":" + thread + ",\"i\":" + i + "}"));
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) t.join();
        appender.stop(); // whatever the writer had not written yet is written now
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
        Thread.sleep(50); // the writer has gone idle
        appender.doAppend(event("one"));
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (captured.size() == 0 && System.nanoTime() < deadline) Thread.sleep(1);
        assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo("one\n");
    }
}
