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
 *   <li>{@code base_url=/}: each instance has its own origin (host name), so Jupyter serves from the root.</li>
 *   <li>Loopback only, {@code port_retries=0}: never on all interfaces, and a taken port fails fast instead of
 *       silently moving. In a network namespace Jupyter listens on a unix socket instead.</li>
 *   <li>{@code allow_remote_access}: the proxy keeps the browser's Host header, which Jupyter would otherwise refuse
 *       as non-local. Safe because nothing but loopback (or the socket) reaches the server.</li>
 *   <li>{@code quit_button=False}: the UI's Quit would kill the server behind the control plane's back.</li>
 * </ul>
 * Paths are as the process sees them: inside the {@link Sandbox} ({@code /home/ec2-user/SageMaker}), or the host's
 * on a host that cannot sandbox.
 */
final class JupyterCommand {
    static final String PYTHON = "/usr/bin/python3"; // Debian's, which has the notebook package; not a PATH python

    /** Where the process finds its home, volume and runtime directory. */
    record Paths(String home, String volume, String runtime) {
        String socket() {
            return runtime + "/jupyter.sock";
        }

        static Paths sandboxed() {
            return new Paths(Sandbox.HOME, Sandbox.VOLUME, Sandbox.RUNTIME);
        }

        static Paths onHost(InstanceLayout l) {
            return new Paths(l.home().toAbsolutePath().toString(), l.volume().toAbsolutePath().toString(),
                    l.runtime().toAbsolutePath().toString());
        }
    }

    private JupyterCommand() {}

    static List<String> build(Paths paths, int port, boolean unixSocket, boolean allowRoot, String defaultFolder) {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-m", "notebook", "--no-browser",
                "--notebook-dir=" + paths.volume(),
                "--NotebookApp.base_url=/",
                "--NotebookApp.allow_remote_access=True",
                "--NotebookApp.quit_button=False"));
        if (unixSocket) {
            cmd.add("--NotebookApp.sock=" + paths.socket());
        } else {
            cmd.addAll(List.of("--ip=127.0.0.1", "--port=" + port, "--port-retries=0"));
        }
        if (allowRoot) cmd.add("--allow-root");
        if (defaultFolder != null) cmd.add("--NotebookApp.default_url=/tree/" + defaultFolder);
        return cmd;
    }

    static Map<String, String> environment(Paths paths, String user, String token, Map<String, String> callback) {
        Map<String, String> env = new HashMap<>(callback);
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", paths.home());
        env.put("USER", user);
        env.put("LOGNAME", user);
        env.put("LANG", "C.UTF-8");
        env.put("SHELL", "/bin/bash"); // terminals
        env.put("JUPYTER_CONFIG_DIR", paths.home() + "/.jupyter");
        env.put("JUPYTER_DATA_DIR", paths.home() + "/.local/share/jupyter");
        env.put("JUPYTER_RUNTIME_DIR", paths.runtime());
        env.put("IPYTHONDIR", paths.home() + "/.ipython");
        env.put("JUPYTER_TOKEN", token);
        env.put("PYDEVD_DISABLE_FILE_VALIDATION", "1"); // silences a harmless debugger warning at every kernel start
        return env;
    }

    /** A port free right now; a race with another process is caught by port_retries=0 and a retry. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
