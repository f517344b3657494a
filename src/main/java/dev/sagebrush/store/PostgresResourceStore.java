package dev.sagebrush.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store for several nodes: one PostgreSQL database shared by every node. Writes are plain transactions at READ
 * COMMITTED (each write touches one resource and checks its version itself); the feed's order comes from
 * {@link FeedSql}'s counter row. Other nodes' writes are noticed through LISTEN/NOTIFY, only as a hint: followers
 * also poll, so a lost notification (a dropped connection) delays a follower by one poll interval, never loses a change.
 * PostgreSQL's own durability settings apply ({@code synchronous_commit=on}, its default, makes a returned write
 * survive a crash of the database server).
 */
public final class PostgresResourceStore extends SqlResourceStore {
    private static final Logger log = LoggerFactory.getLogger(PostgresResourceStore.class);

    private final PostgresTransactor transactor;
    private final PlannerStatistics statistics;
    private final Thread listener;
    private volatile boolean closing;

    public PostgresResourceStore(DatabaseUrl url, int poolSize) {
        this(new PostgresTransactor(url, poolSize), url);
    }

    private PostgresResourceStore(PostgresTransactor tx, DatabaseUrl url) {
        super(Dialect.POSTGRESQL, tx);
        this.transactor = tx;
        this.statistics = new PlannerStatistics(tx);
        statistics.check();
        this.listener = new Thread(() -> listen(url), "store-listener");
        this.listener.setDaemon(true);
        this.listener.start();
    }

    @Override
    protected void committed(long seq) {
        super.committed(seq);
        statistics.written();
    }

    @Override
    public long headSeq() {
        return read(FeedSql::head);
    }

    /** Holds one connection LISTENing on the feed channel and turns each notification into a local wake-up. */
    private void listen(DatabaseUrl url) {
        while (!closing) {
            try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.properties())) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + Dialect.CHANNEL);
                }
                signal.signal(); // changes made while this connection was down: look once
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closing) {
                    PGNotification[] received = pg.getNotifications(500);
                    if (received != null && received.length > 0) signal.signal();
                }
            } catch (SQLException e) {
                if (closing) return;
                log.warn("Listening for other nodes' changes failed ({}); followers poll until it is back", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        listener.interrupt();
        statistics.close();
        super.close();
        try {
            listener.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads from a pool; writes through one writer connection per node with group commit ({@link GroupCommitter}):
     * every write takes the change feed's counter row, which is held until commit, so one transaction per write would
     * serialize the node's writes on one commit (one WAL flush) each. A group takes the counter once and flushes once.
     */
    private static final class PostgresTransactor implements Transactor {
        /** Deadlock and serialization failure: the piece did nothing and may simply run again. */
        private static final java.util.Set<String> RETRYABLE = java.util.Set.of("40P01", "40001");
        /** Well under the shortest lease (3 s): a stalled node's locks are gone before its claims expire. */
        private static final java.time.Duration STALLED_WRITER = java.time.Duration.ofSeconds(2);
        private final HikariDataSource pool;
        private final GroupCommitter committer;

        PostgresTransactor(DatabaseUrl url, int poolSize) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url.jdbcUrl());
            config.setDataSourceProperties(url.properties());
            config.setMaximumPoolSize(poolSize);
            config.setMinimumIdle(Math.min(2, poolSize));
            config.setPoolName("sagebrush-store");
            config.setConnectionTimeout(10_000);
            HikariDataSource ds;
            try {
                ds = new HikariDataSource(config);
            } catch (RuntimeException e) {
                throw new StoreException("Cannot connect to the database at " + url + ": " + rootMessage(e), e);
            }
            this.pool = ds;
            try (Connection c = pool.getConnection()) {
                PostgresMigrations.apply(c);
                this.committer = new GroupCommitter(writer(url), () -> writer(url));
            } catch (SQLException e) {
                pool.close();
                throw new StoreException("Cannot prepare the database at " + url + ": " + e.getMessage(), e);
            }
        }

        /**
         * The node's writer connection. A node stopped mid-transaction (SIGSTOP, a long GC pause, a frozen VM) would
         * hold the locks of its group, the feed's counter row among them, and every node's writes would wait for it:
         * a session idle inside a transaction for {@link #STALLED_WRITER} is ended by PostgreSQL instead, releasing
         * its locks (the group fails; its callers see the error and retry). Groups run their statements back to back,
         * so a live node is never idle that long.
         */
        private static Connection writer(DatabaseUrl url) throws SQLException {
            Connection c = DriverManager.getConnection(url.jdbcUrl(), url.properties());
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("SET idle_in_transaction_session_timeout = '" + STALLED_WRITER.toMillis() + "ms'");
            }
            return c;
        }

        private static String rootMessage(Throwable e) {
            while (e.getCause() != null) e = e.getCause();
            return e.getMessage();
        }

        @Override
        public <T> T write(Work<T> work) {
            // A piece that loses a deadlock to another node's group is rolled back to its savepoint, and its group
            // commits without it, which releases the locks the group's earlier pieces took (the feed's counter row
            // among them). Then it runs again, in a new group. Running it again inside the same group cannot help:
            // the locks the cycle is made of are still held, and it deadlocks again every time.
            for (int attempt = 1; ; attempt++) {
                try {
                    return committer.submit(work::run);
                } catch (StoreException e) {
                    if (!(e.getCause() instanceof SQLException s) || !RETRYABLE.contains(s.getSQLState()) || attempt >= 5) {
                        throw e;
                    }
                }
            }
        }

        @Override
        public <T> T read(Work<T> work) {
            try (Connection c = pool.getConnection()) {
                return work.run(c);
            } catch (SQLException e) {
                throw new StoreException("Store read failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            committer.close();
            pool.close();
        }
    }
}
