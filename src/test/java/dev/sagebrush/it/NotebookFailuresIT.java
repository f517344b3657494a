package dev.sagebrush.it;

import static dev.sagebrush.it.NotebookLifecycleIT.b64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.notebook.NotebookSettings;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import dev.sagebrush.testsupport.Prerequisites;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceResponse;
import software.amazon.awssdk.services.sagemaker.waiters.SageMakerWaiter;

/**
 * How instances fail: a lifecycle script that overruns (a 10 s limit here instead of AWS's 5 minutes: shorter ones were
 * overrun by the sandbox's own start-up on a loaded machine) or exits
 * non-zero, and a Jupyter that dies while InService. Each ends Failed with the reason, leaves no process behind, and
 * comes back with StartNotebookInstance.
 */
class NotebookFailuresIT {
    static ServerFixture fixture;
    static SageMakerClient sm;
    static SageMakerWaiter waiter;

    @BeforeAll
    static void start() {
        Prerequisites.require(NotebookHost.jupyterInstalled(), "jupyter-notebook and python3-ipykernel are not installed");
        fixture = ServerFixture.start(c -> c.withNotebooks(NotebookSettings.defaults()
                .withLifecycleTimeout(Duration.ofSeconds(10))));
        sm = fixture.sagemaker();
        waiter = NotebookHost.fastWaiter(sm);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) fixture.close();
    }

    static DescribeNotebookInstanceResponse awaitStatus(String name, String status) throws InterruptedException {
        return Waits.until(() -> sm.describeNotebookInstance(r -> r.notebookInstanceName(name)),
                d -> d.notebookInstanceStatusAsString().equals(status), Duration.ofSeconds(60));
    }

    static String timeoutReason(String lcc, String nb) {
        return "Notebook Instance Lifecycle Config 'arn:aws:sagemaker:us-east-1:000000000000:notebook-instance-lifecycle-config/"
                + lcc + "' for Notebook Instance 'arn:aws:sagemaker:us-east-1:000000000000:notebook-instance/" + nb
                + "' took longer than 10 seconds. Please check your CloudWatch logs for more details if your Notebook "
                + "Instance has Internet access.";
    }

    static long processesWith(String marker) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(marker)).count();
    }

    @Test
    void anOverrunningScriptFailsTheInstanceAndLeavesNothingRunning() throws Exception {
        sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("slow")
                .onStart(h -> h.content(b64("setsid nohup sleep 321 >/dev/null 2>&1 &\nsleep 30\n"))));
        sm.createNotebookInstance(r -> r.notebookInstanceName("slow-nb").instanceType("ml.t3.medium")
                .roleArn(NotebookApiIT.ROLE).lifecycleConfigName("slow"));
        DescribeNotebookInstanceResponse d = awaitStatus("slow-nb", "Failed");
        assertThat(d.failureReason()).isEqualTo(timeoutReason("slow", "slow-nb"));
        assertThat(processesWith("sleep 321")).isZero(); // even the setsid escapee: the cgroup was killed
        assertThat(fixture.dataDir.resolve("notebooks/000000000000/us-east-1/slow-nb/logs/LifecycleConfigOnStart.log")).content()
                .contains("exit code 124");
        // The log is readable through the proxy with a session, Failed or not (AWS users read CloudWatch).
        JupyterBrowser b = new JupyterBrowser(fixture.endpoint, "slow-nb");
        assertThat(b.get("sagebrush-logs/LifecycleConfigOnStart").statusCode()).isEqualTo(403);
        b.open(sm.createPresignedNotebookInstanceUrl(r -> r.notebookInstanceName("slow-nb")).authorizedUrl());
        assertThat(b.get("sagebrush-logs/LifecycleConfigOnStart").body()).contains("exit code 124");
        assertThat(b.get("sagebrush-logs/Nope").statusCode()).isEqualTo(404);

        // Fixed config, started again from Failed; its background job lives until Stop.
        sm.updateNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("slow")
                .onStart(h -> h.content(b64("nohup sleep 4321 >/dev/null 2>&1 &\necho fixed\n"))));
        sm.startNotebookInstance(r -> r.notebookInstanceName("slow-nb"));
        d = waiter.waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("slow-nb")).matched().response().orElseThrow();
        assertThat(d.failureReason()).isNull();
        assertThat(processesWith("sleep 4321")).isEqualTo(1);
        sm.stopNotebookInstance(r -> r.notebookInstanceName("slow-nb"));
        waiter.waitUntilNotebookInstanceStopped(r -> r.notebookInstanceName("slow-nb"));
        assertThat(processesWith("sleep 4321")).isZero();
        sm.deleteNotebookInstance(r -> r.notebookInstanceName("slow-nb"));
        waiter.waitUntilNotebookInstanceDeleted(r -> r.notebookInstanceName("slow-nb"));
    }

    @Test
    void aScriptThatExitsNonZeroFailsTheInstanceWithAwsWording() throws Exception {
        sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("broken")
                .onCreate(h -> h.content(b64("echo about to fail\nexit 3\n"))));
        sm.createNotebookInstance(r -> r.notebookInstanceName("broken-nb").instanceType("ml.t3.medium")
                .roleArn(NotebookApiIT.ROLE).lifecycleConfigName("broken"));
        DescribeNotebookInstanceResponse d = awaitStatus("broken-nb", "Failed");
        assertThat(d.failureReason()).isEqualTo(timeoutReason("broken", "broken-nb"));
        assertThat(fixture.dataDir.resolve("notebooks/000000000000/us-east-1/broken-nb/logs/LifecycleConfigOnCreate.log")).content()
                .contains("about to fail").contains("exit code 3");
        // OnCreate ran once, at creation: starting again does not run it again, so the instance comes up.
        sm.startNotebookInstance(r -> r.notebookInstanceName("broken-nb"));
        waiter.waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("broken-nb"));
        sm.stopNotebookInstance(r -> r.notebookInstanceName("broken-nb"));
        waiter.waitUntilNotebookInstanceStopped(r -> r.notebookInstanceName("broken-nb"));
        sm.deleteNotebookInstance(r -> r.notebookInstanceName("broken-nb"));
        waiter.waitUntilNotebookInstanceDeleted(r -> r.notebookInstanceName("broken-nb"));
    }

    @Test
    void aJupyterThatDiesMakesTheInstanceFailed() throws Exception {
        sm.createNotebookInstance(r -> r.notebookInstanceName("crashy").instanceType("ml.t3.medium")
                .roleArn(NotebookApiIT.ROLE));
        waiter.waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("crashy"));
        Optional<ProcessHandle> jupyter = NotebookHost.jupyterServer("crashy");
        assertThat(jupyter).isPresent();
        jupyter.get().destroyForcibly();
        DescribeNotebookInstanceResponse d = awaitStatus("crashy", "Failed");
        assertThat(d.failureReason()).startsWith("The Jupyter server of the notebook instance exited unexpectedly with code 137.");
        JupyterBrowser b = new JupyterBrowser(fixture.endpoint, "crashy");
        b.open(sm.createPresignedNotebookInstanceUrl(r -> r.notebookInstanceName("crashy")).authorizedUrl());
        assertThat(b.get("tree").statusCode()).isEqualTo(503);

        sm.startNotebookInstance(r -> r.notebookInstanceName("crashy"));
        waiter.waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("crashy"));
        assertThat(b.get("tree").statusCode()).isEqualTo(200);
        sm.stopNotebookInstance(r -> r.notebookInstanceName("crashy"));
        waiter.waitUntilNotebookInstanceStopped(r -> r.notebookInstanceName("crashy"));
        sm.deleteNotebookInstance(r -> r.notebookInstanceName("crashy"));
        waiter.waitUntilNotebookInstanceDeleted(r -> r.notebookInstanceName("crashy"));
        assertThat(NotebookHost.jupyterProcessesFor("crashy")).isZero();
    }
}
