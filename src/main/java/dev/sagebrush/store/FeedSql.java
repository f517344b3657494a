package dev.sagebrush.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The change feed's SQL, shared by both stores.
 *
 * <p>Sequence numbers come from a one-row counter ({@code feed_head}) that every writing transaction increments as
 * its last statement, not from a database sequence. The reason is PostgreSQL: sequence values are handed out when
 * asked for but become visible when their transaction commits, so transaction A can take 41, B take 42, B commit
 * first, and a follower that has read up to 42 never looks below it again: A's change is lost to it. The counter row
 * is locked from the increment until commit, so numbers are taken in commit order and a number is visible no later
 * than every smaller one; a rolled-back write also gives its number back (no gaps). The price is that writes are
 * serialized for the span of one commit; the other writes of a transaction (the resource row, its tags) still run
 * concurrently. The alternative considered, reading a window behind the snapshot's xmin, keeps writes concurrent but
 * makes the cursor a transaction-id horizon that any long transaction holds back; see docs/cluster.md.
 *
 * <p>On SQLite the one writer connection already serializes writes; group commit puts several writes in one
 * transaction, each takes its own number inside its savepoint, and they all become visible at the one commit.
 *
 * <p>The feed is compacted: {@code changes} holds one row per ARN (its latest change, a tombstone after a delete).
 */
final class FeedSql {
    private static final String READ = "SELECT c.seq, c.account, c.region, c.kind, c.name, c.arn, "
            + "r.status, r.created_at, r.modified_at, r.version, r.document, r.arn "
            + "FROM changes c LEFT JOIN resources r ON r.arn = c.arn AND c.deleted = 0 "
            + "WHERE c.seq > ? ORDER BY c.seq LIMIT ?";

    private FeedSql() {}

    /** Records a change of {@code key} in the current transaction; returns its sequence number. Call it last. */
    static long record(Connection c, Dialect dialect, ResourceKey key, String arn, boolean deleted) throws SQLException {
        long seq;
        try (PreparedStatement ps = c.prepareStatement("UPDATE feed_head SET seq = seq + 1 WHERE id = 1 RETURNING seq");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) throw new SQLException("The change feed's counter row is missing");
            seq = rs.getLong(1);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO changes (seq, arn, account, region, kind, name, deleted) "
                + "VALUES (?,?,?,?,?,?,?) ON CONFLICT (arn) DO UPDATE SET seq=excluded.seq, account=excluded.account, "
                + "region=excluded.region, kind=excluded.kind, name=excluded.name, deleted=excluded.deleted")) {
            ps.setLong(1, seq);
            ps.setString(2, arn);
            ps.setString(3, key.account());
            ps.setString(4, key.region());
            ps.setString(5, key.kind());
            ps.setString(6, key.name());
            ps.setInt(7, deleted ? 1 : 0);
            ps.executeUpdate();
        }
        if (dialect.wakeOthers != null) {
            try (Statement s = c.createStatement()) {
                s.execute(dialect.wakeOthers);
            }
        }
        return seq;
    }

    static long head(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT seq FROM feed_head WHERE id = 1")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** ARN to the sequence number of its latest change, negative for a tombstone (see ResourceStore#feedPositions). */
    static java.util.Map<String, Long> positions(Connection c, String kind) throws SQLException {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT arn, seq, deleted FROM changes WHERE kind = ?")) {
            ps.setFetchSize(5000);
            ps.setString(1, kind);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getInt(3) != 0 ? -rs.getLong(2) : rs.getLong(2));
            }
        }
        return out;
    }

    /** One statement, so one snapshot: each change comes with its resource exactly as committed at that point. */
    static List<Change> read(Connection c, long after, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setLong(1, after);
            ps.setInt(2, limit);
            List<Change> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ResourceKey key = new ResourceKey(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5));
                    StoredResource row = rs.getString(12) == null ? null : new StoredResource(key, rs.getString(6),
                            rs.getString(7), java.time.Instant.ofEpochMilli(rs.getLong(8)),
                            java.time.Instant.ofEpochMilli(rs.getLong(9)), rs.getLong(10), rs.getBytes(11));
                    out.add(new Change(rs.getLong(1), key, rs.getString(6), row));
                }
            }
            return out;
        }
    }
}
