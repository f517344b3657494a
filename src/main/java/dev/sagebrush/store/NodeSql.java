package dev.sagebrush.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** The nodes sharing one database and the address each announced (see {@link ResourceStore#announceNode}). */
final class NodeSql {
    private NodeSql() {}

    static void announce(Connection c, String nodeId, String address, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO cluster_nodes (node_id, address, seen_at) "
                + "VALUES (?, ?, ?) ON CONFLICT (node_id) DO UPDATE SET address=excluded.address, seen_at=excluded.seen_at")) {
            ps.setString(1, nodeId);
            ps.setString(2, address);
            ps.setLong(3, now.toEpochMilli());
            ps.executeUpdate();
        }
    }

    static Optional<String> address(Connection c, String nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT address FROM cluster_nodes WHERE node_id=?")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }
}
