package dev.sagebrush.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.testsupport.PostgresCluster;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL a lookup by key must use the primary key, also in a database that has no planner statistics yet (a
 * bulk load before autovacuum's first visit, a restore): without them the planner picks resources_by_created and
 * scans every entry of the kind (see {@link PlannerStatistics}). Autovacuum is switched off on the tables here, so
 * only the store can have taken the statistics.
 */
class PlannerStatisticsTest {
    private static final String LOOKUP = "EXPLAIN SELECT document FROM resources WHERE account='000000000000' "
            + "AND region='us-east-1' AND kind='thing' AND name='job-7'";

    @Test
    void aTableThatGrowsWithoutStatisticsIsAnalyzedByTheStore() throws Exception {
        String url = PostgresCluster.shared().newDatabase();
        try (PostgresResourceStore store = new PostgresResourceStore(DatabaseUrl.parse(url), 4);
             Connection c = connect(url)) {
            noAutovacuum(c);
            createMany(store, PlannerStatistics.CHECK_EVERY + 10);
            assertThat(awaitStatistics(c)).as("statistics taken by the store").isTrue();
            assertThat(plan(c)).contains("resources_pkey");
        }
    }

    @Test
    void aDatabaseWithoutStatisticsIsAnalyzedWhenTheStoreOpens() throws Exception {
        String url = PostgresCluster.shared().newDatabase();
        try (Connection c = connect(url)) {
            try (PostgresResourceStore store = new PostgresResourceStore(DatabaseUrl.parse(url), 4)) {
                noAutovacuum(c);
                createMany(store, PlannerStatistics.MIN_ROWS + 10);
                awaitStatistics(c);
            }
            // What pg_restore leaves: the rows, no statistics. The planner's choice without them is the slow index.
            try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM pg_statistic WHERE starelid IN ('resources'::regclass, 'tags'::regclass, "
                        + "'changes'::regclass)");
            }
            assertThat(plan(c)).contains("resources_by_created");
            try (PostgresResourceStore reopened = new PostgresResourceStore(DatabaseUrl.parse(url), 4)) {
                assertThat(awaitStatistics(c)).as("statistics taken when the store opened").isTrue();
                assertThat(plan(c)).contains("resources_pkey");
                assertThat(reopened.get(new ResourceKey("000000000000", "us-east-1", "thing", "job-7"))).isPresent();
            }
        }
    }

    private static void createMany(ResourceStore store, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Boolean>> done = new ArrayList<>();
        Instant t = Instant.parse("2026-12-05T00:00:00Z");
        for (int i = 0; i < n; i++) {
            String name = "job-" + i;
            int at = i;
            done.add(pool.submit(() -> store.create(new StoredResource(new ResourceKey("000000000000", "us-east-1",
                    "thing", name), "arn:aws:sagemaker:us-east-1:000000000000:thing/" + name, "InProgress", t.plusMillis(at), t, 0,
                    "{}".getBytes(StandardCharsets.UTF_8)), Map.of("team", "a"))));
        }
        for (Future<Boolean> f : done) assertThat(f.get()).isTrue();
        pool.shutdown();
    }

    private static boolean awaitStatistics(Connection c) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (PlannerStatistics.hasStatistics(c)) return true;
            Thread.sleep(100);
        }
        return false;
    }

    private static String plan(Connection c) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(LOOKUP)) {
            while (rs.next()) out.append(rs.getString(1)).append('\n');
        }
        return out.toString();
    }

    private static void noAutovacuum(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String table : List.of("resources", "tags", "changes")) {
                s.execute("ALTER TABLE " + table + " SET (autovacuum_enabled = false)");
            }
        }
    }

    private static Connection connect(String url) throws SQLException {
        DatabaseUrl parsed = DatabaseUrl.parse(url);
        return DriverManager.getConnection(parsed.jdbcUrl(), parsed.properties());
    }
}
