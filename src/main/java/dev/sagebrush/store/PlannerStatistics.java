package dev.sagebrush.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure PostgreSQL's planner has statistics on the store's tables before they are large.
 *
 * <p>Without statistics the planner cannot tell {@code resources_pkey} (account, region, kind, name) from
 * {@code resources_by_created} (account, region, kind, created_at, name) for a lookup by key: with the default
 * selectivities both are estimated at one row for the same cost, and the tie goes to the smaller index, which is
 * {@code resources_by_created} (appended in order, so its pages are full). That index can only bound account, region
 * and kind; it tests the name on every entry of the kind in that account and region. Every Describe, update, claim and
 * delete then reads the whole list: at 100,000 jobs 1,045 buffers and ~10 ms instead of 4 buffers and 0.06 ms, which
 * was DescribeTrainingJob at 314/s against ~15,000/s (docs/performance.md). Any statistics taken on more than a handful
 * of rows tell the planner that account, region and kind are far from unique, and the primary key wins for good.
 *
 * <p>A database has no statistics after a bulk load that outruns autovacuum's first visit (it comes up to a minute
 * after the server starts, then after 10 % more rows), after {@code pg_restore}, and after {@code pg_upgrade} (neither
 * carries statistics before PostgreSQL 18). So the store looks once when it opens and, while the answer is "none",
 * again every {@link #CHECK_EVERY} of its writes; when a table of at least {@link #MIN_ROWS} rows has none it runs
 * {@code ANALYZE} (a sample of 30,000 rows: a fraction of a second) on a pool connection, off the caller's thread.
 * Once statistics exist it stops looking: autovacuum keeps them current.
 */
final class PlannerStatistics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PlannerStatistics.class);
    static final int CHECK_EVERY = 1_000;
    static final int MIN_ROWS = 1_000;

    private final Transactor tx;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicInteger writes = new AtomicInteger();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "store-statistics");
        t.setDaemon(true);
        return t;
    });

    PlannerStatistics(Transactor tx) {
        this.tx = tx;
    }

    /** Looks in the background, unless statistics were already found or a look is under way. */
    void check() {
        if (settled.get() || !pending.compareAndSet(false, true)) return;
        try {
            worker.execute(() -> {
                try {
                    if (ensure()) settled.set(true);
                } catch (RuntimeException e) {
                    log.warn("Could not check the database's planner statistics: {}", e.getMessage());
                } finally {
                    pending.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            pending.set(false);
        }
    }

    /** Called after each write of this node. */
    void written() {
        if (!settled.get() && writes.incrementAndGet() % CHECK_EVERY == 0) check();
    }

    /** True when nothing is left to do: statistics exist (or were just taken), or they cannot be taken by us. */
    boolean ensure() {
        return tx.read(c -> {
            if (hasStatistics(c)) return true;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT 1 FROM resources LIMIT " + MIN_ROWS + ") r")) {
                rs.next();
                if (rs.getInt(1) < MIN_ROWS) return false; // small: any plan is quick; look again later
            }
            long start = System.nanoTime();
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE resources, tags, changes");
            } catch (SQLException e) {
                log.warn("The store's tables have no planner statistics and ANALYZE failed ({}): lookups by name may "
                        + "scan a whole list until autovacuum analyzes them; run ANALYZE as their owner", e.getMessage());
                return true;
            }
            log.info("The store's tables had no planner statistics (a bulk load, pg_restore or pg_upgrade): ANALYZE took "
                    + "{} ms", (System.nanoTime() - start) / 1_000_000);
            return true;
        });
    }

    /**
     * Statistics that tell the planner {@code kind} repeats. A negative n_distinct is a fraction of the rows: taken
     * when the table had so few rows that every kind looked unique, which misleads the planner as much as none.
     */
    static boolean hasStatistics(java.sql.Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT n_distinct FROM pg_stats WHERE schemaname = "
                + "current_schema() AND tablename = 'resources' AND attname = 'kind'");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getDouble(1) > 0;
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
