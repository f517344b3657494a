package dev.sagebrush.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The embedded store: SQLite in WAL mode with {@code synchronous=FULL}, so each commit is fsynced before the call
 * returns and a {@code kill -9} loses nothing acknowledged. SQLite has one writer at a time, so writes share one
 * connection and are committed in groups ({@link GroupCommitter}: one fsync for all writes waiting at that moment);
 * reads use one connection per thread and never block on writes.
 */
public final class SqliteResourceStore implements ResourceStore {
    private static final String COLUMNS =
            "account, region, kind, name, arn, status, created_at, modified_at, version, document";

    private final String url;
    private final Connection writer;
    private final GroupCommitter committer;
    private final ThreadLocal<Connection> readers;
    private final List<Connection> allReaders = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public SqliteResourceStore(Path file) {
        this.url = "jdbc:sqlite:" + file.toAbsolutePath();
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

    // ------------------------------------------------------------------------------------------------------- writes

    @Override
    public boolean create(StoredResource r, Map<String, String> tags) {
        return write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO resources (" + COLUMNS
                    + ") VALUES (?,?,?,?,?,?,?,?,1,?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, r.key().account());
                ps.setString(2, r.key().region());
                ps.setString(3, r.key().kind());
                ps.setString(4, r.key().name());
                ps.setString(5, r.arn());
                ps.setString(6, r.status());
                ps.setLong(7, r.createdAt().toEpochMilli());
                ps.setLong(8, r.modifiedAt().toEpochMilli());
                ps.setBytes(9, r.document());
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            insertTags(c, r.arn(), tags);
            return true;
        });
    }

    @Override
    public Optional<StoredResource> update(StoredResource r) {
        return write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE resources SET status=?, modified_at=?, document=?, "
                    + "version=version+1 WHERE account=? AND region=? AND kind=? AND name=? AND version=?")) {
                ps.setString(1, r.status());
                ps.setLong(2, r.modifiedAt().toEpochMilli());
                ps.setBytes(3, r.document());
                bindKey(ps, 4, r.key());
                ps.setLong(8, r.version());
                if (ps.executeUpdate() == 0) {
                    return Optional.empty();
                }
            }
            return Optional.of(new StoredResource(r.key(), r.arn(), r.status(), r.createdAt(), r.modifiedAt(),
                    r.version() + 1, r.document()));
        });
    }

    @Override
    public boolean delete(ResourceKey key, long expectedVersion) {
        return write(c -> {
            String arn;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM resources WHERE account=? AND region=? AND kind=? "
                    + "AND name=? AND version=? RETURNING arn")) {
                bindKey(ps, 1, key);
                ps.setLong(5, expectedVersion);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return false;
                    arn = rs.getString(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM tags WHERE arn=?")) {
                ps.setString(1, arn);
                ps.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public boolean tryLease(ResourceKey key, String owner, Instant now, Instant until) {
        return write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE resources SET lease_owner=?, lease_until=? "
                    + "WHERE account=? AND region=? AND kind=? AND name=? "
                    + "AND (lease_owner IS NULL OR lease_owner=? OR lease_until < ?)")) {
                ps.setString(1, owner);
                ps.setLong(2, until.toEpochMilli());
                bindKey(ps, 3, key);
                ps.setString(7, owner);
                ps.setLong(8, now.toEpochMilli());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void releaseLease(ResourceKey key, String owner) {
        write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE resources SET lease_owner=NULL, lease_until=NULL "
                    + "WHERE account=? AND region=? AND kind=? AND name=? AND lease_owner=?")) {
                bindKey(ps, 1, key);
                ps.setString(5, owner);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean putTags(String arn, Map<String, String> tags) {
        return write(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM resources WHERE arn=?")) {
                ps.setString(1, arn);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return false;
                }
            }
            insertTags(c, arn, tags);
            return true;
        });
    }

    @Override
    public boolean deleteTags(String arn, Collection<String> keys) {
        return write(c -> {
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM resources WHERE arn=?")) {
                exists.setString(1, arn);
                try (ResultSet rs = exists.executeQuery()) {
                    if (!rs.next()) return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM tags WHERE arn=? AND key=?")) {
                for (String k : keys) {
                    ps.setString(1, arn);
                    ps.setString(2, k);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return true;
        });
    }

    private static void insertTags(Connection c, String arn, Map<String, String> tags) throws SQLException {
        if (tags.isEmpty()) return;
        // A re-added key keeps its position but takes the new value, as AddTags overwrites in place.
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO tags (arn, position, key, value) VALUES "
                + "(?, (SELECT COALESCE(MAX(position), 0) + 1 FROM tags WHERE arn=?), ?, ?) "
                + "ON CONFLICT (arn, key) DO UPDATE SET value=excluded.value")) {
            for (Map.Entry<String, String> t : tags.entrySet()) {
                ps.setString(1, arn);
                ps.setString(2, arn);
                ps.setString(3, t.getKey());
                ps.setString(4, t.getValue());
                ps.executeUpdate();
            }
        }
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs one write in the next group commit; returns once that commit is durable. */
    private <T> T write(Work<T> work) {
        checkOpen();
        return committer.submit(work::run);
    }

    // -------------------------------------------------------------------------------------------------------- reads

    @Override
    public Optional<StoredResource> get(ResourceKey key) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM resources WHERE account=? AND region=? AND kind=? AND name=?")) {
                bindKey(ps, 1, key);
                return first(ps);
            }
        });
    }

    @Override
    public Optional<StoredResource> getByArn(String arn) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM resources WHERE arn=?")) {
                ps.setString(1, arn);
                return first(ps);
            }
        });
    }

    @Override
    public Page list(ListQuery q) {
        return read(c -> {
            SqlListQuery sql = SqlListQuery.of(q, COLUMNS);
            try (PreparedStatement ps = c.prepareStatement(sql.sql())) {
                sql.bind(ps);
                List<StoredResource> rows = all(ps);
                boolean more = rows.size() > q.limit();
                return new Page(more ? rows.subList(0, q.limit()) : rows, more);
            }
        });
    }

    @Override
    public List<StoredResource> findByStatus(String kind, Collection<String> statuses) {
        return findByStatus(kind, statuses, Integer.MAX_VALUE);
    }

    @Override
    public List<StoredResource> findByStatus(String kind, Collection<String> statuses, int limit) {
        if (statuses.isEmpty() || limit <= 0) return List.of();
        return read(c -> {
            String marks = String.join(",", java.util.Collections.nCopies(statuses.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM resources WHERE kind=? AND status IN ("
                    + marks + ") ORDER BY created_at, name LIMIT ?")) {
                ps.setString(1, kind);
                int i = 2;
                for (String s : statuses) ps.setString(i++, s);
                ps.setInt(i, limit);
                return all(ps);
            }
        });
    }

    @Override
    public List<StoredResource> findClaimable(String kind, Collection<String> statuses, String owner, Instant now, int limit) {
        if (statuses.isEmpty() || limit <= 0) return List.of();
        return read(c -> {
            String marks = String.join(",", java.util.Collections.nCopies(statuses.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM resources WHERE kind=? AND status IN ("
                    + marks + ") AND (lease_owner IS NULL OR lease_owner=? OR lease_until<?) ORDER BY created_at, name LIMIT ?")) {
                int i = 1;
                ps.setString(i++, kind);
                for (String s : statuses) ps.setString(i++, s);
                ps.setString(i++, owner);
                ps.setLong(i++, now.toEpochMilli());
                ps.setInt(i, limit);
                return all(ps);
            }
        });
    }

    @Override
    public Map<String, Map<String, Long>> countByKindAndStatus(Collection<String> kinds) {
        return read(c -> {
            Map<String, Map<String, Long>> counts = new java.util.TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT status, count(*) FROM resources WHERE kind=? GROUP BY status")) {
                for (String kind : kinds) {
                    Map<String, Long> byStatus = new java.util.TreeMap<>();
                    ps.setString(1, kind);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) byStatus.put(String.valueOf(rs.getString(1)), rs.getLong(2));
                    }
                    counts.put(kind, byStatus);
                }
            }
            return counts;
        });
    }

    /** Reports each group commit's duration (fsync included) and size: the store's commit latency metric. */
    public void observeCommits(java.util.function.ObjIntConsumer<Long> observer) {
        committer.observe((nanos, writes) -> observer.accept(nanos, writes));
    }

    @Override
    public List<StoredResource> findAll(String kind) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM resources WHERE kind=?")) {
                ps.setString(1, kind);
                return all(ps);
            }
        });
    }

    @Override
    public Map<String, String> tags(String arn) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT key, value FROM tags WHERE arn=? ORDER BY position")) {
                ps.setString(1, arn);
                Map<String, String> m = new LinkedHashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) m.put(rs.getString(1), rs.getString(2));
                }
                return m;
            }
        });
    }

    private <T> T read(Work<T> work) {
        checkOpen();
        try {
            return work.run(readers.get());
        } catch (SQLException e) {
            throw new StoreException("Store read failed: " + e.getMessage(), e);
        }
    }

    private static Optional<StoredResource> first(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
    }

    private static List<StoredResource> all(PreparedStatement ps) throws SQLException {
        List<StoredResource> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(row(rs));
        }
        return out;
    }

    private static StoredResource row(ResultSet rs) throws SQLException {
        return new StoredResource(
                new ResourceKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                rs.getString(5), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)),
                Instant.ofEpochMilli(rs.getLong(8)), rs.getLong(9), rs.getBytes(10));
    }

    private static void bindKey(PreparedStatement ps, int from, ResourceKey key) throws SQLException {
        ps.setString(from, key.account());
        ps.setString(from + 1, key.region());
        ps.setString(from + 2, key.kind());
        ps.setString(from + 3, key.name());
    }

    private void checkOpen() {
        if (closed) throw new StoreException("The store is closed", null);
    }

    @Override
    public void close() {
        closed = true;
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
