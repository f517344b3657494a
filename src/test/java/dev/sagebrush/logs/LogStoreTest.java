package dev.sagebrush.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.errors.AwsException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStoreTest {
    static final String ACCOUNT = "000000000000";
    static final String REGION = "us-east-1";
    @TempDir Path dir;

    LogStore store(long maxBytes) throws IOException {
        return new LogStore(dir, Clock.systemUTC(), new LogStore.Limits(maxBytes));
    }

    LogStream write(LogStore store, int n) throws IOException {
        try (LogSink sink = store.sink(ACCOUNT, REGION, "g", "s")) {
            for (int i = 0; i < n; i++) sink.append(1000 + i / 2, "line " + i);
        }
        return store.group(ACCOUNT, REGION, "g").orElseThrow().stream("s").orElseThrow();
    }

    static List<String> messages(GetLogEventsPager.Page p) {
        return p.events().stream().map(LogEvent::message).toList();
    }

    @Test
    void forwardPagesEndWithTheSameTokenAsAwsDoes() throws IOException {
        LogStream s = write(store(1 << 30), 1000);
        GetLogEventsPager.Page first = GetLogEventsPager.page(s, null, null, null, 400, true);
        assertThat(messages(first)).hasSize(400).startsWith("line 0").endsWith("line 399");
        assertThat(first.forwardToken()).isEqualTo("f/" + "0".repeat(53) + "400/s");
        assertThat(first.backwardToken()).isEqualTo("b/" + "0".repeat(56) + "/s");
        GetLogEventsPager.Page second = GetLogEventsPager.page(s, null, null, first.forwardToken(), 400, true);
        assertThat(messages(second)).startsWith("line 400").endsWith("line 799");
        GetLogEventsPager.Page third = GetLogEventsPager.page(s, null, null, second.forwardToken(), 400, true);
        assertThat(messages(third)).hasSize(200).endsWith("line 999");
        GetLogEventsPager.Page end = GetLogEventsPager.page(s, null, null, third.forwardToken(), 400, true);
        assertThat(end.events()).isEmpty();
        assertThat(end.forwardToken()).isEqualTo(third.forwardToken());
    }

    @Test
    void withoutStartFromHeadTheLastEventsComeFirstAndBackwardTokensPageBack() throws IOException {
        LogStream s = write(store(1 << 30), 1000);
        GetLogEventsPager.Page last = GetLogEventsPager.page(s, null, null, null, 300, false);
        assertThat(messages(last)).startsWith("line 700").endsWith("line 999");
        GetLogEventsPager.Page before = GetLogEventsPager.page(s, null, null, last.backwardToken(), 300, false);
        assertThat(messages(before)).startsWith("line 400").endsWith("line 699");
        GetLogEventsPager.Page back = GetLogEventsPager.page(s, null, null, before.forwardToken(), 300, false);
        assertThat(messages(back)).startsWith("line 700"); // a forward token reads forward whatever startFromHead says
    }

    @Test
    void timeRangeIsStartInclusiveEndExclusive() throws IOException {
        LogStream s = write(store(1 << 30), 1000); // timestamps 1000..1499, two events each
        GetLogEventsPager.Page p = GetLogEventsPager.page(s, 1100L, 1103L, null, 10_000, true);
        assertThat(messages(p)).containsExactly("line 200", "line 201", "line 202", "line 203", "line 204", "line 205");
        assertThat(GetLogEventsPager.page(s, 5000L, null, null, 10, true).events()).isEmpty();
    }

    @Test
    void aForgedTokenIsInvalidParameter() throws IOException {
        LogStream s = write(store(1 << 30), 10);
        for (String t : List.of("x", "f/abc/s", "f/" + "9".repeat(57) + "/s", "f/99999999999999999999/s")) {
            assertThatThrownBy(() -> GetLogEventsPager.page(s, null, null, t, 10, true))
                    .isInstanceOf(AwsException.class).hasMessage("The specified nextToken is invalid.");
        }
    }

    @Test
    void eventsSurviveAReopenAndATornLastRecordIsCutOff() throws IOException {
        write(store(1 << 30), 300);
        Path file;
        try (Stream<Path> files = Files.walk(dir)) {
            file = files.filter(p -> p.toString().endsWith(".events")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 50, 1, 2, 3})); // half a record header
        }
        LogStream s = store(1 << 30).group(ACCOUNT, REGION, "g").orElseThrow().stream("s").orElseThrow();
        assertThat(s.snapshot().count()).isEqualTo(300);
        assertThat(messages(GetLogEventsPager.page(s, null, null, null, 10_000, true))).hasSize(300).endsWith("line 299");
        try (LogSink sink = store(1 << 30).sink(ACCOUNT, REGION, "g", "s")) {
            sink.append(5000, "after restart");
        }
        LogStream again = store(1 << 30).group(ACCOUNT, REGION, "g").orElseThrow().stream("s").orElseThrow();
        assertThat(messages(GetLogEventsPager.page(again, null, null, null, 1, false))).containsExactly("after restart");
    }

    @Test
    void aStreamPastItsSizeLimitStoresOneMarkerAndDropsTheRest() throws IOException {
        LogStream s = write(store(20_000), 5000);
        List<String> all = messages(GetLogEventsPager.page(s, null, null, null, 10_000, true));
        assertThat(all.size()).isLessThan(5000);
        assertThat(all.get(all.size() - 1)).startsWith("[Sagebrush] This log stream reached its size limit");
        assertThat(s.snapshot().length()).isLessThanOrEqualTo(20_000);
    }

    @Test
    void filterMergesStreamsInTimeOrderAndResumesAfterItsToken() throws IOException {
        LogStore store = store(1 << 30);
        try (LogSink a = store.sink(ACCOUNT, REGION, "g", "a"); LogSink b = store.sink(ACCOUNT, REGION, "g", "b")) {
            for (int i = 0; i < 100; i++) {
                a.append(2 * i, "a " + i + (i % 10 == 0 ? " ERROR" : ""));
                b.append(2 * i + 1, "b " + i + (i % 10 == 0 ? " ERROR" : ""));
            }
        }
        LogGroup g = store.group(ACCOUNT, REGION, "g").orElseThrow();
        LogEventFilter.Result first = LogEventFilter.filter(g.streams(), 0, Long.MAX_VALUE, FilterPattern.parse(null),
                null, 5);
        assertThat(first.events()).extracting(m -> m.event().message()).containsExactly("a 0 ERROR", "b 0 ERROR",
                "a 1", "b 1", "a 2");
        LogEventFilter.Result next = LogEventFilter.filter(g.streams(), 0, Long.MAX_VALUE, FilterPattern.parse(null),
                first.nextToken(), 2);
        assertThat(next.events()).extracting(m -> m.event().message()).containsExactly("b 2", "a 3");
        LogEventFilter.Result errors = LogEventFilter.filter(g.streams(), 0, Long.MAX_VALUE,
                FilterPattern.parse("ERROR -\"b 5\""), null, 100);
        assertThat(errors.events()).hasSize(19);
        assertThat(errors.nextToken()).isNull();
        assertThat(FilterPattern.parse("?\"a 1\" ?\"b 2\"").matches("x b 2 y")).isTrue();
        assertThatThrownBy(() -> FilterPattern.parse("{ $.level = \"ERROR\" }")).isInstanceOf(AwsException.class)
                .hasMessageStartingWith("Sagebrush supports term filter patterns only");
    }

    @Test
    void storesSharingADirectoryReadEachOthersStreamsAndOneWritesAStreamAtATime() throws Exception {
        LogStore a = store(1 << 30);
        LogStore b = store(1 << 30); // another node on the same shared directory
        assertThat(b.groups(ACCOUNT, REGION)).isEmpty();
        try (LogSink sink = a.sink(ACCOUNT, REGION, "g", "job/algo-1-1")) {
            sink.append(1000, "first");
            a.flushAll();
            Thread.sleep(LogStore.DISCOVERY_INTERVAL.toMillis() + 50);
            LogStream seen = b.group(ACCOUNT, REGION, "g").orElseThrow().stream("job/algo-1-1").orElseThrow();
            assertThat(messages(GetLogEventsPager.page(seen, null, null, null, 100, true))).containsExactly("first");
            // The writer's lock: the other node cannot append to the stream meanwhile.
            assertThatThrownBy(() -> b.sink(ACCOUNT, REGION, "g", "job/algo-1-1"))
                    .hasMessageContaining("is being written by another node");
            sink.append(1001, "second");
            a.flushAll();
            assertThat(messages(GetLogEventsPager.page(seen, null, null, null, 100, true)))
                    .containsExactly("first", "second");
        }
        // A torn record left by a writer that died mid-write is invisible to readers and cut off by the next writer.
        Path file;
        try (Stream<Path> files = Files.walk(dir)) {
            file = files.filter(p -> p.toString().endsWith(".events")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 50, 1, 2, 3}));
        }
        LogStream seen = b.group(ACCOUNT, REGION, "g").orElseThrow().stream("job/algo-1-1").orElseThrow();
        assertThat(seen.snapshot().count()).isEqualTo(2);
        try (LogSink sink = b.sink(ACCOUNT, REGION, "g", "job/algo-1-1")) {
            sink.append(1002, "third, by the node that took over");
        }
        LogStream onA = a.group(ACCOUNT, REGION, "g").orElseThrow().stream("job/algo-1-1").orElseThrow();
        assertThat(messages(GetLogEventsPager.page(onA, null, null, null, 100, true)))
                .containsExactly("first", "second", "third, by the node that took over");
        a.close();
        b.close();
    }
}
