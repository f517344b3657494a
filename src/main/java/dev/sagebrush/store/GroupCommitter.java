package dev.sagebrush.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Group commit for a node's one writer connection (SQLite's only writer; PostgreSQL's per node, so the change feed's
 * counter row is taken once per group rather than once per write). Writers queue their work; one thread runs everything queued
 * so far in a single transaction, each piece in its own savepoint (a failing piece rolls back alone), and commits
 * once: one fsync for the whole group instead of one per write. Every caller still returns only after the commit
 * holding its write is durable, so the guarantee is unchanged; only the waiting is shared.
 */
final class GroupCommitter implements AutoCloseable {
    /** Bounds a transaction's size, so one commit never holds many callers for long. */
    private static final int MAX_GROUP = 256;

    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private record Pending<T>(Work<T> work, CompletableFuture<T> done) {}

    /** Opens the writer connection again after it broke (a restarted PostgreSQL); SQLite's never does. */
    interface Reconnect {
        Connection open() throws SQLException;
    }

    private final Reconnect reconnect;
    private Connection connection;
    private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closing;

    GroupCommitter(Connection connection) {
        this(connection, null);
    }

    GroupCommitter(Connection connection, Reconnect reconnect) {
        this.connection = connection;
        this.reconnect = reconnect;
        this.thread = new Thread(this::loop, "store-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    <T> T submit(Work<T> work) {
        if (closing) throw new StoreException("The store is closed", null);
        Pending<T> p = new Pending<>(work, new CompletableFuture<>());
        queue.add(p);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return p.done().get();
                } catch (InterruptedException e) {
                    // The write is queued and will commit; the caller must learn how it ended, so wait it out.
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) throw r;
                    if (cause instanceof SQLException s) throw new StoreException("Store write failed: " + s.getMessage(), s);
                    throw new StoreException("Store write failed: " + cause, cause);
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        List<Pending<?>> group = new ArrayList<>();
        while (!closing || !queue.isEmpty()) {
            try {
                Pending<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                if (reconnect != null) reopenIfBroken();
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                commit(group);
            } catch (InterruptedException e) {
                if (!closing) continue;
            } finally {
                group.clear();
            }
        }
    }

    private void reopenIfBroken() {
        try {
            if (connection.isValid(2)) return;
        } catch (SQLException ignored) {
            // treated as broken
        }
        try {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // it is broken already
            }
            connection = reconnect.open();
        } catch (SQLException e) {
            // The group fails below on the broken connection; the next one tries again.
        }
    }

    private void commit(List<Pending<?>> group) {
        List<Object> results = new ArrayList<>(group.size());
        try (Statement s = connection.createStatement()) {
            connection.setAutoCommit(false);
            for (Pending<?> p : group) {
                s.execute("SAVEPOINT w");
                try {
                    results.add(p.work().run(connection));
                    s.execute("RELEASE w");
                } catch (SQLException | RuntimeException e) {
                    s.execute("ROLLBACK TO w");
                    s.execute("RELEASE w");
                    results.add(new Failed(e));
                }
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the commit failed; the group fails as a whole below
            }
            StoreException failure = new StoreException("Store write failed: " + e.getMessage(), e);
            group.forEach(p -> p.done().completeExceptionally(failure));
            return;
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // next group sets it again
            }
        }
        for (int i = 0; i < group.size(); i++) {
            complete(group.get(i), results.get(i));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Pending<T> p, Object result) {
        if (result instanceof Failed f) {
            p.done().completeExceptionally(f.error());
        } else {
            p.done().complete((T) result);
        }
    }

    private record Failed(Exception error) {}

    @Override
    public void close() {
        closing = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reconnect != null) {
            // A connection it may have reopened is its own to close; a caller-owned one (SQLite's) is closed there.
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing at shutdown
            }
        }
    }
}
