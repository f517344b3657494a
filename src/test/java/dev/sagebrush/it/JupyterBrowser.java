package dev.sagebrush.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a browser does with a presigned notebook URL, without a browser: opens it, keeps the session cookie (for the
 * instance's own origin only, as a browser keeps a host-only cookie), and talks to Jupyter through the proxy (REST and
 * the kernel WebSocket, Notebook 6's JSON-over-text-frames protocol).
 *
 * <p>Each instance has its own origin, {@code http://<name>.<account>.<region>.notebook.localhost:<port>}. Browsers
 * resolve {@code *.localhost} to loopback; the JDK does not, so this client connects to the server's own address and
 * sends the instance's host name in the Host header, which is what the browser's request looks like on the wire
 * (needs {@code -Djdk.httpclient.allowRestrictedHeaders=host}, set for the tests in the pom).
 */
final class JupyterBrowser {
    static {
        // For runs outside Maven (an IDE); effective only if no HttpClient was used in this JVM yet.
        if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        }
    }

    final URI endpoint;
    final String name;
    /** e.g. {@code http://px-a.000000000000.us-east-1.notebook.localhost:43125} */
    final URI origin;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    String cookie; // "sagebrush-notebook-session=..."

    /** An instance of the default test account in us-east-1. */
    JupyterBrowser(URI endpoint, String name) {
        this(endpoint, name, URI.create("http://" + name.toLowerCase(java.util.Locale.ROOT)
                + ".000000000000.us-east-1.notebook.localhost:" + endpoint.getPort()));
    }

    JupyterBrowser(URI endpoint, String name, URI origin) {
        this.endpoint = endpoint;
        this.name = name;
        this.origin = origin;
    }

    String base() {
        return "/";
    }

    String host() {
        return origin.getHost() + ":" + origin.getPort();
    }

    /** The request as the browser sends it to {@code url}'s host, delivered to this server's address. */
    HttpRequest.Builder to(URI url) {
        URI wire = URI.create(endpoint.getScheme() + "://" + endpoint.getHost() + ":" + endpoint.getPort()
                + url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
        return HttpRequest.newBuilder(wire).header("Host", url.getHost() + ":" + url.getPort());
    }

    /** Opens the presigned URL; returns the response (302 with a Set-Cookie when it works). */
    HttpResponse<String> open(String presignedUrl) throws Exception {
        HttpResponse<String> r = http.send(to(URI.create(presignedUrl)).GET().build(), HttpResponse.BodyHandlers.ofString());
        // A browser keeps the cookie for the host that set it: only when that host is this browser's origin.
        if (URI.create(presignedUrl).getHost().equals(origin.getHost())) {
            r.headers().firstValue("Set-Cookie").ifPresent(c -> cookie = c.substring(0, c.indexOf(';')));
        }
        return r;
    }

    HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null, null);
    }

    HttpResponse<String> send(String method, String path, String json, String origin) throws Exception {
        HttpRequest.Builder b = to(this.origin.resolve(base() + path)).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) b.header("Content-Type", "application/json");
        if (cookie != null) b.header("Cookie", cookie);
        if (origin != null) b.header("Origin", origin);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Creates a notebook and a kernel session for it; returns the kernel id. */
    String startKernel(String notebookPath) throws Exception {
        HttpResponse<String> nb = send("PUT", "api/contents/" + notebookPath,
                "{\"type\":\"notebook\",\"content\":" + notebookJson(List.of()) + "}", null);
        if (nb.statusCode() / 100 != 2) throw new AssertionError("create notebook: " + nb.statusCode() + " " + nb.body());
        HttpResponse<String> s = send("POST", "api/sessions", "{\"path\":\"" + notebookPath
                + "\",\"type\":\"notebook\",\"name\":\"\",\"kernel\":{\"name\":\"python3\"}}", null);
        if (s.statusCode() != 201) throw new AssertionError("create session: " + s.statusCode() + " " + s.body());
        Matcher m = Pattern.compile("\"kernel\": ?\\{\"id\": ?\"([^\"]+)\"").matcher(s.body());
        if (!m.find()) throw new AssertionError("no kernel id in " + s.body());
        return m.group(1);
    }

    static String notebookJson(List<String> cells) {
        StringBuilder c = new StringBuilder();
        for (String src : cells) {
            if (c.length() > 0) c.append(',');
            c.append("{\"cell_type\":\"code\",\"execution_count\":null,\"metadata\":{},\"outputs\":[],\"source\":")
                    .append(quote(src)).append('}');
        }
        return "{\"cells\":[" + c + "],\"metadata\":{},\"nbformat\":4,\"nbformat_minor\":5}";
    }

    /** Opens the kernel's channels WebSocket; fails with the HTTP status when the proxy refuses the upgrade. */
    Kernel connect(String kernelId, String origin) throws Exception {
        Kernel k = new Kernel();
        k.socket = webSocket(base() + "api/kernels/" + kernelId + "/channels?session_id=" + UUID.randomUUID(), origin, k);
        return k;
    }

    /** A WebSocket to {@code pathAndQuery} of this instance's origin, with the session cookie. */
    WebSocket webSocket(String pathAndQuery, String origin, WebSocket.Listener listener) throws Exception {
        String ws = endpoint.toString().replaceFirst("^http", "ws") + pathAndQuery;
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).header("Host", host());
        if (cookie != null) b.header("Cookie", cookie);
        if (origin != null) b.header("Origin", origin);
        return b.buildAsync(URI.create(ws), listener).get(20, TimeUnit.SECONDS);
    }

    static final class Kernel implements WebSocket.Listener {
        WebSocket socket;
        final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return CompletableFuture.completedFuture(null);
        }

        /** Runs code; returns the text/plain execute_result, or the stream output, or "ERROR:<ename>". */
        String execute(String code) throws Exception {
            String msgId = UUID.randomUUID().toString();
            String msg = "{\"header\":{\"msg_id\":\"" + msgId + "\",\"username\":\"test\",\"session\":\""
                    + UUID.randomUUID() + "\",\"msg_type\":\"execute_request\",\"version\":\"5.3\"},"
                    + "\"parent_header\":{},\"metadata\":{},\"channel\":\"shell\",\"content\":{\"code\":" + quote(code)
                    + ",\"silent\":false,\"store_history\":true,\"user_expressions\":{},\"allow_stdin\":false,"
                    + "\"stop_on_error\":true},\"buffers\":[]}";
            socket.sendText(msg, true).get(10, TimeUnit.SECONDS);
            // Outputs come on iopub, the reply on shell, in no guaranteed order; iopub's "idle" for this request
            // comes after all of its outputs. Both are awaited: an error is also in the shell reply (ename), which
            // once (a full suite, load ~3) was the only place it was seen.
            List<String> out = new ArrayList<>();
            String result = null;
            boolean idle = false;
            boolean replied = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String m = messages.poll(1, TimeUnit.SECONDS);
                if (m == null || !m.contains("\"msg_id\": \"" + msgId + "\"") && !m.contains("\"msg_id\":\"" + msgId + "\"")) {
                    continue;
                }
                Matcher r = Pattern.compile("\"text/plain\": ?\"((?:[^\"\\\\]++|\\\\.)*+)\"").matcher(m);
                if (m.contains("\"msg_type\": \"execute_result\"") && r.find()) result = r.group(1);
                Matcher stream = Pattern.compile("\"text\": ?\"((?:[^\"\\\\]++|\\\\.)*+)\"").matcher(m);
                if (m.contains("\"msg_type\": \"stream\"") && stream.find()) out.add(stream.group(1));
                Matcher err = Pattern.compile("\"ename\": ?\"([^\"]+)\"").matcher(m);
                if (m.contains("\"msg_type\": \"error\"") && err.find()) result = "ERROR:" + err.group(1);
                if (m.contains("\"msg_type\": \"execute_reply\"")) {
                    replied = true;
                    if (result == null && m.contains("\"status\": \"error\"") && err.find(0)) result = "ERROR:" + err.group(1);
                }
                if (m.contains("\"msg_type\": \"status\"") && m.contains("\"execution_state\": \"idle\"")) idle = true;
                if (idle && replied) {
                    return result != null ? result : String.join("", out).replace("\\n", "\n").strip();
                }
            }
            throw new AssertionError("no reply to " + code);
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
