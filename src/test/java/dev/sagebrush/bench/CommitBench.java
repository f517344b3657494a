package dev.sagebrush.bench;

import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.SqliteResourceStore;
import dev.sagebrush.store.StoredResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many durable (WAL, synchronous=FULL) commits per second this disk allows, with and without batching several
 * writes into one commit: the ceiling on CreateCompilationJob, which is one commit per call behind one lock.
 *
 * <pre>CommitBench [SECONDS] [THREADS] [BATCH]</pre>
 *
 * (a) SqliteResourceStore.create from THREADS threads, as the server does (one transaction and one fsync per create);
 * (b) raw JDBC, BATCH inserts per transaction (what a group commit would do), same pragmas and a similar row.
 */
public final class CommitBench {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        Path dir = Files.createTempDirectory("sagebrush-commitbench");
        byte[] doc = ("{\"CompilationJobName\":\"x\",\"CompilationJobStatus\":\"STARTING\",\"RoleArn\":\"arn:aws:iam::000000000000:role/R\","
                + "\"InputConfig\":{\"S3Uri\":\"s3://models/xgb/model.tar.gz\",\"Framework\":\"XGBOOST\"},"
                + "\"OutputConfig\":{\"S3OutputLocation\":\"s3://models/out/\",\"TargetDevice\":\"ml_c5\"}}").getBytes(StandardCharsets.UTF_8);
        try {
            // (a) the store as the server uses it
            try (SqliteResourceStore store = new SqliteResourceStore(dir.resolve("store.db"))) {
                AtomicLong n = new AtomicLong();
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                Thread[] ts = new Thread[threads];
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    ts[t] = new Thread(() -> {
                        for (long i = 0; System.nanoTime() < end; i++) {
                            String name = "j-" + id + "-" + i;
                            Instant now = Instant.now();
                            store.create(new StoredResource(new ResourceKey("000000000000", "us-east-1", "compilation-job", name),
                                    "arn:aws:sagemaker:us-east-1:000000000000:compilation-job/" + name, "STARTING", now, now, 0, doc), Map.of());
                            n.incrementAndGet();
                        }
                    });
                    ts[t].start();
                }
                for (Thread t : ts) t.join();
                System.out.printf("store.create, %d threads, one commit each: %.0f creates/s%n", threads, n.get() / (double) seconds);
            }
            // (b) raw JDBC, 1 and BATCH rows per commit
            for (int perCommit : new int[] {1, batch}) {
                Path f = dir.resolve("raw-" + perCommit + ".db");
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f)) {
                    try (Statement s = c.createStatement()) {
                        s.execute("PRAGMA journal_mode=WAL");
                        s.execute("PRAGMA synchronous=FULL");
                        s.execute("CREATE TABLE r (name TEXT PRIMARY KEY, arn TEXT UNIQUE, created_at INTEGER, document BLOB) WITHOUT ROWID");
                    }
                    c.setAutoCommit(false);
                    long rows = 0;
                    long end = System.nanoTime() + seconds * 1_000_000_000L;
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO r VALUES (?,?,?,?)")) {
                        while (System.nanoTime() < end) {
                            for (int i = 0; i < perCommit; i++, rows++) {
                                ps.setString(1, "j-" + rows);
                                ps.setString(2, "arn:j-" + rows);
                                ps.setLong(3, rows);
                                ps.setBytes(4, doc);
                                ps.executeUpdate();
                            }
                            c.commit();
                        }
                    }
                    System.out.printf("raw JDBC, %d row(s) per fsynced commit: %.0f rows/s%n", perCommit, rows / (double) seconds);
                }
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
