package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;

/**
 * The console's sign-in and API endpoint as an attacker sees them, over plain HTTP: every cross-site route in is shut
 * (SameSite=Strict HttpOnly cookie, Origin and Sec-Fetch-Site checks, the CSRF header, a non-form content type, no
 * CORS at all), an account's session sees only its own resources, and the pages carry no inline script.
 */
class ConsoleSecurityIT {
    @TempDir static Path tmp;
    static ServerFixture fixture;
    static String origin;
    static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws IOException {
        Path credentials = tmp.resolve("credentials");
        Files.writeString(credentials, "AKIDSECA secret-a 111111111111\nAKIDSECB secret-b 222222222222\n");
        fixture = ServerFixture.start(c -> c.withCredentialsFile(credentials).withCompileWorkers(0));
        origin = fixture.endpoint.toString().replaceAll("/$", "");
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    record Session(String cookie, String csrf) {}

    static HttpResponse<String> signInRaw(String body, String originHeader, String type) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(fixture.endpoint.resolve("/console/session"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (originHeader != null) b.header("Origin", originHeader);
        if (type != null) b.header("Content-Type", type);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Session signIn(String key, String secret) throws Exception {
        HttpResponse<String> r = signInRaw("{\"accessKeyId\":\"" + key + "\",\"secretAccessKey\":\"" + secret
                + "\",\"region\":\"us-east-1\"}", origin, "application/json");
        assertThat(r.statusCode()).isEqualTo(200);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        Matcher m = Pattern.compile("\"csrfToken\":\"([^\"]+)\"").matcher(r.body());
        assertThat(m.find()).isTrue();
        return new Session(setCookie.substring(0, setCookie.indexOf(';')), m.group(1));
    }

    static HttpResponse<String> api(Session s, String op, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(fixture.endpoint.resolve("/console/api"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("X-Amz-Target", "SageMaker." + op);
        Map<String, String> h = new java.util.HashMap<>(Map.of("Origin", origin,
                "Content-Type", "application/x-amz-json-1.1"));
        if (s != null) {
            h.put("Cookie", s.cookie());
            h.put("X-Sagebrush-Csrf", s.csrf());
        }
        h.putAll(headers);
        h.forEach((k, v) -> {
            if (v != null) b.header(k, v);
        });
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> without(String header) {
        Map<String, String> m = new java.util.HashMap<>();
        m.put(header, null);
        return m;
    }

    @Test
    void signInIsACookieForTheConsoleOnlyAndOnlyFromItsOwnPage() throws Exception {
        String good = "{\"accessKeyId\":\"AKIDSECA\",\"secretAccessKey\":\"secret-a\",\"region\":\"us-east-1\"}";
        assertThat(signInRaw(good, null, "application/json").statusCode()).isEqualTo(403);
        assertThat(signInRaw(good, "http://evil.example", "application/json").statusCode()).isEqualTo(403);
        // An HTML form can post text/plain cross-site; sign-in takes JSON only.
        assertThat(signInRaw(good, origin, "text/plain").statusCode()).isEqualTo(415);
        HttpResponse<String> wrong = signInRaw(good.replace("secret-a", "secret-b"), origin, "application/json");
        HttpResponse<String> unknown = signInRaw(good.replace("AKIDSECA", "AKIDNOBODY"), origin, "application/json");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(unknown.body()).isEqualTo(wrong.body()); // which keys exist is not told

        HttpResponse<String> ok = signInRaw(good, origin, "application/json");
        assertThat(ok.statusCode()).isEqualTo(200);
        String cookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("sagebrush-console=").contains("HttpOnly").contains("SameSite=Strict")
                .contains("Path=/console/");
        assertThat(ok.body()).contains("111111111111").doesNotContain("secret-a").doesNotContain("AKIDSECA");
    }

    @Test
    void apiCallsNeedTheSessionTheCsrfTokenTheOriginAndTheJsonType() throws Exception {
        Session a = signIn("AKIDSECA", "secret-a");
        assertThat(api(a, "ListTrainingJobs", "{}", Map.of()).statusCode()).isEqualTo(200);

        HttpResponse<String> noSession = api(null, "ListTrainingJobs", "{}", Map.of());
        assertThat(noSession.statusCode()).isEqualTo(403);
        assertThat(noSession.body()).contains("ExpiredTokenException");
        assertThat(api(a, "ListTrainingJobs", "{}", without("X-Sagebrush-Csrf")).body()).contains("CSRF");
        assertThat(api(a, "ListTrainingJobs", "{}", Map.of("X-Sagebrush-Csrf", "x" + a.csrf())).statusCode()).isEqualTo(403);
        assertThat(api(a, "ListTrainingJobs", "{}", without("Origin")).statusCode()).isEqualTo(403);
        assertThat(api(a, "ListTrainingJobs", "{}", Map.of("Origin", "http://evil.example")).statusCode()).isEqualTo(403);
        assertThat(api(a, "ListTrainingJobs", "{}", Map.of("Origin", origin.replace("http:", "https:"))).statusCode())
                .isEqualTo(403);
        assertThat(api(a, "ListTrainingJobs", "{}", Map.of("Sec-Fetch-Site", "cross-site")).statusCode()).isEqualTo(403);
        assertThat(api(a, "ListTrainingJobs", "{}", Map.of("Sec-Fetch-Site", "same-site")).statusCode()).isEqualTo(403);
        assertThat(api(a, "ListTrainingJobs", "{}", Map.of("Content-Type", "text/plain")).statusCode()).isEqualTo(403);
        // A SigV4 client cannot be confused with the console either: without the session nothing runs.
        assertThat(api(null, "ListTrainingJobs", "{}", Map.of("Authorization", "AWS4-HMAC-SHA256 Credential=x"))
                .statusCode()).isEqualTo(403);
    }

    @Test
    void thereIsNoCorsAndNoInlineScript() throws Exception {
        HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(fixture.endpoint.resolve("/console/api"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "x-amz-target,x-sagebrush-csrf,content-type").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.headers().map().keySet()).noneMatch(k -> k.toLowerCase().startsWith("access-control-"));

        HttpResponse<String> page = http.send(HttpRequest.newBuilder(fixture.endpoint.resolve("/console/")).build(),
                HttpResponse.BodyHandlers.ofString());
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("default-src 'none'").contains("script-src 'self'").contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().map().keySet()).noneMatch(k -> k.toLowerCase().startsWith("access-control-"));
        // Every script is a file; no element carries an inline handler or style.
        assertThat(page.body()).containsPattern("<script type=\"module\" src=\"app.js\"></script>");
        assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>").matcher(page.body()).find()).isFalse();
        assertThat(Pattern.compile("\\son[a-z]+=|\\sstyle=").matcher(page.body()).find()).isFalse();
        // Paths never leave the asset directory.
        for (String path : List.of("/console/../pom.xml", "/console/%2e%2e/pom.xml", "/console/..%2fSagebrush.class",
                "/console/dev/sagebrush/Sagebrush.class")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(origin + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isIn(400, 404);
        }
    }

    @Test
    void aSessionSeesOnlyItsOwnAccountAndValidationIsTheApis() throws Exception {
        try (SageMakerClient b = fixture.sagemaker("AKIDSECB", "secret-b", Region.US_EAST_1)) {
            b.createTrainingJob(TrainingFixture.job("only-in-b", "ok").roleArn("arn:aws:iam::222222222222:role/R").build());
        }
        Session a = signIn("AKIDSECA", "secret-a");
        assertThat(api(a, "ListTrainingJobs", "{}", Map.of()).body()).doesNotContain("only-in-b");
        HttpResponse<String> d = api(a, "DescribeTrainingJob", "{\"TrainingJobName\":\"only-in-b\"}", Map.of());
        assertThat(d.statusCode()).isEqualTo(400);
        assertThat(d.body()).doesNotContain("222222222222");
        Session b = signIn("AKIDSECB", "secret-b");
        assertThat(api(b, "DescribeTrainingJob", "{\"TrainingJobName\":\"only-in-b\"}", Map.of()).body())
                .contains("arn:aws:sagemaker:us-east-1:222222222222:training-job/only-in-b");
        // The very same validation (and wording) as for an SDK call.
        HttpResponse<String> bad = api(a, "DescribeTrainingJob", "{\"TrainingJobName\":\"bad_name!\"}", Map.of());
        assertThat(bad.body()).contains("ValidationException").contains("Value 'bad_name!' at 'trainingJobName' failed "
                + "to satisfy constraint: Member must satisfy regular expression pattern");
        assertThat(api(a, "NoSuchOperation", "{}", Map.of()).statusCode()).isEqualTo(400);
    }

    @Test
    void signingOutEndsTheSessionForGood() throws Exception {
        Session a = signIn("AKIDSECA", "secret-a");
        HttpResponse<String> noCsrf = http.send(HttpRequest.newBuilder(fixture.endpoint.resolve("/console/session/sign-out"))
                .POST(HttpRequest.BodyPublishers.noBody()).header("Origin", origin).header("Cookie", a.cookie()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        HttpResponse<String> out = http.send(HttpRequest.newBuilder(fixture.endpoint.resolve("/console/session/sign-out"))
                .POST(HttpRequest.BodyPublishers.noBody()).header("Origin", origin).header("Cookie", a.cookie())
                .header("X-Sagebrush-Csrf", a.csrf()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(api(a, "ListTrainingJobs", "{}", Map.of()).body()).contains("ExpiredTokenException");
    }

    @Test
    void aDownloadIsAPresignedS3UrlForTheSessionsOwnJobOnly() throws Exception {
        Session a = signIn("AKIDSECA", "secret-a");
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(
                fixture.endpoint.resolve("/console/download?kind=training&name=only-in-b"))
                .header("Cookie", a.cookie()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(404);
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(
                fixture.endpoint.resolve("/console/download?kind=training&name=only-in-b")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(403);
        HttpResponse<String> crossSite = http.send(HttpRequest.newBuilder(
                fixture.endpoint.resolve("/console/download?kind=training&name=x")).header("Cookie", a.cookie())
                .header("Sec-Fetch-Site", "cross-site").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(crossSite.statusCode()).isEqualTo(403);
    }

    static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
