package dev.sagebrush.jobs.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything about one sandboxed workload, independent of how the host makes the sandbox: what runs, as which
 * unprivileged uid, what it sees besides the read-only system directories, its environment (nothing is inherited),
 * whether it has the network, and its limits. Build with {@link #builder(String, List)}; start with
 * {@link Sandboxes#start}.
 *
 * @param name      a label for cgroups and logs ("gcc", "training-myjob"); letters, digits, '-', '_', '.'
 * @param uid       the host uid the workload runs as (from {@link UidPool#lease()}); its gid is the same number
 * @param rootInUserNamespace run as uid 0 inside a user namespace that maps to {@code uid} on the host: "root" for
 *                  the workload (apt, chown in its own files), never root on the host
 * @param hostname  the sandbox's host name (its own UTS namespace)
 */
public record SandboxSpec(String name, List<String> command, int uid, boolean rootInUserNamespace,
                          Map<String, String> env, List<Mount> mounts, Path chdir, boolean network, String hostname,
                          Limits limits) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern ENV_NAME = Pattern.compile("[^=\\x00]+");

    public SandboxSpec {
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("bad sandbox name: " + name);
        command = List.copyOf(command);
        if (command.isEmpty()) throw new IllegalArgumentException("empty command");
        // /usr/bin/env runs the command after the uid switch; it would read a first word with '=' as a variable.
        if (command.get(0).indexOf('=') >= 0) throw new IllegalArgumentException("command name with '=': " + command.get(0));
        for (String a : command) {
            if (a.indexOf('\0') >= 0) throw new IllegalArgumentException("NUL in command argument");
        }
        if (uid <= 0) throw new IllegalArgumentException("a sandbox never runs as host root (uid " + uid + ")");
        env = Map.copyOf(new LinkedHashMap<>(env));
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!ENV_NAME.matcher(e.getKey()).matches() || e.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("bad environment variable: " + e.getKey());
            }
        }
        mounts = List.copyOf(mounts);
        Objects.requireNonNull(chdir, "chdir");
        Objects.requireNonNull(limits, "limits");
        if (hostname != null && !hostname.matches("[A-Za-z0-9.-]{1,63}")) {
            throw new IllegalArgumentException("bad host name: " + hostname);
        }
    }

    public static Builder builder(String name, List<String> command) {
        return new Builder(name, command);
    }

    /** The mutable way to assemble a spec; every setter returns the builder. */
    public static final class Builder {
        private final String name;
        private final List<String> command;
        private int uid = -1;
        private boolean rootInUserNamespace;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<Mount> mounts = new ArrayList<>();
        private Path chdir = Path.of("/tmp");
        private boolean network;
        private String hostname = "sandbox";
        private Limits limits = Limits.COMPILER;

        private Builder(String name, List<String> command) {
            this.name = name;
            this.command = List.copyOf(command);
        }

        public Builder uid(int uid) { this.uid = uid; return this; }

        public Builder uid(UidPool.Lease lease) { return uid(lease.uid()); }

        public Builder rootInUserNamespace(boolean on) { this.rootInUserNamespace = on; return this; }

        public Builder env(String key, String value) { env.put(key, value); return this; }

        public Builder env(Map<String, String> all) { env.putAll(all); return this; }

        /** Shows {@code host} read-only at the same path inside. */
        public Builder readOnly(Path host) { return readOnly(host, host); }

        public Builder readOnly(Path host, Path inside) {
            mounts.add(new Mount(host, inside, Mount.Access.READ_ONLY));
            return this;
        }

        /** Shows {@code host} read-write at the same path inside, owned by the sandbox's uid while it runs. */
        public Builder readWrite(Path host) { return readWrite(host, host); }

        public Builder readWrite(Path host, Path inside) {
            mounts.add(new Mount(host, inside, Mount.Access.READ_WRITE));
            return this;
        }

        /** Shows {@code host} read-write as it is: the caller made it the sandbox uid's (no chown at start). */
        public Builder readWriteOwned(Path host, Path inside) {
            mounts.add(new Mount(host, inside, Mount.Access.READ_WRITE_OWNED));
            return this;
        }

        /** The working directory inside the sandbox. */
        public Builder chdir(Path inside) { this.chdir = inside; return this; }

        /** true: the host's network (training without isolation); false (default): a network namespace of its own. */
        public Builder network(boolean on) { this.network = on; return this; }

        public Builder hostname(String name) { this.hostname = name; return this; }

        public Builder limits(Limits l) { this.limits = l; return this; }

        public SandboxSpec build() {
            return new SandboxSpec(name, command, uid, rootInUserNamespace, env, mounts, chdir, network, hostname,
                    limits);
        }
    }
}
