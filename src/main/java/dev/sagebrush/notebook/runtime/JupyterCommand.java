package dev.sagebrush.notebook.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line and environment of one instance's Jupyter (Debian jupyter-notebook 6.4.12). Choices, each
 * measured in the notebook research:
 * <ul>
 *   <li>The token travels in {@code JUPYTER_TOKEN}, never in argv: any local user can read /proc/PID/cmdline,
 *       nobody else can read /proc/PID/environ.</li>
 *   <li>{@code base_url=/notebooks/<name>/} is the proxy's path prefix, so the proxy forwards paths unchanged.</li>
 *   <li>Loopback only, {@code port_retries=0}: never on all interfaces, and a taken port fails fast instead of
 *       silently moving. In a network namespace Jupyter listens on a unix socket instead.</li>
 *   <li>{@code allow_remote_access}: the proxy keeps the browser's Host header, which Jupyter would otherwise refuse
 *       as non-local. Safe because nothing but loopback (or the socket) reaches the server.</li>
 *   <li>{@code quit_button=False}: the UI's Quit would kill the server behind the control plane's back.</li>
 *   <li>RootAccess=Disabled: {@code setpriv} to the instance user with no_new_privs and every capability dropped, so
 *       neither the server nor kernels nor terminals can become root (su, sudo and setuid binaries all fail).</li>
 * </ul>
 */
final class JupyterCommand {
    static final String PYTHON = "/usr/bin/python3"; // Debian's, which has the notebook package; not a PATH python

    private JupyterCommand() {}

    static List<String> build(InstanceLayout l, int port, boolean isolate, InstanceUsers.Ids dropTo, boolean allowRoot,
                              String defaultFolder) {
        List<String> cmd = new ArrayList<>();
        if (isolate) {
            // A fresh network namespace has lo down; ZMQ between Jupyter and its kernels needs it up.
            cmd.addAll(List.of("unshare", "--net", "--", "/bin/sh", "-c", "ip link set lo up && exec \"$@\"", "sh"));
        }
        if (dropTo != null) {
            cmd.addAll(List.of("setpriv", "--reuid=" + dropTo.uid(), "--regid=" + dropTo.gid(), "--clear-groups",
                    "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all"));
        }
        cmd.addAll(List.of(PYTHON, "-m", "notebook", "--no-browser",
                "--notebook-dir=" + l.volume().toAbsolutePath(),
                "--NotebookApp.base_url=" + l.baseUrl(),
                "--NotebookApp.allow_remote_access=True",
                "--NotebookApp.quit_button=False"));
        if (isolate) {
            cmd.add("--NotebookApp.sock=" + l.socket().toAbsolutePath());
        } else {
            cmd.addAll(List.of("--ip=127.0.0.1", "--port=" + port, "--port-retries=0"));
        }
        if (allowRoot) cmd.add("--allow-root");
        if (defaultFolder != null) cmd.add("--NotebookApp.default_url=/tree/" + defaultFolder);
        return cmd;
    }

    static Map<String, String> environment(InstanceLayout l, String user, String token) {
        Map<String, String> env = new HashMap<>();
        String home = l.home().toAbsolutePath().toString();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", home);
        env.put("USER", user);
        env.put("LOGNAME", user);
        env.put("LANG", "C.UTF-8");
        env.put("SHELL", "/bin/bash"); // terminals; the instance user's login shell is nologin
        env.put("JUPYTER_CONFIG_DIR", home + "/.jupyter");
        env.put("JUPYTER_DATA_DIR", home + "/.local/share/jupyter");
        env.put("JUPYTER_RUNTIME_DIR", l.runtime().toAbsolutePath().toString());
        env.put("IPYTHONDIR", home + "/.ipython");
        env.put("JUPYTER_TOKEN", token);
        env.put("PYDEVD_DISABLE_FILE_VALIDATION", "1"); // silences a harmless debugger warning at every kernel start
        env.put("SM_NOTEBOOK_INSTANCE_NAME", l.name());
        return env;
    }

    /** A port free right now; a race with another process is caught by port_retries=0 and a retry. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
