package dev.sagebrush.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * PostgreSQL's schema migrations: the same tables as SQLite's ({@link Migrations}), in PostgreSQL's types. Text that
 * is sorted or compared uses the C collation, so names sort by code point on every store and every server locale, as
 * keyset paging and SQLite expect. Several nodes may start at once: an advisory lock held for the migration's
 * transaction lets exactly one apply each step (PostgreSQL's DDL is transactional). Append steps; never edit one.
 */
final class PostgresMigrations {
    /** Any constant; it only has to be the same on every node. */
    private static final long MIGRATION_LOCK = 0x5a6e_b705_0001L;
    private static final List<List<String>> STEPS = List.of(
            List.of(
                """
                CREATE TABLE resources (
                  account     TEXT COLLATE "C" NOT NULL,
                  region      TEXT COLLATE "C" NOT NULL,
                  kind        TEXT COLLATE "C" NOT NULL,
                  name        TEXT COLLATE "C" NOT NULL,
                  arn         TEXT COLLATE "C" NOT NULL UNIQUE,
                  status      TEXT COLLATE "C",
                  created_at  BIGINT NOT NULL,
                  modified_at BIGINT NOT NULL,
                  version     BIGINT NOT NULL,
                  document    BYTEA  NOT NULL,
                  lease_owner TEXT,
                  lease_until BIGINT,
                  claim_epoch BIGINT NOT NULL DEFAULT 0,
                  PRIMARY KEY (account, region, kind, name)
                )""",
                "CREATE INDEX resources_by_status ON resources (kind, status)",
                "CREATE INDEX resources_by_created ON resources (account, region, kind, created_at, name)",
                """
                CREATE TABLE tags (
                  arn      TEXT COLLATE "C" NOT NULL,
                  position INTEGER NOT NULL,
                  key      TEXT COLLATE "C" NOT NULL,
                  value    TEXT NOT NULL,
                  PRIMARY KEY (arn, key)
                )""",
                "CREATE TABLE feed_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL)",
                "INSERT INTO feed_head (id, seq) VALUES (1, 0)",
                """
                CREATE TABLE changes (
                  seq     BIGINT PRIMARY KEY,
                  arn     TEXT COLLATE "C" NOT NULL UNIQUE,
                  account TEXT NOT NULL,
                  region  TEXT NOT NULL,
                  kind    TEXT NOT NULL,
                  name    TEXT NOT NULL,
                  deleted INTEGER NOT NULL
                )""",
                "CREATE TABLE server_keys (name TEXT PRIMARY KEY, value BYTEA NOT NULL)"
            ),
            // Nodes sharing the database: where each one is reached (forwarding to the node that serves a request).
            List.of(
                """
                CREATE TABLE cluster_nodes (
                  node_id TEXT PRIMARY KEY,
                  address TEXT NOT NULL,
                  seen_at BIGINT NOT NULL
                )"""
            ));

    private PostgresMigrations() {}

    static void apply(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
            s.execute("INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING");
            int applied;
            try (ResultSet rs = s.executeQuery("SELECT version FROM schema_version WHERE id = 1")) {
                rs.next();
                applied = rs.getInt(1);
            }
            if (applied > STEPS.size()) {
                throw new SQLException("The database schema (version " + applied + ") is newer than this Sagebrush ("
                        + STEPS.size() + "); upgrade Sagebrush instead");
            }
            for (int i = applied; i < STEPS.size(); i++) {
                for (String sql : STEPS.get(i)) {
                    s.execute(sql);
                }
                s.execute("UPDATE schema_version SET version = " + (i + 1) + " WHERE id = 1");
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
