package dev.sagebrush.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Fenced claims, shared by both stores. A claim is three columns of the resource's row: the owner, until when, and an
 * epoch that every successful {@link #claim} raises. Renewals and releases only touch a claim whose owner and epoch
 * still match, and a write made under a claim carries the same check, so the holder of an old epoch can do nothing.
 * Claims are bookkeeping, not changes of the resource: they take no feed number.
 */
final class ClaimSql {
    private static final String KEY = " account=? AND region=? AND kind=? AND name=?";

    private ClaimSql() {}

    static Optional<Claim> claim(Connection c, ResourceKey key, String owner, Instant now, Duration ttl) throws SQLException {
        Instant until = now.plus(ttl);
        try (PreparedStatement ps = c.prepareStatement("UPDATE resources SET lease_owner=?, lease_until=?, "
                + "claim_epoch=claim_epoch+1 WHERE" + KEY
                + " AND (lease_owner IS NULL OR lease_owner=? OR lease_until < ?) RETURNING claim_epoch")) {
            ps.setString(1, owner);
            ps.setLong(2, until.toEpochMilli());
            bindKey(ps, 3, key);
            ps.setString(7, owner);
            ps.setLong(8, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Claim(key, owner, rs.getLong(1), until)) : Optional.empty();
            }
        }
    }

    static Optional<Claim> renew(Connection c, Claim claim, Instant now, Duration ttl) throws SQLException {
        Instant until = now.plus(ttl);
        try (PreparedStatement ps = c.prepareStatement("UPDATE resources SET lease_until=? WHERE" + KEY
                + " AND lease_owner=? AND claim_epoch=?")) {
            ps.setLong(1, until.toEpochMilli());
            bindKey(ps, 2, claim.key());
            ps.setString(6, claim.owner());
            ps.setLong(7, claim.epoch());
            return ps.executeUpdate() == 1 ? Optional.of(new Claim(claim.key(), claim.owner(), claim.epoch(), until))
                    : Optional.empty();
        }
    }

    static void release(Connection c, Claim claim) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE resources SET lease_owner=NULL, lease_until=NULL WHERE"
                + KEY + " AND lease_owner=? AND claim_epoch=?")) {
            bindKey(ps, 1, claim.key());
            ps.setString(5, claim.owner());
            ps.setLong(6, claim.epoch());
            ps.executeUpdate();
        }
    }

    /** The claim recorded on a resource now (possibly expired); empty when none is, or the resource is gone. */
    static Optional<Claim> current(Connection c, ResourceKey key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT lease_owner, claim_epoch, lease_until FROM resources "
                + "WHERE" + KEY + " AND lease_owner IS NOT NULL")) {
            bindKey(ps, 1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Claim(key, rs.getString(1), rs.getLong(2),
                        Instant.ofEpochMilli(rs.getLong(3)))) : Optional.empty();
            }
        }
    }

    /** After a fenced write changed nothing: throws if the claim is why, so the caller can tell it from a lost race. */
    static void checkCurrent(Connection c, Claim fence) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT lease_owner, claim_epoch FROM resources WHERE" + KEY)) {
            bindKey(ps, 1, fence.key());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && (!fence.owner().equals(rs.getString(1)) || rs.getLong(2) != fence.epoch())) {
                    throw new ClaimLostException(fence);
                }
            }
        }
    }

    static void bindKey(PreparedStatement ps, int from, ResourceKey key) throws SQLException {
        ps.setString(from, key.account());
        ps.setString(from + 1, key.region());
        ps.setString(from + 2, key.kind());
        ps.setString(from + 3, key.name());
    }
}
