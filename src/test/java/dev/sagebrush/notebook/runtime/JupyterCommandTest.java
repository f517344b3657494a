package dev.sagebrush.notebook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JupyterCommandTest {
    final InstanceLayout l = InstanceLayout.of(Path.of("/data/notebooks"), "nb");

    @Test
    void theTokenIsInTheEnvironmentNeverOnTheCommandLine() {
        List<String> cmd = JupyterCommand.build(l, 18888, false, new InstanceUsers.Ids(990, 990), false, null);
        Map<String, String> env = JupyterCommand.environment(l, "sbnb-x", "secret-token");
        assertThat(String.join(" ", cmd)).doesNotContain("secret-token").doesNotContain("token=");
        assertThat(env).containsEntry("JUPYTER_TOKEN", "secret-token");
    }

    @Test
    void disabledRootAccessDropsToTheUserWithNoNewPrivileges() {
        List<String> cmd = JupyterCommand.build(l, 18888, false, new InstanceUsers.Ids(990, 991), false, null);
        assertThat(cmd).startsWith("setpriv", "--reuid=990", "--regid=991", "--clear-groups", "--no-new-privs",
                "--bounding-set=-all", "--inh-caps=-all", JupyterCommand.PYTHON);
        assertThat(cmd).contains("--ip=127.0.0.1", "--port=18888", "--port-retries=0",
                "--NotebookApp.base_url=/notebooks/nb/", "--NotebookApp.quit_button=False").doesNotContain("--allow-root");
    }

    @Test
    void noInternetMeansANetworkNamespaceAndAUnixSocket() {
        List<String> cmd = JupyterCommand.build(l, 0, true, null, true, "repo");
        assertThat(cmd).startsWith("unshare", "--net", "--");
        assertThat(cmd).contains("--NotebookApp.sock=/data/notebooks/nb/runtime/jupyter.sock", "--allow-root",
                "--NotebookApp.default_url=/tree/repo");
        assertThat(String.join(" ", cmd)).doesNotContain("--port=");
    }
}
