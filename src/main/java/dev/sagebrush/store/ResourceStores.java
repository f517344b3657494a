package dev.sagebrush.store;

import java.nio.file.Path;
import java.util.Optional;

/** Opens the store a node is configured with: PostgreSQL when a database URL is given, else SQLite in the data dir. */
public final class ResourceStores {
    /** Connections per node: request threads mostly wait on the commit, and PostgreSQL's default limit is 100. */
    static final int POOL_SIZE = 16;

    private ResourceStores() {}

    public static ResourceStore open(Optional<String> database, Path dataDir) {
        if (database.isPresent()) {
            DatabaseUrl url;
            try {
                url = DatabaseUrl.parse(database.get());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            return new PostgresResourceStore(url, POOL_SIZE);
        }
        return new SqliteResourceStore(dataDir.resolve("sagebrush.db"));
    }
}
