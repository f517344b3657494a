package dev.sagebrush.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sends a {@link Spec} and classifies the answer: status code and AWS error type (JSON __type or S3 XML Code). */
final class Sender {
    /** What came back: HTTP status (0: no answer, the connection was closed), and the error's type if any. */
    record Outcome(int status, String errorType) {
        String label() {
            return status == 0 ? "closed" : status + (errorType == null ? "" : " " + errorType);
        }
    }

    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding");
    private static final Pattern JSON_TYPE = Pattern.compile("\"__type\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern XML_CODE = Pattern.compile("<Code>([^<]*)</Code>");

    private final URI endpoint;
    private final HttpClient http;

    Sender(URI endpoint) {
        this.endpoint = endpoint;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    Outcome send(Spec s) throws IOException, InterruptedException {
        return s.raw() ? sendRaw(s) : sendHttp(s);
    }

    private Outcome sendHttp(Spec s) throws IOException, InterruptedException {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(endpoint + s.pathAndQuery())).timeout(Duration.ofSeconds(30))
                    .method(s.method(), s.body().length == 0 && !s.method().equals("POST") && !s.method().equals("PUT")
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(s.body()));
            for (String[] h : s.headers()) {
                if (!RESTRICTED.contains(h[0].toLowerCase(java.util.Locale.ROOT))) b.header(h[0], h[1]);
            }
        } catch (IllegalArgumentException clientRefuses) {
            return sendRaw(s.asRaw()); // a header the client library will not send: send it ourselves
        }
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Outcome(r.statusCode(), errorType(r.body()));
        } catch (IOException closed) {
            return new Outcome(0, null);
        }
    }

    private Outcome sendRaw(Spec s) throws IOException {
        try (Socket socket = new Socket(endpoint.getHost(), endpoint.getPort())) {
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder(s.method()).append(' ').append(s.pathAndQuery())
                    .append(" HTTP/1.1\r\nHost: ").append(endpoint.getAuthority()).append("\r\nConnection: close\r\n");
            boolean framed = false;
            for (String[] h : s.headers()) {
                String n = h[0].toLowerCase(java.util.Locale.ROOT);
                if (n.equals("host") || n.equals("connection")) continue;
                framed |= n.equals("content-length") || n.equals("transfer-encoding");
                head.append(h[0]).append(": ").append(h[1].replace("\r", "").replace("\n", "")).append("\r\n");
            }
            if (!framed) head.append("Content-Length: ").append(s.body().length).append("\r\n");
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(s.body());
            out.flush();
            socket.shutdownOutput(); // a short body ends here: the server must not wait for the rest forever
            byte[] answer = readAll(socket.getInputStream());
            String text = new String(answer, StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.1 ")) return new Outcome(0, null);
            int status = Integer.parseInt(text.substring(9, 12));
            return new Outcome(status, errorType(answer));
        } catch (java.net.SocketTimeoutException e) {
            return new Outcome(-1, "timeout");
        } catch (IOException e) {
            return new Outcome(0, null);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0 && b.size() < 1 << 20) b.write(buf, 0, n);
        return b.toByteArray();
    }

    static String errorType(byte[] body) {
        if (body == null || body.length == 0) return null;
        String text = new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8);
        Matcher m = JSON_TYPE.matcher(text);
        if (m.find()) return m.group(1);
        m = XML_CODE.matcher(text);
        return m.find() ? m.group(1) : null;
    }
}
