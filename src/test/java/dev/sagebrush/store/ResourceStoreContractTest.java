package dev.sagebrush.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.testsupport.PostgresCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link ResourceStore} promises, run against SQLite and against a real PostgreSQL: compare-and-set, tags,
 * paging, the change feed (ordered, never skipping a change, even under concurrent writers) and fenced claims.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"sqlite", "postgresql"})
class ResourceStoreContractTest {
    static final String ACCOUNT = "000000000000";
    static final String REGION = "us-east-1";

    @Parameter String engine;
    @TempDir Path dir;
    /** Opens the store again on the same data: a restart, or another node on the same database. */
    Supplier<ResourceStore> opener;
    final List<ResourceStore> open = new ArrayList<>();

    @BeforeEach
    void database() {
        if (engine.equals("sqlite")) {
            Path file = dir.resolve("db");
            opener = () -> new SqliteResourceStore(file);
        } else {
            String url = PostgresCluster.shared().newDatabase();
            opener = () -> new PostgresResourceStore(DatabaseUrl.parse(url), 8);
        }
    }

    ResourceStore open() {
        ResourceStore s = opener.get();
        open.add(s);
        return s;
    }

    @AfterEach
    void closeAll() {
        open.forEach(ResourceStore::close);
    }

    static ResourceKey key(String name) {
        return new ResourceKey(ACCOUNT, REGION, "thing", name);
    }

    static String arn(String name) {
        return "arn:aws:sagemaker:us-east-1:000000000000:thing/" + name;
    }

    static StoredResource row(String name, String status, Instant t) {
        return new StoredResource(key(name), arn(name), status, t, t, 0,
                ("{\"n\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    // ----------------------------------------------------------------------------------------------- resources

    @Test
    void concurrentCreatesOfOneNameHaveExactlyOneWinner() throws Exception {
        ResourceStore store = open();
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
        assertThat(store.tags(arn("job-7"))).containsEntry("k", "v");
    }

    @Test
    void compareAndSetRefusesAStaleVersion() {
        ResourceStore store = open();
        Instant t = Instant.parse("2026-11-27T00:00:00Z");
        assertThat(store.create(row("a", "STARTING", t), Map.of())).isTrue();
        assertThat(store.create(row("a", "STARTING", t), Map.of())).isFalse();
        StoredResource a = store.get(key("a")).orElseThrow();
        assertThat(a.version()).isEqualTo(1);
        assertThat(store.update(a.withDocument("INPROGRESS", t, a.document()))).get()
                .extracting(StoredResource::version).isEqualTo(2L);
        assertThat(store.update(a.withDocument("FAILED", t, a.document()))).isEmpty();
        assertThat(store.get(a.key()).orElseThrow().status()).isEqualTo("INPROGRESS");
        assertThat(store.delete(a.key(), a.version())).isFalse();
        assertThat(store.delete(a.key(), a.version() + 1)).isTrue();
        assertThat(store.get(a.key())).isEmpty();
        assertThat(store.getByArn(arn("a"))).isEmpty();
    }

    @Test
    void dataSurvivesReopening() {
        try (ResourceStore store = opener.get()) {
            store.create(row("kept", "STARTING", Instant.now()), Map.of("team", "a"));
        }
        ResourceStore again = open();
        assertThat(again.getByArn(arn("kept"))).isPresent();
        assertThat(again.findByStatus("thing", List.of("STARTING"), 1)).hasSize(1);
        assertThat(again.tags(arn("kept"))).containsExactly(Map.entry("team", "a"));
        assertThat(again.changes(0, 10)).extracting(Change::arn).containsExactly(arn("kept"));
    }

    @Test
    void aClosedStoreRefusesWork() {
        ResourceStore store = opener.get();
        store.close();
        assertThatThrownBy(() -> store.create(row("x", "S", Instant.now()), Map.of())).isInstanceOf(StoreException.class);
    }

    @Test
    void listsPageByKeysetInCodePointOrderAndMatchNamesLiterally() {
        ResourceStore store = open();
        Instant t = Instant.parse("2026-11-27T00:00:00Z");
        List<String> names = List.of("b-2", "B-1", "a_1", "a%1", "c", "Zed", "ab");
        for (int i = 0; i < names.size(); i++) store.create(row(names.get(i), i % 2 == 0 ? "On" : "Off", t.plusSeconds(i)), Map.of());
        List<String> seen = new ArrayList<>();
        ListQuery.Cursor after = null;
        while (true) {
            ResourceStore.Page page = store.list(ListQuery.builder(ACCOUNT, REGION, "thing")
                    .sort(ListQuery.SortColumn.NAME, false).limit(3).after(after).build());
            page.rows().forEach(r -> seen.add(r.key().name()));
            if (!page.more()) break;
            after = ListQuery.Cursor.of(ListQuery.SortColumn.NAME, page.rows().get(page.rows().size() - 1));
        }
        assertThat(seen).containsExactly("B-1", "Zed", "a%1", "a_1", "ab", "b-2", "c");
        assertThat(store.list(ListQuery.builder(ACCOUNT, REGION, "thing").nameContains("A%").limit(10).build()).rows())
                .extracting(r -> r.key().name()).containsExactly("a%1");
        assertThat(store.list(ListQuery.builder(ACCOUNT, REGION, "thing").statusEquals("Off")
                        .sort(ListQuery.SortColumn.CREATED, true).limit(10).build()).rows())
                .extracting(r -> r.key().name()).containsExactly("Zed", "a%1", "B-1");
    }

    @Test
    void tagsKeepTheirOrderAndReadInBulk() {
        ResourceStore store = open();
        Map<String, String> first = new LinkedHashMap<>();
        first.put("z", "1");
        first.put("a", "2");
        store.create(row("t1", "On", Instant.now()), first);
        store.create(row("t2", "On", Instant.now()), Map.of("k", "v"));
        store.create(row("t3", "On", Instant.now()), Map.of());
        assertThat(store.putTags(arn("t1"), Map.of("m", "3", "z", "9"))).isTrue();
        assertThat(store.putTags(arn("missing"), Map.of("m", "3"))).isFalse();
        assertThat(store.tags(arn("t1")).keySet()).startsWith("z", "a");
        assertThat(store.tags(arn("t1"))).containsEntry("z", "9").containsEntry("m", "3");
        assertThat(store.deleteTags(arn("t1"), List.of("a", "nope"))).isTrue();
        assertThat(store.tags(List.of(arn("t1"), arn("t2"), arn("t3")))).containsOnlyKeys(arn("t1"), arn("t2"));
    }

    @Test
    void aScanReadsEveryResourceOfAKindInPages() {
        ResourceStore store = open();
        for (int i = 0; i < 25; i++) store.create(row(String.format("s%02d", i), "On", Instant.now()), Map.of());
        store.create(new StoredResource(new ResourceKey(ACCOUNT, REGION, "other", "o"), "arn:other/o", "On",
                Instant.now(), Instant.now(), 0, new byte[] {'{', '}'}), Map.of());
        List<String> seen = new ArrayList<>();
        List<Integer> batches = new ArrayList<>();
        store.scan("thing", 10, rows -> {
            batches.add(rows.size());
            rows.forEach(r -> seen.add(r.key().name()));
        });
        assertThat(batches).containsExactly(10, 10, 5);
        java.util.Collections.sort(seen);
        assertThat(seen).hasSize(25).isSorted();
    }

    @Test
    void theFirstStoredKeyIsTheKeyEveryNodeGets() {
        ResourceStore one = open();
        byte[] first = one.sharedKey("page-token", new byte[] {1, 2, 3});
        assertThat(first).containsExactly(1, 2, 3);
        ResourceStore other = engine.equals("sqlite") ? one : open();
        assertThat(other.sharedKey("page-token", new byte[] {9})).containsExactly(1, 2, 3);
        assertThat(other.sharedKey("session", new byte[] {9})).containsExactly(9);
    }

    // ----------------------------------------------------------------------------------------------- change feed

    @Test
    void everyWriteTakesTheNextSequenceNumberAndTheFeedKeepsTheLatestPerResource() {
        ResourceStore store = open();
        assertThat(store.headSeq()).isZero();
        Instant t = Instant.now();
        store.create(row("a", "S", t), Map.of());
        store.create(row("b", "S", t), Map.of());
        assertThat(store.create(row("a", "S", t), Map.of())).isFalse(); // refused: takes no number
        StoredResource a = store.get(key("a")).orElseThrow();
        store.update(a.withDocument("R", t, a.document()));
        assertThat(store.update(a.withDocument("X", t, a.document()))).isEmpty(); // stale: no number
        store.putTags(arn("b"), Map.of("k", "v"));
        store.create(row("c", "S", t), Map.of());
        store.delete(key("c"), 1);
        assertThat(store.headSeq()).isEqualTo(6);

        List<Change> all = store.changes(0, 100);
        assertThat(all).extracting(Change::seq).containsExactly(3L, 4L, 6L);
        assertThat(all).extracting(Change::arn).containsExactly(arn("a"), arn("b"), arn("c"));
        assertThat(all.get(0).row().status()).isEqualTo("R");
        assertThat(all.get(0).row().version()).isEqualTo(2);
        assertThat(all.get(2).deleted()).isTrue();
        assertThat(store.changes(4, 100)).extracting(Change::seq).containsExactly(6L);
        assertThat(store.changes(0, 2)).hasSize(2);
        assertThat(store.changes(6, 100)).isEmpty();
        // The latest position per ARN, a deletion negated: what a persisted view (the Search snapshot) is checked by.
        assertThat(store.feedPositions(key("a").kind()))
                .containsOnly(Map.entry(arn("a"), 3L), Map.entry(arn("b"), 4L), Map.entry(arn("c"), -6L));
        assertThat(store.feedPositions("NoSuchKind")).isEmpty();
        // Claims are bookkeeping, not changes.
        store.claim(key("a"), "node", t, Duration.ofMinutes(1));
        assertThat(store.headSeq()).isEqualTo(6);
    }

    @Test
    void aFollowerReadingWhileManyWritersCommitNeverMissesAChange() throws Exception {
        ResourceStore store = open();
        int resources = 20;
        for (int i = 0; i < resources; i++) store.create(row("r" + i, "S", Instant.now()), Map.of());
        Map<String, Long> followed = new HashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        long[] cursor = {0};
        Runnable follow = () -> {
            List<Change> batch;
            while (!(batch = store.changes(cursor[0], 50)).isEmpty()) {
                for (Change c : batch) {
                    assertThat(c.seq()).isGreaterThan(cursor[0]);
                    followed.put(c.arn(), c.row().version());
                    cursor[0] = c.seq();
                }
            }
        };
        Future<?> follower = Executors.newSingleThreadExecutor().submit(() -> {
            while (writing.get()) follow.run();
        });
        ExecutorService writers = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            int seed = w;
            done.add(writers.submit(() -> {
                for (int i = 0; i < 60; i++) {
                    ResourceKey k = key("r" + ((seed * 7 + i) % resources));
                    while (true) {
                        StoredResource cur = store.get(k).orElseThrow();
                        if (store.update(cur.withDocument("S" + i, Instant.now(), cur.document())).isPresent()) break;
                    }
                }
            }));
        }
        for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        writers.shutdown();
        writing.set(false);
        follower.get(30, TimeUnit.SECONDS);
        follow.run(); // the follower's last read, after every writer returned
        for (int i = 0; i < resources; i++) {
            StoredResource now = store.get(key("r" + i)).orElseThrow();
            assertThat(followed.get(now.arn())).as("version the follower saw of %s", now.arn()).isEqualTo(now.version());
        }
        assertThat(cursor[0]).isEqualTo(store.headSeq());
    }

    @Test
    void anotherStoreOnTheSameDataWakesAFollowerAndSeesTheWrite() throws Exception {
        ResourceStore here = open();
        if (engine.equals("sqlite")) return; // one process owns a SQLite file: there is no other node to hear
        ResourceStore other = open();
        long head = here.headSeq();
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException ignored) {
                return;
            }
            other.create(row("elsewhere", "S", Instant.now()), Map.of());
        });
        long start = System.nanoTime();
        writer.start();
        here.awaitChange(head, Duration.ofSeconds(10));
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        writer.join();
        assertThat(waitedMs).as("woken by the other node's NOTIFY, not by the timeout").isLessThan(5000);
        assertThat(here.changes(head, 10)).extracting(Change::arn).contains(arn("elsewhere"));
    }

    @Test
    void awaitChangeReturnsOnALocalWrite() throws Exception {
        ResourceStore store = open();
        long head = store.headSeq();
        Thread writer = new Thread(() -> store.create(row("soon", "S", Instant.now()), Map.of()));
        long start = System.nanoTime();
        writer.start();
        store.awaitChange(head, Duration.ofSeconds(10));
        writer.join();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5000);
        assertThat(store.headSeq()).isGreaterThan(head);
    }

    // ---------------------------------------------------------------------------------------------------- claims

    @Test
    void aClaimIsExclusiveUntilItExpiresAndEachClaimStartsANewEpoch() {
        ResourceStore store = open();
        Instant t = Instant.parse("2026-11-27T00:00:00Z");
        Duration ttl = Duration.ofSeconds(60);
        store.create(row("job", "S", t), Map.of());
        Claim a = store.claim(key("job"), "node-a", t, ttl).orElseThrow();
        assertThat(store.claim(key("job"), "node-b", t.plusSeconds(30), ttl)).isEmpty();
        assertThat(store.claim(key("missing"), "node-b", t, ttl)).isEmpty();
        Claim renewed = store.renew(a, t.plusSeconds(30), ttl).orElseThrow();
        assertThat(renewed.epoch()).isEqualTo(a.epoch());
        assertThat(renewed.until()).isEqualTo(t.plusSeconds(90));
        assertThat(store.claim(key("job"), "node-b", t.plusSeconds(80), ttl)).isEmpty();
        Claim b = store.claim(key("job"), "node-b", t.plusSeconds(91), ttl).orElseThrow();
        assertThat(b.epoch()).isEqualTo(a.epoch() + 1);
        assertThat(store.renew(renewed, t.plusSeconds(92), ttl)).as("a's renewal after b took over").isEmpty();
        store.release(renewed); // a lost claim releases nothing
        assertThat(store.claim(key("job"), "node-c", t.plusSeconds(93), ttl)).isEmpty();
        store.release(b);
        Claim c = store.claim(key("job"), "node-c", t.plusSeconds(93), ttl).orElseThrow();
        assertThat(c.epoch()).isEqualTo(b.epoch() + 1);
        // The same owner claiming again (a restarted node) also starts a new epoch: its old claim is dead.
        Claim c2 = store.claim(key("job"), "node-c", t.plusSeconds(94), ttl).orElseThrow();
        assertThat(c2.epoch()).isEqualTo(c.epoch() + 1);
        assertThat(store.renew(c, t.plusSeconds(95), ttl)).isEmpty();
    }

    @Test
    void aWriteUnderALostClaimIsRefusedAndTakesNoSequenceNumber() {
        ResourceStore store = open();
        Instant t = Instant.parse("2026-11-27T00:00:00Z");
        Duration ttl = Duration.ofSeconds(60);
        store.create(row("job", "S", t), Map.of());
        Claim stalled = store.claim(key("job"), "node-a", t, ttl).orElseThrow();
        StoredResource seen = store.get(key("job")).orElseThrow();
        StoredResource mine = store.update(seen.withDocument("R", t, seen.document()), stalled).orElseThrow();
        // Node a stalls past its lease; node b takes the job over.
        Claim takeover = store.claim(key("job"), "node-b", t.plusSeconds(61), ttl).orElseThrow();
        long head = store.headSeq();
        assertThatThrownBy(() -> store.update(mine.withDocument("Completed-by-a", t, mine.document()), stalled))
                .isInstanceOf(ClaimLostException.class);
        assertThat(store.headSeq()).isEqualTo(head);
        assertThat(store.get(key("job")).orElseThrow().status()).isEqualTo("R");
        // Under the current claim: a stale version is a lost race (empty), not a lost claim; the right one writes.
        assertThat(store.update(seen.withDocument("X", t, seen.document()), takeover)).isEmpty();
        assertThat(store.update(mine.withDocument("Completed-by-b", t, mine.document()), takeover)).isPresent();
        // Unfenced writes (a user's Stop) are not held up by a claim.
        StoredResource done = store.get(key("job")).orElseThrow();
        assertThat(store.update(done.withDocument("Stopping", t, done.document()))).isPresent();
        assertThat(store.update(row("gone", "S", t), takeover)).isEmpty();
    }

    @Test
    void theCurrentClaimNamesItsOwnerUntilReleased() {
        ResourceStore store = open();
        Instant t = Instant.parse("2026-11-27T00:00:00Z");
        store.create(row("job", "S", t), Map.of());
        assertThat(store.currentClaim(key("job"))).isEmpty();
        Claim a = store.claim(key("job"), "node-a", t, Duration.ofSeconds(60)).orElseThrow();
        // Another node (another connection) sees who holds it, expired or not: where to forward its requests.
        assertThat(open().currentClaim(key("job"))).contains(a);
        store.release(a);
        assertThat(store.currentClaim(key("job"))).isEmpty();
        assertThat(store.currentClaim(key("missing"))).isEmpty();
    }

    // ----------------------------------------------------------------------------------------------------- nodes

    @Test
    void eachNodesAnnouncedAddressIsSeenByEveryNodeAndTheLatestWins() {
        ResourceStore a = open();
        ResourceStore b = open();
        Instant t = Instant.parse("2026-11-27T00:00:00Z");
        assertThat(b.nodeAddress("node-a")).isEmpty();
        a.announceNode("node-a", "http://10.0.0.1:8080", t);
        assertThat(b.nodeAddress("node-a")).contains("http://10.0.0.1:8080");
        a.announceNode("node-a", "http://10.0.0.1:9090", t.plusSeconds(5)); // restarted on another port
        assertThat(b.nodeAddress("node-a")).contains("http://10.0.0.1:9090");
        b.announceNode("node-b", "http://10.0.0.2:8080", t);
        assertThat(a.nodeAddress("node-b")).contains("http://10.0.0.2:8080");
    }
}
