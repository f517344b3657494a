package dev.sagebrush.notebook.runtime;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where one instance lives on disk, under {@code <data>/notebooks/<account>/<region>/<lower-cased name>/} (0700, the
 * server's only; the sandbox sees the parts it needs through bind mounts, never this directory):
 * <pre>
 *   SageMaker/   the persistent volume, Jupyter's notebook_dir (a mount point when the volume is a loop image);
 *                /home/ec2-user/SageMaker inside the sandbox
 *   volume.img   the loop image holding SageMaker/, when VolumeSizeInGB is enforced (0600)
 *   home/        $HOME of the instance user, /home/ec2-user inside; emptied at every start, as on AWS
 *   tmp/         /tmp inside, shared by the lifecycle scripts and Jupyter; emptied at every start
 *   runtime/     JUPYTER_RUNTIME_DIR (/run/sagebrush inside): kernel connection files (0600), the unix socket
 *   sandbox/     what the sandbox shows read-only: its passwd and group, resource-metadata.json, the Python shim
 *   logs/        jupyter.log, LifecycleConfigOnCreate.log, LifecycleConfigOnStart.log (server only)
 *   meta/        server only: the scripts, the pid file, the "OnCreate has run" marker
 * </pre>
 */
record InstanceLayout(InstanceKey key, Path base) {

    static InstanceLayout of(Path root, InstanceKey key) {
        return new InstanceLayout(key, root.resolve(key.account()).resolve(key.region()).resolve(key.label()));
    }

    String name() {
        return key.name();
    }

    Path volume() { return base.resolve("SageMaker"); }
    Path volumeImage() { return base.resolve("volume.img"); }
    Path home() { return base.resolve("home"); }
    Path runtime() { return base.resolve("runtime"); }
    Path socket() { return runtime().resolve("jupyter.sock"); }
    Path logs() { return base.resolve("logs"); }
    Path jupyterLog() { return logs().resolve("jupyter.log"); }
    Path meta() { return base.resolve("meta"); }
    Path tmp() { return base.resolve("tmp"); }
    Path sandbox() { return base.resolve("sandbox"); }
    Path pidFile() { return meta().resolve("jupyter.pid"); }
    Path onCreateDone() { return meta().resolve("on-create.done"); }

    /**
     * The instance's Unix user. Names can be 63 characters and user names are limited to 32, so it is a hash; of the
     * instance's directory rather than its name, so that two Sagebrush servers on one host (two data directories)
     * never share a user for same-named instances. The prefix makes them easy to recognise in {@code ps}.
     */
    String userName() {
        return "sbnb-" + hostId();
    }

    /** The instance's cgroup: readable, and unique per data directory for the same reason as the user. */
    String cgroupName() {
        return key.label() + "-" + hostId();
    }

    private String hostId() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(
                    base.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
