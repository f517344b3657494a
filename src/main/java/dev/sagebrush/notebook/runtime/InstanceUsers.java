package dev.sagebrush.notebook.runtime;

import dev.sagebrush.jobs.Commands;
import java.time.Duration;
import java.util.List;

/** Creates and removes the per-instance system users that run Jupyter when RootAccess is Disabled. */
final class InstanceUsers {
    private InstanceUsers() {}

    record Ids(int uid, int gid) {}

    /** Marks the users Sagebrush made, with the directory of their instance, in the passwd comment field. */
    static final String COMMENT_PREFIX = "sagebrush notebook instance ";

    /** Creates the user if missing; returns its ids. */
    static Ids ensure(String user, java.nio.file.Path home, java.nio.file.Path instanceDir) throws RuntimeFailure {
        Ids ids = lookup(user);
        if (ids != null) return ids;
        Commands.Result r = null;
        // useradd takes a lock on /etc/passwd; concurrent creations (several instances starting) can collide.
        for (int attempt = 0; attempt < 20; attempt++) {
            r = Commands.run(List.of("useradd", "--system", "--user-group", "--no-create-home",
                    "--home-dir", home.toString(), "--shell", "/usr/sbin/nologin",
                    "--comment", COMMENT_PREFIX + instanceDir.toAbsolutePath().normalize(), user), Duration.ofSeconds(30));
            if (r.ok() || r.exitCode() == 9 /* already exists */) break;
            sleep(100 + attempt * 50L);
        }
        ids = lookup(user);
        if (ids == null) {
            throw new RuntimeFailure("Could not create the instance user " + user + ": " + Commands.lastLines(r.output(), 3));
        }
        return ids;
    }

    static Ids lookup(String user) {
        Commands.Result u = Commands.run(List.of("id", "-u", user), Duration.ofSeconds(10));
        Commands.Result g = Commands.run(List.of("id", "-g", user), Duration.ofSeconds(10));
        if (!u.ok() || !g.ok()) return null;
        return new Ids(Integer.parseInt(u.output().strip()), Integer.parseInt(g.output().strip()));
    }

    static void remove(String user) {
        if (lookup(user) == null) return;
        for (int attempt = 0; attempt < 20; attempt++) {
            Commands.Result r = Commands.run(List.of("userdel", user), Duration.ofSeconds(30));
            if (r.ok() || r.exitCode() == 6 /* no such user */) return;
            sleep(100 + attempt * 50L);
        }
    }

    /**
     * Removes users made for instances whose directory no longer exists (a data directory deleted without deleting
     * its instances first, as tests do, or a crash between the two). Users are otherwise kept from first start to
     * DeleteNotebookInstance, so an instance keeps its uid across stops.
     */
    static void removeOrphans() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/etc/passwd"))) {
                String[] f = line.split(":", -1);
                if (f.length < 5 || !f[0].startsWith("sbnb-") || !f[4].startsWith(COMMENT_PREFIX)) continue;
                if (!java.nio.file.Files.exists(java.nio.file.Path.of(f[4].substring(COMMENT_PREFIX.length())))) {
                    remove(f[0]);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // best effort: a leftover user owns nothing that still exists
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
