package dev.sagebrush.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory written before the change feed existed opens with every resource in the feed, in creation order. */
class SqliteMigrationTest {
    @TempDir Path dir;

    @Test
    void resourcesOfTheFirstSchemaEnterTheFeedInCreationOrder() throws Exception {
        Path file = dir.resolve("sagebrush.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("""
                CREATE TABLE resources (account TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL,
                  name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE, status TEXT, created_at INTEGER NOT NULL,
                  modified_at INTEGER NOT NULL, version INTEGER NOT NULL, document BLOB NOT NULL, lease_owner TEXT,
                  lease_until INTEGER, PRIMARY KEY (account, region, kind, name)) WITHOUT ROWID""");
            s.execute("CREATE INDEX resources_by_status ON resources (kind, status)");
            s.execute("CREATE INDEX resources_by_created ON resources (account, region, kind, created_at, name)");
            s.execute("CREATE TABLE tags (arn TEXT NOT NULL, position INTEGER NOT NULL, key TEXT NOT NULL, "
                    + "value TEXT NOT NULL, PRIMARY KEY (arn, key))");
            s.execute("INSERT INTO resources VALUES ('1','r','job','late','arn:late','S',2000,2000,3,x'7b7d','old-node',99)");
            s.execute("INSERT INTO resources VALUES ('1','r','job','early','arn:early','S',1000,1000,1,x'7b7d',NULL,NULL)");
            s.execute("PRAGMA user_version = 1");
        }
        try (SqliteResourceStore store = new SqliteResourceStore(file)) {
            assertThat(store.headSeq()).isEqualTo(2);
            assertThat(store.changes(0, 10)).extracting(Change::arn).containsExactly("arn:early", "arn:late");
            assertThat(store.changes(0, 10).get(1).row().version()).isEqualTo(3);
            // An old lease has epoch 0; the next claim after it expires starts epoch 1.
            Claim claim = store.claim(new ResourceKey("1", "r", "job", "late"), "new-node", Instant.ofEpochMilli(100),
                    Duration.ofSeconds(60)).orElseThrow();
            assertThat(claim.epoch()).isEqualTo(1);
        }
    }
}
