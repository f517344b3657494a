package dev.sagebrush.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLogIngesterTest {
    @TempDir Path dir;

    List<String> lines(LogStore store) throws Exception {
        LogStream s = store.group("000000000000", "us-east-1", "/aws/sagemaker/NotebookInstances").orElseThrow()
                .stream("nb/jupyter.log").orElseThrow();
        return GetLogEventsPager.page(s, null, null, null, 10_000, true).events().stream().map(LogEvent::message).toList();
    }

    @Test
    void linesAreCopiedOnceAsTheFileGrowsAndAfterARestart() throws Exception {
        Path file = dir.resolve("jupyter.log");
        Files.writeString(file, "one\ntwo\npart");
        FileLogIngester.Source src = new FileLogIngester.Source("000000000000", "us-east-1",
                "/aws/sagemaker/NotebookInstances", "nb/jupyter.log", file);
        try (LogStore store = new LogStore(dir.resolve("logs"), Clock.systemUTC(), LogStore.Limits.DEFAULT)) {
            FileLogIngester ing = new FileLogIngester(store, () -> List.of(src), dir.resolve("logs/ingest"),
                    Clock.systemUTC(), Duration.ofHours(1));
            ing.passOnce();
            assertThat(lines(store)).containsExactly("one", "two"); // "part" waits for its newline
            Files.writeString(file, "ial\nthree\r\n", StandardOpenOption.APPEND);
            ing.passOnce();
            ing.passOnce();
            assertThat(lines(store)).containsExactly("one", "two", "partial", "three");
        }
        Files.writeString(file, "four\n", StandardOpenOption.APPEND);
        try (LogStore store = new LogStore(dir.resolve("logs"), Clock.systemUTC(), LogStore.Limits.DEFAULT)) {
            new FileLogIngester(store, () -> List.of(src), dir.resolve("logs/ingest"), Clock.systemUTC(),
                    Duration.ofHours(1)).passOnce();
            assertThat(lines(store)).containsExactly("one", "two", "partial", "three", "four");
            Files.writeString(file, "fresh\n"); // a new start truncated the file
            new FileLogIngester(store, () -> List.of(src), dir.resolve("logs/ingest"), Clock.systemUTC(),
                    Duration.ofHours(1)).passOnce();
            assertThat(lines(store)).endsWith("four", "fresh");
        }
    }
}
