package dev.sagebrush.jobs.sandbox;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One host path shown inside a sandbox. {@code host} must be absolute; {@code inside} is where the sandbox sees it (the
 * same path, or a contract path such as {@code /opt/ml}). A {@link Access#READ_WRITE} mount is handed to the sandbox's
 * uid when the sandbox starts (recursive chown, top directory 0700), so only that uid and the server can read it; a
 * {@link Access#READ_WRITE_OWNED} mount is one the caller already gave that uid (a large volume kept across starts),
 * and is bound as it is.
 */
public record Mount(Path host, Path inside, Access access) {
    public enum Access { READ_ONLY, READ_WRITE, READ_WRITE_OWNED }

    public Mount {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(inside, "inside");
        Objects.requireNonNull(access, "access");
        if (!host.isAbsolute() || !inside.isAbsolute()) {
            throw new IllegalArgumentException("mount paths must be absolute: " + host + " -> " + inside);
        }
        host = host.normalize();
        inside = inside.normalize();
        if (inside.getNameCount() == 0) throw new IllegalArgumentException("cannot mount over / in a sandbox");
    }

    public boolean writable() {
        return access != Access.READ_ONLY;
    }

    /** Whether starting the sandbox chowns the tree to its uid. */
    public boolean granted() {
        return access == Access.READ_WRITE;
    }
}
