package dev.sagebrush.notebook.runtime;

import dev.sagebrush.jobs.sandbox.BwrapArgs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The sandbox every process of a notebook instance runs in (Jupyter, its kernels and terminals, lifecycle scripts),
 * made with bubblewrap ({@code bwrap}, Debian's {@code bubblewrap}) and util-linux's {@code setpriv} and
 * {@code unshare}:
 * <ol>
 *   <li>{@code bwrap}, started by the server (root), builds a mount namespace showing the system directories
 *       read-only ({@code /usr}, {@code /etc} without the account databases, the merged-/usr links), a private
 *       {@code /proc}, {@code /dev} and
 *       {@code /tmp}, and of the data directory only this instance's own parts, bind-mounted at the paths SageMaker
 *       uses ({@code /home/ec2-user/SageMaker} for the volume). The data directory, the database, the keys and the
 *       other instances are not in the namespace at all. It also unshares IPC, UTS, the cgroup view, the process ids
 *       (Jupyter only) and, for DirectInternetAccess=Disabled, the network.</li>
 *   <li>{@code setpriv} then drops to the instance's own unprivileged host uid, with no_new_privs and every
 *       capability gone: from here on nothing can become host root (setuid binaries, sudo and su all fail).</li>
 *   <li>Where the instance's user is to be root (lifecycle scripts always, Jupyter with RootAccess=Enabled),
 *       {@code unshare --user --map-root-user} makes it root inside a user namespace whose uid 0 <em>is</em> the
 *       instance's host uid: root over its own files and namespaces, nobody on the host.</li>
 * </ol>
 * bwrap runs as root rather than unprivileged because the bind sources sit in directories only the server may enter
 * (the data directory is 0700); the order matters: a root bwrap that itself created the user namespace would map
 * the sandbox's root to host root. The system directories and steps 2 and 3 are the job sandboxes' too
 * ({@link BwrapArgs}); what this class adds is an instance's own: most of /etc, and the instance's directories (its
 * own /tmp among them) at the paths SageMaker uses.
 */
final class Sandbox {
    static final String BWRAP = "bwrap";
    static final String HOME = "/home/ec2-user";
    static final String VOLUME = HOME + "/SageMaker";
    static final String RUNTIME = "/run/sagebrush";
    static final String METADATA = "/opt/ml/metadata/resource-metadata.json";
    static final String SHIM = "/opt/sagebrush/python";
    static final String LIFECYCLE_SCRIPT = "/opt/sagebrush/lifecycle.sh";

    /**
     * @param noNetwork  a network namespace with only loopback (DirectInternetAccess=Disabled)
     * @param rootInside root inside a user namespace mapped to the instance's uid (never host root)
     * @param ownPids    a pid namespace; off for lifecycle scripts, whose background jobs must outlive the script
     *                   (they are killed by uid at stop, see {@link InstanceProcesses})
     * @param cwd        working directory inside the sandbox
     */
    record Options(boolean noNetwork, boolean rootInside, boolean ownPids, String cwd, InstanceLimits limits) {}

    private Sandbox() {}

    static List<String> wrap(InstanceLayout l, InstanceUsers.Ids ids, Options o, List<String> command) {
        // The ~150 /etc entries go in through a file (bwrap --args), keeping the command line short and readable.
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$@\" 3< \"$0\"",
                l.sandbox().resolve("etc.args").toString(),
                BWRAP, "--args", "3", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--new-session", "--hostname", l.key().label()));
        if (o.ownPids()) cmd.add("--unshare-pid");
        if (o.noNetwork()) cmd.add("--unshare-net"); // bwrap brings lo up, which ZMQ between Jupyter and kernels needs
        cmd.addAll(BwrapArgs.systemDirectories());
        cmd.addAll(List.of(
                "--ro-bind", l.sandbox().resolve("passwd").toString(), "/etc/passwd",
                "--ro-bind", l.sandbox().resolve("group").toString(), "/etc/group",
                "--proc", "/proc", "--dev", "/dev",
                "--bind", l.tmp().toString(), "/tmp",
                "--dir", "/var", "--symlink", "/tmp", "/var/tmp",
                // Parents bwrap would make implicitly are 0700 root: make them 0755 first.
                "--dir", "/home", "--dir", "/run", "--dir", "/opt", "--dir", "/opt/ml", "--dir", "/opt/ml/metadata",
                "--dir", "/opt/sagebrush",
                "--bind", l.home().toString(), HOME,
                "--bind", l.volume().toString(), VOLUME,
                "--bind", l.runtime().toString(), RUNTIME,
                "--ro-bind", l.sandbox().resolve("resource-metadata.json").toString(), METADATA,
                "--ro-bind", l.sandbox().resolve("python").toString(), SHIM,
                "--ro-bind-try", l.sandbox().resolve("lifecycle.sh").toString(), LIFECYCLE_SCRIPT,
                "--chdir", o.cwd(),
                "--"));
        cmd.addAll(o.limits().prlimitPrefix());
        cmd.addAll(BwrapArgs.dropPrivileges("setpriv", ids.uid(), ids.gid()));
        if (o.rootInside()) cmd.addAll(BwrapArgs.rootInUserNamespace("unshare"));
        cmd.addAll(command);
        return cmd;
    }

    /** Host files of /etc a sandbox never sees: the account databases (its own passwd and group are bound instead). */
    private static final java.util.Set<String> ETC_HIDDEN = java.util.Set.of("passwd", "passwd-", "group", "group-",
            "shadow", "shadow-", "gshadow", "gshadow-", "subuid", "subuid-", "subgid", "subgid-", "sudoers", "sudoers.d");

    /**
     * /etc entry by entry, read-only, without the account databases. Not /etc as a whole with passwd bound over it:
     * useradd replaces /etc/passwd by renaming a new file into place, and a bind mount on the old file would then be
     * shadowed by the host's new one (every instance's user, and with them every instance's directory).
     */
    static void writeEtcArgs(InstanceLayout l) throws IOException {
        List<String> args = new ArrayList<>();
        etc(args);
        StringBuilder b = new StringBuilder();
        for (String a : args) b.append(a).append('\0');
        Files.writeString(l.sandbox().resolve("etc.args"), b.toString());
    }

    private static void etc(List<String> cmd) {
        cmd.addAll(List.of("--dir", "/etc"));
        try (java.util.stream.Stream<Path> entries = Files.list(Path.of("/etc"))) {
            for (Path p : (Iterable<Path>) entries.sorted()::iterator) {
                String name = p.getFileName().toString();
                // Lock files come and go while useradd runs for another instance: never needed, and racy.
                if (ETC_HIDDEN.contains(name) || name.endsWith(".lock") || name.endsWith("+")) continue;
                if (Files.isSymbolicLink(p)) {
                    cmd.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), p.toString()));
                } else {
                    cmd.addAll(List.of("--ro-bind-try", p.toString(), p.toString())); // gone meanwhile: skipped
                }
            }
        } catch (IOException e) {
            // no /etc: nothing to show
        }
    }
}
