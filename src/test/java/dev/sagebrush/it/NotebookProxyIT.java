package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.notebook.NotebookSettings;
import dev.sagebrush.notebook.proxy.SessionSigner;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import dev.sagebrush.testsupport.Prerequisites;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceResponse;
import software.amazon.awssdk.services.sagemaker.waiters.SageMakerWaiter;

/**
 * Two running instances behind the proxy: who gets in (only a session for that very instance), what the proxy checks
 * that Jupyter does not (Origin), and the isolation options (RootAccess=Enabled, DirectInternetAccess=Disabled, code
 * repositories cloned from a file:// repository through a git insteadOf rule).
 */
class NotebookProxyIT {
    static ServerFixture fixture;
    static SageMakerClient sm;
    static SageMakerWaiter waiter;
    static Path repos;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require(NotebookHost.jupyterInstalled(), "jupyter-notebook and python3-ipykernel are not installed");
        Prerequisites.require(NotebookHost.root(), "isolation needs root");
        repos = Files.createTempDirectory("sagebrush-repos");
        run(repos, "git", "init", "-q", "-b", "main", "demo.git");
        Files.writeString(repos.resolve("demo.git/README.md"), "hello from demo\n");
        run(repos.resolve("demo.git"), "git", "-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".");
        run(repos.resolve("demo.git"), "git", "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "init");
        Path gitConfig = repos.resolve("gitconfig");
        Files.writeString(gitConfig, "[url \"file://" + repos + "/\"]\n\tinsteadOf = https://git.example.test/\n"
                + "[protocol \"file\"]\n\tallow = always\n");
        fixture = ServerFixture.start(c -> c.withNotebooks(NotebookSettings.defaults().withGitConfig(gitConfig)));
        sm = fixture.sagemaker();
        waiter = NotebookHost.fastWaiter(sm);
        sm.createNotebookInstance(r -> r.notebookInstanceName("px-a").instanceType("ml.t3.medium")
                .roleArn(NotebookApiIT.ROLE).rootAccess("Enabled")
                .defaultCodeRepository("https://git.example.test/demo.git"));
        sm.createNotebookInstance(r -> r.notebookInstanceName("px-b").instanceType("ml.t3.medium")
                .roleArn(NotebookApiIT.ROLE).rootAccess("Disabled").directInternetAccess("Disabled").subnetId("subnet-1")
                .additionalCodeRepositories("https://git.example.test/demo.git"));
        waiter.waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("px-a"));
        waiter.waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("px-b"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            for (String name : new String[] {"px-a", "px-b"}) {
                sm.stopNotebookInstance(r -> r.notebookInstanceName(name));
                waiter.waitUntilNotebookInstanceStopped(r -> r.notebookInstanceName(name));
                sm.deleteNotebookInstance(r -> r.notebookInstanceName(name));
                waiter.waitUntilNotebookInstanceDeleted(r -> r.notebookInstanceName(name));
            }
            fixture.close();
        }
        if (repos != null) run(repos.getParent(), "rm", "-rf", repos.toString());
        assertThat(NotebookHost.jupyterProcessesFor("px-a") + NotebookHost.jupyterProcessesFor("px-b")).isZero();
    }

    static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }

    static JupyterBrowser session(String name) throws Exception {
        JupyterBrowser b = new JupyterBrowser(fixture.endpoint, name);
        String url = sm.createPresignedNotebookInstanceUrl(r -> r.notebookInstanceName(name)).authorizedUrl();
        assertThat(b.open(url).statusCode()).isEqualTo(302);
        return b;
    }

    @Test
    void onlyASessionForThatInstanceGetsThrough() throws Exception {
        JupyterBrowser anonymous = new JupyterBrowser(fixture.endpoint, "px-a");
        assertThat(anonymous.get("tree").statusCode()).isEqualTo(403);
        assertThat(anonymous.get("api/contents").statusCode()).isEqualTo(403);

        String url = sm.createPresignedNotebookInstanceUrl(r -> r.notebookInstanceName("px-a")).authorizedUrl();
        JupyterBrowser tampered = new JupyterBrowser(fixture.endpoint, "px-a");
        String tamperedUrl = url.substring(0, url.length() - 3) + (url.endsWith("AAA") ? "BBB" : "AAA");
        assertThat(tampered.open(tamperedUrl).statusCode()).isEqualTo(403);
        assertThat(tampered.cookie).isNull();

        // A token signed with the server's own key, but expired: refused.
        SessionSigner signer = new SessionSigner(Files.readAllBytes(fixture.dataDir.resolve("secrets/notebook-session.key")));
        DescribeNotebookInstanceResponse a = sm.describeNotebookInstance(r -> r.notebookInstanceName("px-a"));
        SessionSigner.InstanceRef ref = new SessionSigner.InstanceRef("000000000000", "us-east-1", "px-a",
                a.creationTime().toEpochMilli());
        String expired = signer.presign(ref, Instant.now().minusSeconds(1), 1800);
        JupyterBrowser late = new JupyterBrowser(fixture.endpoint, "px-a");
        assertThat(late.open(late.origin + "/sagemaker-auth?authToken="
                + URLEncoder.encode(expired, StandardCharsets.UTF_8)).statusCode()).isEqualTo(403);
        // An expired session cookie, and a forged one.
        late.cookie = "sagebrush-notebook-session=" + signer.session(ref, Instant.now().minusSeconds(1));
        assertThat(late.get("tree").statusCode()).isEqualTo(403);
        late.cookie = "sagebrush-notebook-session=" + "eA.eA";
        assertThat(late.get("tree").statusCode()).isEqualTo(403);
        // A presigned token of px-a opened at px-b's origin.
        JupyterBrowser swapped = new JupyterBrowser(fixture.endpoint, "px-b");
        assertThat(url).startsWith("http://px-a.000000000000.us-east-1.notebook.localhost:" + fixture.endpoint.getPort() + "/");
        assertThat(swapped.open(url.replace("//px-a.", "//px-b.")).statusCode()).isEqualTo(403);

        JupyterBrowser a1 = session("px-a");
        assertThat(a1.get("tree").statusCode()).isEqualTo(200);
        // px-a's cookie on px-b: refused.
        JupyterBrowser cross = new JupyterBrowser(fixture.endpoint, "px-b");
        cross.cookie = a1.cookie;
        assertThat(cross.get("tree").statusCode()).isEqualTo(403);
        assertThat(cross.get("api/contents").statusCode()).isEqualTo(403);
        // A session for an instance of the same name in another account: refused.
        JupyterBrowser otherAccount = new JupyterBrowser(fixture.endpoint, "px-a");
        otherAccount.cookie = "sagebrush-notebook-session=" + signer.session(new SessionSigner.InstanceRef(
                "111111111111", "us-east-1", "px-a", ref.createdMillis()), Instant.now().plusSeconds(600));
        assertThat(otherAccount.get("tree").statusCode()).isEqualTo(403);
    }

    @Test
    void theProxyChecksOriginBecauseJupyterDoesNotForTokenCalls() throws Exception {
        JupyterBrowser b = session("px-a");
        String kernel = b.startKernel("origin.ipynb");
        assertThatThrownBy(() -> b.connect(kernel, "http://evil.example"))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(403));
        assertThat(b.send("POST", "api/contents", "{\"type\":\"notebook\"}", "http://evil.example").statusCode()).isEqualTo(403);
        // The server's API origin, another instance's origin, and this origin with another scheme are all foreign.
        assertThat(b.send("POST", "api/contents", "{\"type\":\"notebook\"}", fixture.endpoint.toString()).statusCode()).isEqualTo(403);
        assertThat(b.send("POST", "api/contents", "{\"type\":\"notebook\"}",
                b.origin.toString().replace("//px-a.", "//px-b.")).statusCode()).isEqualTo(403);
        assertThat(b.send("POST", "api/contents", "{\"type\":\"notebook\"}",
                b.origin.toString().replace("http:", "https:")).statusCode()).isEqualTo(403);
        assertThat(b.send("POST", "api/contents", "{\"type\":\"notebook\"}", b.origin.toString()).statusCode()).isEqualTo(201);
        JupyterBrowser.Kernel k = b.connect(kernel, b.origin.toString());
        assertThat(k.execute("6*7")).isEqualTo("42");
        k.close();
    }

    @Test
    void rootAccessEnabledAndTheDefaultRepositoryIsCloned() throws Exception {
        JupyterBrowser b = session("px-a");
        HttpResponse<String> landing = b.get("");
        assertThat(landing.headers().firstValue("Location").orElse("")).contains("/tree/demo");
        assertThat(b.get("api/contents/demo/README.md").body()).contains("hello from demo");
        JupyterBrowser.Kernel k = b.connect(b.startKernel("root.ipynb"), null);
        assertThat(k.execute("import os; os.getuid()")).isEqualTo("0");
        // Root inside the instance's user namespace only: its uid 0 is an unprivileged uid on the host.
        String hostUid = k.execute("open('/proc/self/uid_map').read().split()[1]");
        assertThat(Integer.parseInt(hostUid.replace("'", ""))).isNotZero();
        k.close();
    }

    @Test
    void terminalsRunAsTheUnprivilegedUserThroughTheProxy() throws Exception {
        JupyterBrowser b = session("px-b");
        HttpResponse<String> t = b.send("POST", "api/terminals", "{}", null);
        assertThat(t.statusCode()).isEqualTo(200);
        String term = t.body().replaceAll(".*\"name\": ?\"([^\"]+)\".*", "$1");
        java.util.concurrent.LinkedBlockingQueue<String> out = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket ws = b.webSocket("/terminals/websocket/" + term, null, new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                        out.add(data.toString());
                        w.request(1);
                        return null;
                    }
                });
        ws.sendText("[\"stdin\", \"echo UID=$(id -u) ROOT=$(sudo -n true 2>/dev/null && echo yes || echo no)\\r\"]", true);
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!seen.toString().matches("(?s).*UID=\\d+ ROOT=\\w+.*") && System.nanoTime() < deadline) {
            String m = out.poll(1, java.util.concurrent.TimeUnit.SECONDS);
            if (m != null) seen.append(m);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("UID=(\\d+) ROOT=(\\w+)").matcher(seen);
        assertThat(m.find()).as(seen.toString()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isNotZero();
        assertThat(m.group(2)).isEqualTo("no");
        ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "bye");
        assertThat(b.send("DELETE", "api/terminals/" + term, null, null).statusCode()).isEqualTo(204);
    }

    @Test
    void directInternetAccessDisabledCutsTheKernelOffTheNetwork() throws Exception {
        JupyterBrowser b = session("px-b");
        // An additional repository is cloned (on the host, before the namespace), but Jupyter does not open in it.
        assertThat(b.get("api/contents/demo/README.md").body()).contains("hello from demo");
        assertThat(b.get("").headers().firstValue("Location").orElse("")).matches("/tree\\??");
        JupyterBrowser.Kernel k = b.connect(b.startKernel("net.ipynb"), null);
        assertThat(k.execute("1+1")).isEqualTo("2");
        assertThat(b.send("POST", "api/shutdown", "{}", null).statusCode()).isEqualTo(403);
        assertThat(k.execute("import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=3); r = 'connected'\n"
                + "except OSError as e:\n    r = e.errno\nr")).isEqualTo("101"); // ENETUNREACH
        assertThat(k.execute("[n for _, n in socket.if_nameindex()]")).isEqualTo("['lo']");
        // Cut off from everything but this server's API, which boto3 still reaches with no configuration.
        assertThat(k.execute("import boto3\nprint(boto3.client('sagemaker').describe_notebook_instance("
                + "NotebookInstanceName='px-b')['NotebookInstanceStatus'])")).isEqualTo("InService");
        assertThat(Integer.parseInt(k.execute("__import__('os').getuid()"))).isNotZero();
        // Another instance's volume is not even in this instance's file system.
        String other = fixture.dataDir.resolve("notebooks/000000000000/us-east-1/px-a/SageMaker").toString();
        assertThat(k.execute("__import__('os').listdir('" + other + "')")).isEqualTo("ERROR:FileNotFoundError");
        k.close();
    }
}
