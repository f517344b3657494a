package dev.sagebrush.jobs.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a bubblewrap sandbox's command line that every sandbox Sagebrush makes shares: the job sandboxes of
 * {@link Sandboxes} and the notebook instances' sandbox (which shows more of /etc and binds an instance's own tree,
 * so it builds the rest itself). Bwrap runs as root in both; these say what the sandbox sees of the system and how
 * its workload stops being root.
 */
public final class BwrapArgs {
    /** The top-level system directories besides /usr: links into /usr on a merged-/usr Debian, or real directories. */
    private static final List<String> ROOT_LINKS = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");

    private BwrapArgs() {}

    /** /usr read-only (every program and library), and /bin, /lib, ... as they are on the host: links or read-only. */
    public static List<String> systemDirectories() {
        List<String> args = new ArrayList<>(List.of("--ro-bind", "/usr", "/usr"));
        for (String d : ROOT_LINKS) {
            Path p = Path.of("/", d);
            try {
                if (Files.isSymbolicLink(p)) {
                    args.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), p.toString()));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    args.addAll(List.of("--ro-bind", p.toString(), p.toString()));
                }
            } catch (IOException e) {
                // gone meanwhile: nothing to show
            }
        }
        return args;
    }

    /**
     * Inside the sandbox, before anything of the workload: util-linux {@code setpriv} switches to the workload's host
     * uid and gid with no supplementary groups, no capabilities and no_new_privs, so nothing after it can become host
     * root (setuid binaries, sudo and su all fail). The command that follows it comes next.
     */
    public static List<String> dropPrivileges(String setpriv, int uid, int gid) {
        return List.of(setpriv, "--reuid", Integer.toString(uid), "--regid", Integer.toString(gid), "--clear-groups",
                "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--");
    }

    /**
     * After {@link #dropPrivileges}: root inside a user namespace whose uid 0 is the workload's own host uid (root
     * over its own files and namespaces, nobody on the host). Made by the unprivileged uid, never by root bwrap, which
     * would map the sandbox's root to host root.
     */
    public static List<String> rootInUserNamespace(String unshare) {
        return List.of(unshare, "--user", "--map-root-user", "--");
    }
}
