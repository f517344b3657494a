package dev.sagebrush.notebook.runtime;

import dev.sagebrush.jobs.Commands;
import dev.sagebrush.jobs.sandbox.LoopVolumes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What this host lets Sagebrush enforce for notebook instances, probed once at start-up. Developer machines and CI
 * differ (root or not, cgroup v1/v2/none, loop devices or not); the runtime degrades instead of refusing to run, and
 * says what it could not do.
 *
 * @param root          the server runs as uid 0: it can create users, switch identity, unshare and mount
 * @param setpriv       util-linux setpriv and useradd, for the unprivileged per-instance user
 * @param bwrap         bubblewrap, for the per-instance sandbox (mount, pid, network and user namespaces)
 * @param netns         unshare + ip, for DirectInternetAccess=Disabled
 * @param loopVolumes   loop devices + mkfs.ext4, for a hard VolumeSizeInGB limit
 * @param cgroup2       a writable cgroup2 directory to put each instance in, so stopping it kills everything it
 *                      started (lifecycle scripts' background jobs too); empty when none
 */
public record HostCapabilities(boolean root, boolean setpriv, boolean bwrap, boolean netns, boolean loopVolumes,
                               Optional<Path> cgroup2) {

    public static HostCapabilities probe() {
        boolean root = isRoot();
        boolean setpriv = root && Commands.onPath("setpriv") && Commands.onPath("useradd");
        boolean bwrap = root && Commands.onPath(Sandbox.BWRAP) && Commands.onPath("unshare") && Commands.onPath("prlimit");
        boolean netns = root && Commands.onPath("unshare") && Commands.onPath("ip");
        boolean loop = root && LoopVolumes.hostSupports();
        return new HostCapabilities(root, setpriv, bwrap, netns, loop, root ? findCgroup2() : Optional.empty());
    }

    /** No isolation at all: what tests of the API layer and non-root hosts get. */
    public static HostCapabilities none() {
        return new HostCapabilities(false, false, false, false, false, Optional.empty());
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0"); // effective uid
            }
        } catch (IOException ignored) {
            // not Linux: no isolation features
        }
        return false;
    }

    private static Optional<Path> findCgroup2() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].equals("cgroup2")) {
                    Path dir = Path.of(f[1]);
                    if (Files.isWritable(dir) && Files.exists(dir.resolve("cgroup.procs"))) return Optional.of(dir);
                }
            }
        } catch (IOException ignored) {
            // no /proc/self/mounts: no cgroups
        }
        return Optional.empty();
    }

    /** Every instance in its own sandbox: needs root (to bind what only the server may enter) and the tools. */
    public boolean sandboxes() {
        return root && setpriv && bwrap;
    }

    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add(root ? "running as root" : "not running as root");
        parts.add(sandboxes() ? "each instance sandboxed (bubblewrap: own uid, mount, pid and user namespaces; root "
                + "only inside its user namespace)" : root ? "no sandbox: install bubblewrap (instances fail until then)"
                : "no sandbox: instances run as the server's own user");
        parts.add("DirectInternetAccess=Disabled " + (sandboxes() ? "enforced (network namespace)" : "unavailable (instances fail)"));
        parts.add("VolumeSizeInGB " + (loopVolumes ? "enforced (loop-mounted ext4 image)" : "not enforced (plain directory)"));
        parts.add(cgroup2.map(p -> "cgroup2 at " + p + " (stop kills every process of an instance)")
                .orElse("no writable cgroup2 (stop kills the Jupyter process tree only)"));
        return String.join("; ", parts);
    }
}
