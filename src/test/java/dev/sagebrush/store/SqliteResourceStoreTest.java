package dev.sagebrush.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteResourceStoreTest {
    @TempDir Path dir;

    static StoredResource row(String name, String status, Instant t) {
        return new StoredResource(new ResourceKey("000000000000", "us-east-1", "thing", name),
                "arn:aws:sagemaker:us-east-1:000000000000:thing/" + name, status, t, t, 0,
                ("{\"n\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void concurrentWritesShareCommitsAndEachSeesItsOwnOutcome() throws Exception {
        try (SqliteResourceStore store = new SqliteResourceStore(dir.resolve("db"))) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String name = "job-" + (i % 200); // every name twice: exactly one of each pair wins
                results.add(pool.submit(() -> store.create(row(name, "STARTING", Instant.now()), Map.of("k", "v"))));
            }
            int won = 0;
            for (Future<Boolean> f : results) if (f.get()) won++;
            pool.shutdown();
            assertThat(won).isEqualTo(200);
            assertThat(store.findAll("thing")).hasSize(200);
            assertThat(store.tags("arn:aws:sagemaker:us-east-1:000000000000:thing/job-7")).containsEntry("k", "v");
        }
    }

    @Test
    void aFailingWriteRollsBackAloneAndCompareAndSetHolds() {
        try (SqliteResourceStore store = new SqliteResourceStore(dir.resolve("db"))) {
            Instant t = Instant.parse("2026-11-27T00:00:00Z");
            assertThat(store.create(row("a", "STARTING", t), Map.of())).isTrue();
            StoredResource a = store.get(new ResourceKey("000000000000", "us-east-1", "thing", "a")).orElseThrow();
            assertThat(store.update(a.withDocument("INPROGRESS", t, a.document()))).isPresent();
            // The same (now stale) version again: refused, nothing changes.
            assertThat(store.update(a.withDocument("FAILED", t, a.document()))).isEmpty();
            assertThat(store.get(a.key()).orElseThrow().status()).isEqualTo("INPROGRESS");
            assertThat(store.delete(a.key(), a.version())).isFalse();
            assertThat(store.delete(a.key(), a.version() + 1)).isTrue();
        }
    }

    @Test
    void dataSurvivesReopening() {
        Path db = dir.resolve("db");
        try (SqliteResourceStore store = new SqliteResourceStore(db)) {
            store.create(row("kept", "STARTING", Instant.now()), Map.of("team", "a"));
        }
        try (SqliteResourceStore store = new SqliteResourceStore(db)) {
            assertThat(store.getByArn("arn:aws:sagemaker:us-east-1:000000000000:thing/kept")).isPresent();
            assertThat(store.findByStatus("thing", List.of("STARTING"), 1)).hasSize(1);
        }
    }

    @Test
    void closedStoreRefusesWork() {
        SqliteResourceStore store = new SqliteResourceStore(dir.resolve("db"));
        store.close();
        assertThatThrownBy(() -> store.create(row("x", "S", Instant.now()), Map.of())).isInstanceOf(StoreException.class);
    }
}
