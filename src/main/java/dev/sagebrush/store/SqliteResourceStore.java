package dev.sagebrush.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded store: one SQLite file in WAL mode with {@code synchronous=FULL}, so a write that returned survives a
 * crash or {@code kill -9}. One writer connection, fed by group commit ({@link GroupCommitter}); each reading thread
 * has its own connection, and WAL lets reads run beside the writer. Only this process writes the file, so the feed's
 * head is known in memory and a follower that is up to date costs no query.
 */
public final class SqliteResourceStore extends SqlResourceStore {
    private final AtomicLong head;

    public SqliteResourceStore(Path file) {
        this(new SqliteTransactor("jdbc:sqlite:" + file.toAbsolutePath(), file));
    }

    private SqliteResourceStore(SqliteTransactor tx) {
        super(Dialect.SQLITE, tx);
        this.head = new AtomicLong(tx.read(FeedSql::head));
    }

    @Override
    protected void committed(long seq) {
        head.accumulateAndGet(seq, Math::max);
        super.committed(seq);
    }

    @Override
    public long headSeq() {
        return head.get();
    }

    private static final class SqliteTransactor implements Transactor {
        private final String url;
        private final Connection writer;
        private final GroupCommitter committer;
        private final ThreadLocal<Connection> readers;
        private final List<Connection> allReaders = new CopyOnWriteArrayList<>();

        SqliteTransactor(String url, Path file) {
            this.url = url;
            try {
                this.writer = open();
                Migrations.apply(writer);
                this.committer = new GroupCommitter(writer);
            } catch (SQLException e) {
                throw new StoreException("Cannot open the store at " + file + ": " + e.getMessage(), e);
            }
            this.readers = ThreadLocal.withInitial(() -> {
                try {
                    Connection c = open();
                    allReaders.add(c);
                    return c;
                } catch (SQLException e) {
                    throw new StoreException("Cannot open a read connection: " + e.getMessage(), e);
                }
            });
        }

        private Connection open() throws SQLException {
            Connection c = DriverManager.getConnection(url);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=10000");
                s.execute("PRAGMA foreign_keys=ON");
            }
            return c;
        }

        @Override
        public <T> T write(Work<T> work) {
            return committer.submit(work::run);
        }

        @Override
        public <T> T read(Work<T> work) {
            try {
                return work.run(readers.get());
            } catch (SQLException e) {
                throw new StoreException("Store read failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            committer.close(); // commits what is queued, then stops
            for (Connection c : allReaders) closeQuietly(c);
            closeQuietly(writer);
        }

        private static void closeQuietly(Connection c) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing at shutdown: nothing useful to do with the error
            }
        }
    }
}
