package dev.sagebrush.notebook.runtime;

import java.time.Duration;
import java.util.List;

/** Creates and removes the per-instance system users that run Jupyter when RootAccess is Disabled. */
final class InstanceUsers {
    private InstanceUsers() {}

    record Ids(int uid, int gid) {}

    /** Creates the user if missing; returns its ids. */
    static Ids ensure(String user, java.nio.file.Path home) throws RuntimeFailure {
        Ids ids = lookup(user);
        if (ids != null) return ids;
        Commands.Result r = null;
        // useradd takes a lock on /etc/passwd; concurrent creations (several instances starting) can collide.
        for (int attempt = 0; attempt < 20; attempt++) {
            r = Commands.run(List.of("useradd", "--system", "--user-group", "--no-create-home",
                    "--home-dir", home.toString(), "--shell", "/usr/sbin/nologin", user), Duration.ofSeconds(30));
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

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
