package dev.sagebrush.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Describe cache is never behind a write that returned: on a real SQLite store with its change follower. */
class ReadCacheTest {
    private static final Instant T = Instant.parse("2026-12-05T00:00:00Z");

    private static ResourceKey key(String name) {
        return new ResourceKey("000000000000", "us-east-1", "thing", name);
    }

    private static StoredResource row(String name, String doc) {
        return new StoredResource(key(name), "arn:thing/" + name, "On", T, T, 0, doc.getBytes(StandardCharsets.UTF_8));
    }

    private static String doc(Optional<StoredResource> r) {
        return r.map(x -> new String(x.document(), StandardCharsets.UTF_8)).orElse(null);
    }

    @Test
    void servesFromMemoryOnlyWhileEveryChangeIsApplied(@TempDir Path dir) {
        try (SqliteResourceStore store = new SqliteResourceStore(dir.resolve("db.sqlite"))) {
            store.create(row("a", "v1"), Map.of());
            ChangeFollower follower = new ChangeFollower(store, store.headSeq(), Duration.ofHours(1)); // not started
            ReadCache cache = new ReadCache(store, 100).follow(follower);

            assertThat(cache.fresh(key("a"))).isNull(); // never read yet
            assertThat(doc(cache.get(key("a")))).isEqualTo("v1");
            assertThat(cache.fresh(key("a")).version()).isEqualTo(1);

            StoredResource v1 = store.get(key("a")).orElseThrow();
            store.update(v1.withDocument("On", T, "v2".getBytes(StandardCharsets.UTF_8))).orElseThrow();
            // The write returned, the follower has not read it yet: memory cannot prove anything, the store answers.
            assertThat(cache.fresh(key("a"))).isNull();
            assertThat(doc(cache.get(key("a")))).isEqualTo("v2");
            assertThat(cache.fresh(key("a"))).isNull(); // and what it read is not served until the feed is applied

            follower.catchUp();
            assertThat(cache.fresh(key("a"))).isNull(); // the change dropped the row
            assertThat(doc(cache.get(key("a")))).isEqualTo("v2");
            assertThat(new String(cache.fresh(key("a")).document(), StandardCharsets.UTF_8)).isEqualTo("v2");

            // Tags are changes too (conservative: the row is read again), and so is a delete.
            store.putTags("arn:thing/a", Map.of("k", "v"));
            follower.catchUp();
            assertThat(cache.fresh(key("a"))).isNull();
            StoredResource v2 = cache.get(key("a")).orElseThrow();
            assertThat(store.delete(key("a"), v2.version())).isTrue();
            assertThat(cache.fresh(key("a"))).isNull();
            assertThat(cache.get(key("a"))).isEmpty();
            follower.catchUp();
            assertThat(cache.get(key("a"))).isEmpty();
            assertThat(cache.fresh(key("a"))).isNull(); // absence is never cached
        }
    }

    @Test
    void aReadThatRacedAWriteCannotPutTheOldRowBack(@TempDir Path dir) {
        try (SqliteResourceStore store = new SqliteResourceStore(dir.resolve("db.sqlite"))) {
            store.create(row("a", "v1"), Map.of());
            ChangeFollower follower = new ChangeFollower(store, store.headSeq(), Duration.ofHours(1));
            ReadCache cache = new ReadCache(store, 100).follow(follower);
            long headBeforeRead = store.headSeq();
            StoredResource old = store.get(key("a")).orElseThrow();
            // The write commits and is applied between the read and the offer of what it read.
            store.update(old.withDocument("On", T, "v2".getBytes(StandardCharsets.UTF_8))).orElseThrow();
            follower.catchUp();
            cache.offer(old, headBeforeRead);
            assertThat(cache.fresh(key("a"))).isNull();
            assertThat(doc(cache.get(key("a")))).isEqualTo("v2");
        }
    }

    @Test
    void keepsNothingBeforeItFollowsTheFeedAndAtMostItsBound(@TempDir Path dir) {
        try (SqliteResourceStore store = new SqliteResourceStore(dir.resolve("db.sqlite"))) {
            for (int i = 0; i < 5; i++) store.create(row("r" + i, "d" + i), Map.of());
            ReadCache cache = new ReadCache(store, 3);
            assertThat(doc(cache.get(key("r0")))).isEqualTo("d0");
            assertThat(cache.size()).isZero();
            assertThat(cache.fresh(key("r0"))).isNull();
            cache.follow(new ChangeFollower(store, store.headSeq(), Duration.ofHours(1)));
            for (int i = 0; i < 5; i++) assertThat(doc(cache.get(key("r" + i)))).isEqualTo("d" + i);
            assertThat(cache.size()).isEqualTo(3);
        }
    }

    /**
     * Read-your-writes under concurrency: a writer updates one row as fast as it can while the follower runs on its
     * own thread; readers note the last version whose write had returned before they read, and must never get less.
     */
    @Test
    void neverAnswersOlderThanAWriteThatReturnedBeforeTheRead(@TempDir Path dir) throws Exception {
        try (SqliteResourceStore store = new SqliteResourceStore(dir.resolve("db.sqlite"));
             ChangeFollower follower = new ChangeFollower(store, 0, Duration.ofMillis(5))) {
            store.create(row("a", "0"), Map.of());
            ReadCache cache = new ReadCache(store, 100).follow(follower);
            follower.start();
            AtomicLong returned = new AtomicLong(1); // the version of the last write that returned
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                Future<?> writer = pool.submit(() -> {
                    StoredResource cur = store.get(key("a")).orElseThrow();
                    for (int i = 1; i <= 150; i++) {
                        cur = store.update(cur.withDocument("On", T, Integer.toString(i).getBytes(StandardCharsets.UTF_8)))
                                .orElseThrow();
                        returned.set(cur.version());
                    }
                    stop.set(true);
                    return null;
                });
                AtomicLong served = new AtomicLong();
                List<Future<?>> readers = new java.util.ArrayList<>();
                for (int n = 0; n < 3; n++) readers.add(pool.submit(() -> {
                    while (!stop.get()) {
                        long atLeast = returned.get();
                        StoredResource fresh = cache.fresh(key("a"));
                        StoredResource r = fresh != null ? fresh : cache.get(key("a")).orElseThrow();
                        if (fresh != null) served.incrementAndGet();
                        assertThat(r.version()).isGreaterThanOrEqualTo(atLeast);
                    }
                    return null;
                }));
                writer.get(60, TimeUnit.SECONDS);
                for (Future<?> f : readers) f.get(60, TimeUnit.SECONDS);
                assertThat(served.get()).as("some reads were answered from memory").isPositive();
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
