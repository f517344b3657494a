package dev.sagebrush.notebook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JupyterCommandTest {
    final InstanceKey key = new InstanceKey("000000000000", "us-east-1", "Nb");
    final InstanceLayout l = InstanceLayout.of(Path.of("/data/notebooks"), key);
    final JupyterCommand.Paths inside = JupyterCommand.Paths.sandboxed();
    final InstanceLimits limits = InstanceLimits.forType("ml.t3.medium", 0);

    @Test
    void theTokenIsInTheEnvironmentNeverOnTheCommandLine() {
        List<String> cmd = JupyterCommand.build(inside, 18888, false, false, null);
        Map<String, String> env = JupyterCommand.environment(inside, "ec2-user", "secret-token", Map.of());
        assertThat(String.join(" ", cmd)).doesNotContain("secret-token").doesNotContain("token=");
        assertThat(env).containsEntry("JUPYTER_TOKEN", "secret-token").containsEntry("HOME", "/home/ec2-user");
    }

    @Test
    void jupyterServesTheWholeOriginOnLoopbackOrASocket() {
        assertThat(JupyterCommand.build(inside, 18888, false, false, null)).contains("--ip=127.0.0.1", "--port=18888",
                "--port-retries=0", "--NotebookApp.base_url=/", "--notebook-dir=/home/ec2-user/SageMaker",
                "--NotebookApp.quit_button=False").doesNotContain("--allow-root");
        List<String> sock = JupyterCommand.build(inside, 0, true, true, "repo");
        assertThat(sock).contains("--NotebookApp.sock=/run/sagebrush/jupyter.sock", "--allow-root",
                "--NotebookApp.default_url=/tree/repo");
        assertThat(String.join(" ", sock)).doesNotContain("--port=");
    }

    @Test
    void theSandboxDropsToTheInstanceUidBeforeAnyUserNamespace() {
        List<String> cmd = Sandbox.wrap(l, new InstanceUsers.Ids(990, 991),
                new Sandbox.Options(true, true, true, Sandbox.VOLUME, limits), List.of("python3"));
        assertThat(cmd.subList(0, 7)).containsExactly("/bin/sh", "-c", "exec \"$@\" 3< \"$0\"",
                "/data/notebooks/000000000000/us-east-1/nb/sandbox/etc.args", "bwrap", "--args", "3");
        assertThat(cmd).contains("--unshare-pid", "--unshare-net", "--new-session");
        assertThat(String.join(" ", cmd))
                .contains("--bind /data/notebooks/000000000000/us-east-1/nb/SageMaker /home/ec2-user/SageMaker")
                .contains("--ro-bind /usr /usr")
                .doesNotContain("--bind /data/notebooks /") // never the data directory itself
                .doesNotContain("--unshare-user"); // bwrap runs as root: a user namespace made there maps to host root
        int setpriv = cmd.indexOf("setpriv");
        int unshare = cmd.indexOf("unshare");
        assertThat(setpriv).isPositive();
        assertThat(cmd.subList(setpriv, setpriv + 10)).containsExactly("setpriv", "--reuid", "990", "--regid", "991",
                "--clear-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--");
        assertThat(unshare).isGreaterThan(setpriv); // root only inside a namespace the unprivileged uid made
        assertThat(cmd.subList(unshare, cmd.size())).containsExactly("unshare", "--user", "--map-root-user", "--", "python3");
        assertThat(cmd.indexOf("prlimit")).isBetween(cmd.indexOf("--"), setpriv);
    }

    @Test
    void rootAccessDisabledHasNoUserNamespaceAndLifecycleScriptsNoPidNamespace() {
        List<String> cmd = Sandbox.wrap(l, new InstanceUsers.Ids(990, 991),
                new Sandbox.Options(false, false, false, "/", limits), List.of("bash"));
        assertThat(cmd).doesNotContain("unshare", "--unshare-net", "--unshare-pid");
        assertThat(cmd.get(cmd.size() - 1)).isEqualTo("bash");
    }

    @Test
    void limitsFollowTheInstanceType() {
        assertThat(InstanceLimits.forType("ml.t3.medium", 0).memoryBytes()).isEqualTo(4L << 30);
        assertThat(InstanceLimits.forType("ml.m5.xlarge", 0).memoryBytes()).isEqualTo(16L << 30);
        assertThat(InstanceLimits.forType("ml.c5.2xlarge", 0).memoryBytes()).isEqualTo(16L << 30);
        assertThat(InstanceLimits.forType("ml.r5.large", 0).memoryBytes()).isEqualTo(16L << 30);
        assertThat(InstanceLimits.forType("ml.m5.24xlarge", 8L << 30).memoryBytes()).isEqualTo(8L << 30);
    }
}
