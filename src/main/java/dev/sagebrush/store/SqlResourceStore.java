package dev.sagebrush.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The resource store in SQL, one implementation for SQLite and PostgreSQL: they differ only in how connections and
 * transactions are had ({@link Transactor}), a few words of SQL ({@link Dialect}) and how a node learns that another
 * wrote ({@link #awaitChange}). Every write records its change in the feed ({@link FeedSql}) in its own transaction.
 */
public abstract class SqlResourceStore implements ResourceStore {
    static final String COLUMNS = "account, region, kind, name, arn, status, created_at, modified_at, version, document";
    private static final int IN_LIST_CHUNK = 500;

    private final Dialect dialect;
    private final Transactor tx;
    /** Wakes this node's feed followers after a local commit, and (PostgreSQL) when another node notifies. */
    protected final FeedSignal signal = new FeedSignal();
    private volatile boolean closed;

    SqlResourceStore(Dialect dialect, Transactor tx) {
        this.dialect = dialect;
        this.tx = tx;
    }

    /** Called after a write committed with feed number {@code seq}. */
    protected void committed(long seq) {
        signal.signal();
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
                    return Written.of(false);
                }
            }
            insertTags(c, r.arn(), tags);
            return Written.of(true, FeedSql.record(c, dialect, r.key(), r.arn(), false));
        });
    }

    @Override
    public Optional<StoredResource> update(StoredResource r) {
        return update(r, null);
    }

    @Override
    public Optional<StoredResource> update(StoredResource r, Claim fence) {
        return write(c -> {
            String sql = "UPDATE resources SET status=?, modified_at=?, document=?, version=version+1 "
                    + "WHERE account=? AND region=? AND kind=? AND name=? AND version=?"
                    + (fence == null ? "" : " AND lease_owner=? AND claim_epoch=?");
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, r.status());
                ps.setLong(2, r.modifiedAt().toEpochMilli());
                ps.setBytes(3, r.document());
                ClaimSql.bindKey(ps, 4, r.key());
                ps.setLong(8, r.version());
                if (fence != null) {
                    ps.setString(9, fence.owner());
                    ps.setLong(10, fence.epoch());
                }
                if (ps.executeUpdate() == 0) {
                    if (fence != null) ClaimSql.checkCurrent(c, fence);
                    return Written.of(Optional.<StoredResource>empty());
                }
            }
            long seq = FeedSql.record(c, dialect, r.key(), r.arn(), false);
            return Written.of(Optional.of(new StoredResource(r.key(), r.arn(), r.status(), r.createdAt(),
                    r.modifiedAt(), r.version() + 1, r.document())), seq);
        });
    }

    @Override
    public boolean delete(ResourceKey key, long expectedVersion) {
        return write(c -> {
            String arn;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM resources WHERE account=? AND region=? AND kind=? "
                    + "AND name=? AND version=? RETURNING arn")) {
                ClaimSql.bindKey(ps, 1, key);
                ps.setLong(5, expectedVersion);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Written.of(false);
                    arn = rs.getString(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM tags WHERE arn=?")) {
                ps.setString(1, arn);
                ps.executeUpdate();
            }
            return Written.of(true, FeedSql.record(c, dialect, key, arn, true));
        });
    }

    @Override
    public Optional<Claim> claim(ResourceKey key, String owner, Instant now, Duration ttl) {
        return write(c -> Written.of(ClaimSql.claim(c, key, owner, now, ttl)));
    }

    @Override
    public Optional<Claim> renew(Claim claim, Instant now, Duration ttl) {
        return write(c -> Written.of(ClaimSql.renew(c, claim, now, ttl)));
    }

    @Override
    public void release(Claim claim) {
        write(c -> {
            ClaimSql.release(c, claim);
            return Written.of(null);
        });
    }

    @Override
    public Optional<Claim> currentClaim(ResourceKey key) {
        return read(c -> ClaimSql.current(c, key));
    }

    @Override
    public void announceNode(String nodeId, String address, Instant now) {
        write(c -> {
            NodeSql.announce(c, nodeId, address, now);
            return Written.of(null);
        });
    }

    @Override
    public Optional<String> nodeAddress(String nodeId) {
        return read(c -> NodeSql.address(c, nodeId));
    }

    @Override
    public boolean putTags(String arn, Map<String, String> tags) {
        return write(c -> {
            Optional<ResourceKey> key = keyOf(c, arn);
            if (key.isEmpty()) return Written.of(false);
            insertTags(c, arn, tags);
            return Written.of(true, FeedSql.record(c, dialect, key.get(), arn, false));
        });
    }

    @Override
    public boolean deleteTags(String arn, Collection<String> keys) {
        return write(c -> {
            Optional<ResourceKey> key = keyOf(c, arn);
            if (key.isEmpty()) return Written.of(false);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM tags WHERE arn=? AND key=?")) {
                for (String k : keys) {
                    ps.setString(1, arn);
                    ps.setString(2, k);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return Written.of(true, FeedSql.record(c, dialect, key.get(), arn, false));
        });
    }

    private static Optional<ResourceKey> keyOf(Connection c, String arn) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT account, region, kind, name FROM resources WHERE arn=?")) {
            ps.setString(1, arn);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new ResourceKey(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4))) : Optional.empty();
            }
        }
    }

    private static void insertTags(Connection c, String arn, Map<String, String> tags) throws SQLException {
        if (tags.isEmpty()) return;
        // A re-added key keeps its position but takes the new value, as AddTags overwrites in place. (Two concurrent
        // AddTags on one resource may deadlock on PostgreSQL; its transactor retries the loser.)
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

    /** What a write returns, and the feed number it took (0: it changed no resource). */
    record Written<T>(T value, long seq) {
        static <T> Written<T> of(T value) {
            return new Written<>(value, 0);
        }

        static <T> Written<T> of(T value, long seq) {
            return new Written<>(value, seq);
        }
    }

    private interface WriteWork<T> {
        Written<T> run(Connection c) throws SQLException;
    }

    /** Runs one write in its own transaction; returns once it is durable, and wakes this node's followers. */
    /** Told how long each write transaction took, from the caller's side: queueing, commit and fsync. */
    private volatile java.util.function.LongConsumer writeObserver = nanos -> {};

    /** Reports each write's latency (the store commit latency operators watch). */
    public void observeWrites(java.util.function.LongConsumer observer) {
        this.writeObserver = observer;
    }

    private <T> T write(WriteWork<T> work) {
        checkOpen();
        long started = System.nanoTime();
        Written<T> w = tx.write(work::run);
        writeObserver.accept(System.nanoTime() - started);
        if (w.seq() > 0) committed(w.seq());
        return w.value();
    }

    // -------------------------------------------------------------------------------------------------------- reads

    @Override
    public Optional<StoredResource> get(ResourceKey key) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM resources WHERE account=? AND region=? AND kind=? AND name=?")) {
                ClaimSql.bindKey(ps, 1, key);
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
            SqlListQuery sql = SqlListQuery.of(q, COLUMNS, dialect);
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
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM resources WHERE kind=? AND status IN ("
                    + marks(statuses.size()) + ") ORDER BY created_at, name LIMIT ?")) {
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
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM resources WHERE kind=? AND status IN ("
                    + marks(statuses.size()) + ") AND (lease_owner IS NULL OR lease_owner=? OR lease_until<?) "
                    + "ORDER BY created_at, name LIMIT ?")) {
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
    public List<StoredResource> findAll(String kind) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM resources WHERE kind=?")) {
                ps.setString(1, kind);
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

    @Override
    public void scan(String kind, int batch, Consumer<List<StoredResource>> each) {
        read(c -> {
            // PostgreSQL streams a result only inside a transaction with a fetch size; SQLite always steps row by row.
            boolean autoCommit = c.getAutoCommit();
            if (dialect == Dialect.POSTGRESQL) c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM resources WHERE kind=?")) {
                ps.setFetchSize(batch);
                ps.setString(1, kind);
                List<StoredResource> rows = new ArrayList<>(batch);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(row(rs));
                        if (rows.size() == batch) {
                            each.accept(rows);
                            rows = new ArrayList<>(batch);
                        }
                    }
                }
                if (!rows.isEmpty()) each.accept(rows);
            } finally {
                if (dialect == Dialect.POSTGRESQL) {
                    c.commit();
                    c.setAutoCommit(autoCommit);
                }
            }
            return null;
        });
    }

    @Override
    public Map<String, String> tags(String arn) {
        return tags(List.of(arn)).getOrDefault(arn, Map.of());
    }

    @Override
    public Map<String, Map<String, String>> tags(Collection<String> arns) {
        if (arns.isEmpty()) return Map.of();
        List<String> all = new ArrayList<>(arns);
        Map<String, Map<String, String>> out = new HashMap<>();
        for (int from = 0; from < all.size(); from += IN_LIST_CHUNK) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + IN_LIST_CHUNK));
            read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT arn, key, value FROM tags WHERE arn IN ("
                        + marks(chunk.size()) + ") ORDER BY arn, position")) {
                    for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i));
                    collectTags(ps, out);
                }
                return null;
            });
        }
        return out;
    }

    private static void collectTags(PreparedStatement ps, Map<String, Map<String, String>> out) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(3));
            }
        }
    }

    @Override
    public byte[] sharedKey(String name, byte[] candidate) {
        write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO server_keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, name);
                ps.setBytes(2, candidate);
                ps.executeUpdate();
            }
            return Written.of(null);
        });
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT value FROM server_keys WHERE name=?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new SQLException("The server key " + name + " vanished");
                    return rs.getBytes(1);
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------------- change feed

    @Override
    public List<Change> changes(long after, int limit) {
        return read(c -> FeedSql.read(c, after, limit));
    }

    @Override
    public Map<String, Long> feedPositions(String kind) {
        return read(c -> FeedSql.positions(c, kind));
    }

    @Override
    public void awaitChange(long after, Duration timeout) throws InterruptedException {
        long generation = signal.generation();
        if (headSeq() > after) return;
        signal.await(generation, timeout);
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    protected <T> T read(Transactor.Work<T> work) {
        checkOpen();
        return tx.read(work);
    }

    private static String marks(int n) {
        return String.join(",", Collections.nCopies(n, "?"));
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

    private void checkOpen() {
        if (closed) throw new StoreException("The store is closed", null);
    }

    @Override
    public void close() {
        closed = true;
        signal.signal();
        tx.close();
    }
}
