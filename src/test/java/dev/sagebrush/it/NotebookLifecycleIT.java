package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.notebook.NotebookSettings;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import dev.sagebrush.testsupport.Prerequisites;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceResponse;
import software.amazon.awssdk.services.sagemaker.model.NotebookInstanceStatus;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;
import software.amazon.awssdk.services.sagemaker.waiters.SageMakerWaiter;

/**
 * The whole life of a notebook instance with a real Jupyter, through the AWS SDK and the proxy, as the issue's
 * acceptance list has it: create → in service → presigned URL → a kernel computes 1+1 over the proxied WebSocket →
 * stop → update (type, volume, lifecycle config) → start → the notebook is still there → stop → delete.
 */
class NotebookLifecycleIT {
    static ServerFixture fixture;
    static SageMakerClient sm;
    static SageMakerWaiter waiter;

    @BeforeAll
    static void start() {
        Prerequisites.require(NotebookHost.jupyterInstalled(), "jupyter-notebook and python3-ipykernel are not installed");
        fixture = ServerFixture.start(c -> c.withNotebooks(NotebookSettings.defaults()));
        sm = fixture.sagemaker();
        waiter = NotebookHost.fastWaiter(sm);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) fixture.close();
    }

    static String b64(String script) {
        return Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void createUseStopUpdateStartDelete() throws Exception {
        String name = "life-1";
        sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("lcc-a")
                .onCreate(h -> h.content(b64("echo created >> \"$SM_VOLUME/on-create.txt\"\nid -u > \"$SM_VOLUME/lcc-uid.txt\"\n")))
                .onStart(h -> h.content(b64("echo start-a >> \"$SM_VOLUME/on-start.txt\"\n"))));
        sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("lcc-b")
                .onStart(h -> h.content(b64("echo start-b >> \"$SM_VOLUME/on-start.txt\"\n"))));
        String arn = sm.createNotebookInstance(r -> r.notebookInstanceName(name).instanceType("ml.t3.medium")
                .roleArn("arn:aws:iam::000000000000:role/NotebookRole").rootAccess("Disabled")
                .lifecycleConfigName("lcc-a")).notebookInstanceArn();
        assertThat(arn).isEqualTo("arn:aws:sagemaker:us-east-1:000000000000:notebook-instance/life-1");

        DescribeNotebookInstanceResponse d = waiter.waitUntilNotebookInstanceInService(r -> r.notebookInstanceName(name))
                .matched().response().orElseThrow();
        assertThat(d.notebookInstanceStatus()).isEqualTo(NotebookInstanceStatus.IN_SERVICE);
        assertThat(d.url()).isEqualTo("life-1.000000000000.us-east-1.notebook.localhost:" + fixture.endpoint.getPort());
        assertThat(d.volumeSizeInGB()).isEqualTo(5);

        // Refused transitions while InService, in AWS's words.
        assertRefused(() -> sm.startNotebookInstance(r -> r.notebookInstanceName(name)),
                "Status (InService) not in ([Stopped, Failed]). Unable to transition to (Pending) for Notebook Instance (" + arn + ")");
        assertRefused(() -> sm.deleteNotebookInstance(r -> r.notebookInstanceName(name)),
                "Status (InService) not in ([Stopped, Failed]). Unable to transition to (Deleting) for Notebook Instance (" + arn + ")");
        assertRefused(() -> sm.updateNotebookInstance(r -> r.notebookInstanceName(name).instanceType("ml.t3.large")),
                "Status (InService) not in ([Stopped]). Unable to transition to (Updating) for Notebook Instance (" + arn + ")");

        JupyterBrowser browser = new JupyterBrowser(fixture.endpoint, name);
        String url = sm.createPresignedNotebookInstanceUrl(r -> r.notebookInstanceName(name)
                .sessionExpirationDurationInSeconds(1800)).authorizedUrl();
        HttpResponse<String> opened = browser.open(url);
        assertThat(opened.statusCode()).isEqualTo(302);
        assertThat(opened.headers().firstValue("Location")).hasValue("/");
        // Host-only (no Domain attribute): the browser sends it to this instance's origin and nowhere else.
        assertThat(opened.headers().firstValue("Set-Cookie").orElseThrow()).contains("HttpOnly").contains("Path=/")
                .doesNotContainIgnoringCase("domain=");
        assertThat(browser.get("tree").statusCode()).isEqualTo(200);

        String kernelId = browser.startKernel("work.ipynb");
        JupyterBrowser.Kernel kernel = browser.connect(kernelId, browser.origin.toString());
        assertThat(kernel.execute("1+1")).isEqualTo("2");
        // RootAccess=Disabled: the kernel runs as an unprivileged user and cannot become root.
        assertThat(Integer.parseInt(kernel.execute("import os; os.getuid()"))).isNotZero();
        assertThat(kernel.execute("os.setuid(0)")).isEqualTo("ERROR:PermissionError");
        assertThat(kernel.execute("import subprocess; subprocess.run(['su', '-c', 'id'], capture_output=True, stdin=subprocess.DEVNULL).returncode"))
                .isNotEqualTo("0");
        assertThat(kernel.execute("open('/proc/self/status').read().split('NoNewPrivs:')[1].split()[0]")).isEqualTo("'1'");
        // Lifecycle OnCreate ran as root, before Jupyter; OnStart ran once.
        assertThat(kernel.execute("open('on-create.txt').read()")).isEqualTo("'created\\\\n'");
        assertThat(kernel.execute("open('lcc-uid.txt').read().strip()")).isEqualTo("'0'");
        assertThat(kernel.execute("open('on-start.txt').read()")).isEqualTo("'start-a\\\\n'");
        assertThat(kernel.execute("import shutil; round(shutil.disk_usage('.').total / 2**30)")).isEqualTo("5");
        // VolumeSizeInGB is a hard limit: reserving 6 GiB on the 5 GB volume fails with ENOSPC (nothing is written).
        assertThat(kernel.execute("f = os.open('big.bin', os.O_CREAT | os.O_WRONLY)\ntry:\n    os.posix_fallocate(f, 0, 6 * 2**30); r = 'fits'\n"
                + "except OSError as e:\n    r = e.errno\nfinally:\n    os.close(f); os.remove('big.bin')\nr")).isEqualTo("28");
        kernel.close();
        HttpResponse<String> saved = browser.send("PUT", "api/contents/work.ipynb", "{\"type\":\"notebook\",\"content\":"
                + JupyterBrowser.notebookJson(java.util.List.of("1+1")) + "}", null);
        assertThat(saved.statusCode()).isEqualTo(200);

        sm.stopNotebookInstance(r -> r.notebookInstanceName(name));
        waiter.waitUntilNotebookInstanceStopped(r -> r.notebookInstanceName(name));
        assertRefused(() -> sm.stopNotebookInstance(r -> r.notebookInstanceName(name)),
                "Status (Stopped) not in ([InService]). Unable to transition to (Stopping) for Notebook Instance (" + arn + ")");
        assertThat(browser.get("tree").statusCode()).isEqualTo(503);

        sm.updateNotebookInstance(r -> r.notebookInstanceName(name).instanceType("ml.t3.large").volumeSizeInGB(6)
                .lifecycleConfigName("lcc-b"));
        waiter.waitUntilNotebookInstanceStopped(r -> r.notebookInstanceName(name));
        d = sm.describeNotebookInstance(r -> r.notebookInstanceName(name));
        assertThat(d.instanceTypeAsString()).isEqualTo("ml.t3.large");
        assertThat(d.volumeSizeInGB()).isEqualTo(6);
        assertThat(d.notebookInstanceLifecycleConfigName()).isEqualTo("lcc-b");

        sm.startNotebookInstance(r -> r.notebookInstanceName(name));
        assertThat(sm.describeNotebookInstance(r -> r.notebookInstanceName(name)).notebookInstanceStatusAsString())
                .isIn("Pending", "InService");
        waiter.waitUntilNotebookInstanceInService(r -> r.notebookInstanceName(name));

        // The session survives a stop/start (same instance); the notebook is still on the volume.
        HttpResponse<String> file = browser.get("api/contents/work.ipynb");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.body()).contains("1+1");
        kernel = browser.connect(browser.startKernel("second.ipynb"), null);
        assertThat(kernel.execute("open('on-start.txt').read()")).isEqualTo("'start-a\\\\nstart-b\\\\n'");
        assertThat(kernel.execute("open('on-create.txt').read()")).isEqualTo("'created\\\\n'"); // OnCreate ran once
        assertThat(kernel.execute("round(__import__('shutil').disk_usage('.').total / 2**30)")).isEqualTo("6");
        kernel.close();

        sm.stopNotebookInstance(r -> r.notebookInstanceName(name));
        waiter.waitUntilNotebookInstanceStopped(r -> r.notebookInstanceName(name));
        sm.deleteNotebookInstance(r -> r.notebookInstanceName(name));
        waiter.waitUntilNotebookInstanceDeleted(r -> r.notebookInstanceName(name));
        assertRefused(() -> sm.describeNotebookInstance(r -> r.notebookInstanceName(name)),
                "Notebook Instance " + arn + " does not exist");
        assertThat(fixture.dataDir.resolve("notebooks").resolve(name)).doesNotExist();
        assertThat(NotebookHost.jupyterProcessesFor(name)).isZero();
    }

    static void assertRefused(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(SageMakerException.class, e -> {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(message);
        });
    }
}
