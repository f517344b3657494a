package dev.sagebrush.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * SQLite's schema migrations, applied in order at start-up, each in its own transaction. The applied count lives in SQLite's
 * own {@code PRAGMA user_version}, so an interrupted start either applied a step or did not. Append new steps; never
 * edit a released one.
 */
final class Migrations {
    private static final List<List<String>> STEPS = List.of(
            List.of(
                """
                CREATE TABLE resources (
                  account     TEXT    NOT NULL,
                  region      TEXT    NOT NULL,
                  kind        TEXT    NOT NULL,
                  name        TEXT    NOT NULL,
                  arn         TEXT    NOT NULL UNIQUE,
                  status      TEXT,
                  created_at  INTEGER NOT NULL,
                  modified_at INTEGER NOT NULL,
                  version     INTEGER NOT NULL,
                  document    BLOB    NOT NULL,
                  lease_owner TEXT,
                  lease_until INTEGER,
                  PRIMARY KEY (account, region, kind, name)
                ) WITHOUT ROWID""",
                "CREATE INDEX resources_by_status ON resources (kind, status)",
                "CREATE INDEX resources_by_created ON resources (account, region, kind, created_at, name)",
                """
                CREATE TABLE tags (
                  arn      TEXT    NOT NULL,
                  position INTEGER NOT NULL,
                  key      TEXT    NOT NULL,
                  value    TEXT    NOT NULL,
                  PRIMARY KEY (arn, key)
                )"""
            ),
            // The change feed and fenced claims. Existing resources enter the feed in creation order.
            List.of(
                "ALTER TABLE resources ADD COLUMN claim_epoch INTEGER NOT NULL DEFAULT 0",
                "CREATE TABLE feed_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL)",
                """
                CREATE TABLE changes (
                  seq     INTEGER PRIMARY KEY,
                  arn     TEXT    NOT NULL UNIQUE,
                  account TEXT    NOT NULL,
                  region  TEXT    NOT NULL,
                  kind    TEXT    NOT NULL,
                  name    TEXT    NOT NULL,
                  deleted INTEGER NOT NULL
                )""",
                """
                INSERT INTO changes (seq, arn, account, region, kind, name, deleted)
                SELECT row_number() OVER (ORDER BY created_at, arn), arn, account, region, kind, name, 0 FROM resources""",
                "INSERT INTO feed_head (id, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM changes",
                "CREATE TABLE server_keys (name TEXT PRIMARY KEY, value BLOB NOT NULL)"
            ),
            // Nodes sharing the database: where each one is reached (forwarding to the node that serves a request).
            List.of(
                """
                CREATE TABLE cluster_nodes (
                  node_id TEXT PRIMARY KEY,
                  address TEXT NOT NULL,
                  seen_at INTEGER NOT NULL
                )"""
            ));

    private Migrations() {}

    static void apply(Connection c) throws SQLException {
        int applied;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            applied = rs.next() ? rs.getInt(1) : 0;
        }
        if (applied > STEPS.size()) {
            throw new SQLException("The database schema (version " + applied + ") is newer than this Sagebrush ("
                    + STEPS.size() + "); upgrade Sagebrush instead");
        }
        for (int i = applied; i < STEPS.size(); i++) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String sql : STEPS.get(i)) {
                    s.execute(sql);
                }
                s.execute("PRAGMA user_version = " + (i + 1));
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }
}
