package dev.sagebrush.it;

import static dev.sagebrush.it.NotebookLifecycleIT.b64;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.Sagebrush;
import dev.sagebrush.config.Config;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import dev.sagebrush.testsupport.Prerequisites;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.waiters.SageMakerWaiter;

/**
 * Instances survive the server: after a clean stop (which stops every Jupyter) and after kill -9 (which leaves them
 * orphaned), the next server brings InService instances back, OnStart included, finishes the ones that were Pending,
 * and keeps honouring sessions it issued before.
 */
class NotebookRestartIT {
    Path dir;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        Prerequisites.require(NotebookHost.jupyterInstalled(), "jupyter-notebook and python3-ipykernel are not installed");
        dir = Files.createTempDirectory("sagebrush-restart");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
        if (dir != null) new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }

    Sagebrush server() throws Exception {
        Sagebrush s = Sagebrush.start(Config.defaults(dir).withPort(0));
        open.add(s);
        return s;
    }

    SageMakerClient client(String endpoint) {
        SageMakerClient c = SageMakerClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(Apache5HttpClient.builder()).build();
        open.add(c);
        return c;
    }

    @Test
    void aCleanRestartBringsInstancesBackAndKeepsSessions() throws Exception {
        Sagebrush first = server();
        SageMakerClient sm = client(first.endpoint());
        sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("count-starts")
                .onStart(h -> h.content(b64("echo start >> \"$SM_VOLUME/starts.txt\"\n"))));
        sm.createNotebookInstance(r -> r.notebookInstanceName("survivor").instanceType("ml.t3.medium")
                .roleArn(NotebookApiIT.ROLE).lifecycleConfigName("count-starts"));
        NotebookHost.fastWaiter(sm).waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("survivor"));
        JupyterBrowser b = new JupyterBrowser(URI.create(first.endpoint()), "survivor");
        b.open(sm.createPresignedNotebookInstanceUrl(r -> r.notebookInstanceName("survivor")).authorizedUrl());
        assertThat(b.get("tree").statusCode()).isEqualTo(200);
        // Created just before the server stops: still Pending (or starting) when it goes.
        sm.createNotebookInstance(r -> r.notebookInstanceName("latecomer").instanceType("ml.t3.medium")
                .roleArn(NotebookApiIT.ROLE));
        first.close();
        assertThat(NotebookHost.jupyterProcessesFor("survivor") + NotebookHost.jupyterProcessesFor("latecomer")).isZero();

        Sagebrush second = server();
        SageMakerClient sm2 = client(second.endpoint());
        SageMakerWaiter waiter = NotebookHost.fastWaiter(sm2);
        waiter.waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("survivor"));
        waiter.waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("latecomer"));
        assertThat(dir.resolve("notebooks/000000000000/us-east-1/survivor/SageMaker/starts.txt")).hasContent("start\nstart");
        JupyterBrowser again = new JupyterBrowser(URI.create(second.endpoint()), "survivor");
        again.cookie = b.cookie; // the session from before the restart
        assertThat(again.get("tree").statusCode()).isEqualTo(200);
        deleteAll(sm2, "survivor", "latecomer");
    }

    static void deleteAll(SageMakerClient sm, String... names) {
        SageMakerWaiter waiter = NotebookHost.fastWaiter(sm);
        for (String name : names) {
            sm.stopNotebookInstance(r -> r.notebookInstanceName(name));
            waiter.waitUntilNotebookInstanceStopped(r -> r.notebookInstanceName(name));
            sm.deleteNotebookInstance(r -> r.notebookInstanceName(name));
            waiter.waitUntilNotebookInstanceDeleted(r -> r.notebookInstanceName(name));
        }
    }

    @Test
    void afterKillNineTheOrphanedJupyterIsReplaced() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.sagebrush.cli.Main", "server",
                "--port", Integer.toString(port), "--data-dir", dir.toString(), "--compile-workers", "0")
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.contains("Sagebrush is ready")) { /* start-up log */ }
            assertThat(line).as("server start-up").isNotNull();
            Thread drain = new Thread(() -> { try { while (out.readLine() != null) { } } catch (Exception ignored) { } });
            drain.setDaemon(true);
            drain.start();
            SageMakerClient sm = client("http://127.0.0.1:" + port);
            sm.createNotebookInstance(r -> r.notebookInstanceName("orphan").instanceType("ml.t3.medium")
                    .roleArn(NotebookApiIT.ROLE).rootAccess("Disabled"));
            NotebookHost.fastWaiter(sm).waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("orphan"));
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, Jupyter is left running
            child.waitFor(10, TimeUnit.SECONDS);
        }
        Optional<ProcessHandle> orphan = NotebookHost.jupyterServer("orphan");
        assertThat(orphan).as("Jupyter outlives a killed server").isPresent();

        Sagebrush second = server();
        SageMakerClient sm2 = client(second.endpoint());
        NotebookHost.fastWaiter(sm2).waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("orphan"));
        assertThat(orphan.get().isAlive()).isFalse();
        assertThat(NotebookHost.jupyterProcessesFor("orphan")).isEqualTo(1);
        JupyterBrowser b = new JupyterBrowser(URI.create(second.endpoint()), "orphan");
        b.open(sm2.createPresignedNotebookInstanceUrl(r -> r.notebookInstanceName("orphan")).authorizedUrl());
        assertThat(b.get("api/contents").statusCode()).isEqualTo(200);
        deleteAll(sm2, "orphan");
    }
}
