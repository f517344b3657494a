package dev.sagebrush.notebook.runtime;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where one instance lives on disk, under {@code <data>/notebooks/<name>/}:
 * <pre>
 *   SageMaker/   the persistent volume, Jupyter's notebook_dir (a mount point when the volume is a loop image)
 *   volume.img   the loop image holding SageMaker/, when VolumeSizeInGB is enforced
 *   home/        $HOME of the instance user (Jupyter config, IPython history); emptied at every start, as on AWS
 *   runtime/     JUPYTER_RUNTIME_DIR: kernel connection files (0600), the unix socket
 *   logs/        jupyter.log, LifecycleConfigOnCreate.log, LifecycleConfigOnStart.log, readable by the user
 *   meta/        root only: the Jupyter token, the pid file, the "OnCreate has run" marker
 * </pre>
 */
record InstanceLayout(String name, Path base) {

    static InstanceLayout of(Path root, String name) {
        return new InstanceLayout(name, root.resolve(name));
    }

    Path volume() { return base.resolve("SageMaker"); }
    Path volumeImage() { return base.resolve("volume.img"); }
    Path home() { return base.resolve("home"); }
    Path runtime() { return base.resolve("runtime"); }
    Path socket() { return runtime().resolve("jupyter.sock"); }
    Path logs() { return base.resolve("logs"); }
    Path jupyterLog() { return logs().resolve("jupyter.log"); }
    Path meta() { return base.resolve("meta"); }
    Path pidFile() { return meta().resolve("jupyter.pid"); }
    Path onCreateDone() { return meta().resolve("on-create.done"); }

    String baseUrl() {
        return "/notebooks/" + name + "/";
    }

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
        return name + "-" + hostId();
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
