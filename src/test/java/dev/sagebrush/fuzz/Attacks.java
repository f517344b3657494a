package dev.sagebrush.fuzz;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws hostile requests: SageMaker bodies (signed, see {@link JsonMutations}), header and signature attacks, S3
 * requests (signed and not, public ACLs, odd keys, bad XML) and HTTP framing lies sent over a raw socket.
 */
final class Attacks {
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String JSON = "application/x-amz-json-1.1";

    private final URI endpoint;
    private final String key;
    private final String secret;

    Attacks(URI endpoint, String key, String secret) {
        this.endpoint = endpoint;
        this.key = key;
        this.secret = secret;
    }

    /** {@code -Dfuzz.only=s3} (json, headers, s3, framing) narrows a run to one family, to chase a finding. */
    private static final String ONLY = System.getProperty("fuzz.only", "");

    Spec next(SplittableRandom rnd) {
        switch (ONLY) {
            case "json": return sageMakerBody(rnd);
            case "headers": return headerAttack(rnd);
            case "s3": return s3(rnd);
            case "framing": return framing(rnd);
            default: break;
        }
        int r = rnd.nextInt(100);
        if (r < 55) return sageMakerBody(rnd);
        if (r < 75) return headerAttack(rnd);
        if (r < 97) return s3(rnd);
        return framing(rnd);
    }

    /** A correctly signed SageMaker call with a hostile body. */
    Spec sageMakerBody(SplittableRandom rnd) {
        JsonMutations.Base base = JsonMutations.BASES.get(rnd.nextInt(JsonMutations.BASES.size()));
        byte[] body = rnd.nextInt(8) == 0 ? base.body().getBytes(StandardCharsets.UTF_8) : JsonMutations.mutate(base, rnd);
        return signedSageMaker("json", "SageMaker." + base.operation(), body, "us-east-1", Instant.now());
    }

    private Spec signedSageMaker(String family, String target, byte[] body, String region, Instant at) {
        Spec s = Spec.of(family, "POST", "/", body).header("Content-Type", JSON).header("X-Amz-Target", target);
        return withSignature(s, "sagemaker", region, key, secret, at);
    }

    private Spec withSignature(Spec s, String service, String region, String k, String sec, Instant at) {
        Map<String, List<String>> signed = Signing.sign(endpoint, s.method(), s.pathAndQuery(), s.headers(), s.body(),
                service, region, k, sec, at);
        Spec out = new Spec(s.family(), s.method(), s.pathAndQuery(), new java.util.ArrayList<>(), s.body(), s.raw());
        signed.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) values.forEach(v -> out.header(name, v));
        });
        return out;
    }

    /** Signatures and headers: missing, garbled, wrong key, skewed, unsigned x-amz-*, odd targets and methods. */
    Spec headerAttack(SplittableRandom rnd) {
        byte[] body = "{\"CompilationJobName\":\"fuzz-job\"}".getBytes(StandardCharsets.UTF_8);
        String target = "SageMaker.DescribeCompilationJob";
        switch (rnd.nextInt(16)) {
            case 0:
                return Spec.of("headers", "POST", "/", body).header("Content-Type", JSON).header("X-Amz-Target", target);
            case 1:
                return Spec.of("headers", "POST", "/", body).header("X-Amz-Target", target)
                        .header("Authorization", garbage(rnd));
            case 2:
                return replaceAuthPart(signedSageMaker("headers", target, body, "us-east-1", Instant.now()),
                        "Signature=", hex(rnd, rnd.nextInt(0, 80)));
            case 3: {
                Spec s = Spec.of("headers", "POST", "/", body).header("Content-Type", JSON).header("X-Amz-Target", target);
                return withSignature(s, "sagemaker", "us-east-1", "UNKNOWNKEY" + rnd.nextInt(1000), "x", Instant.now());
            }
            case 4:
                return withSignature(Spec.of("headers", "POST", "/", body).header("X-Amz-Target", target),
                        "sagemaker", "us-east-1", key, "wrong-secret", Instant.now());
            case 5:
                return signedSageMaker("headers", target, body, "us-east-1",
                        Instant.now().plus(Duration.ofMinutes(rnd.nextBoolean() ? 20 : -20)));
            case 6:
                return signedSageMaker("headers", target, body, new String[] {"us-east-1:222222222222", "..", "x",
                        "us-east-1\u0000", "aa-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-1", "US-EAST-1"}[rnd.nextInt(6)],
                        Instant.now());
            case 7:
                return signedSageMaker("headers", target, body, "us-east-1", Instant.now())
                        .header("X-Amz-Meta-Unsigned", "1");
            case 8: {
                Spec captured = withSignature(Spec.of("headers", "POST", "/", body).header("Content-Type", JSON),
                        "sagemaker", "us-east-1", key, secret, Instant.now());
                return captured.header("X-Amz-Target", "SageMaker.DeleteCompilationJob");
            }
            case 9:
                return signedSageMaker("headers", new String[] {"", "SageMaker.", "SageMaker.Nope", "Other.Op",
                        "SageMaker.DescribeCompilationJob.x", "sagemaker.describecompilationjob", "SageMaker.__proto__",
                        "SageMaker." + "A".repeat(5000)}[rnd.nextInt(8)], body, "us-east-1", Instant.now());
            case 10: {
                String m = new String[] {"GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"}[rnd.nextInt(6)];
                Spec s = Spec.of("headers", m, "/", m.equals("GET") || m.equals("HEAD") ? new byte[0] : body)
                        .header("X-Amz-Target", target);
                return withSignature(s, "sagemaker", "us-east-1", key, secret, Instant.now());
            }
            case 11:
                return replaceHeader(signedSageMaker("headers", target, body, "us-east-1", Instant.now()), "X-Amz-Date",
                        new String[] {"", "yesterday", "20261301T250000Z", "2026-12-04T10:00:00Z", "0".repeat(500)}
                                [rnd.nextInt(5)]);
            case 12:
                return replaceAuthPart(signedSageMaker("headers", target, body, "us-east-1", Instant.now()),
                        "SignedHeaders=", new String[] {"", ";", "host", "x-amz-date", "a;".repeat(2000), "HOST"}
                                [rnd.nextInt(6)]);
            case 13:
                return replaceAuthPart(signedSageMaker("headers", target, body, "us-east-1", Instant.now()),
                        "Credential=", new String[] {"", "test", "test/2026/us-east-1", "test/x/y/z/w/v",
                                "/////", "test/20261204/us-east-1/s3/aws4_request"}[rnd.nextInt(6)]);
            case 14:
                return signedSageMaker("headers", target, body, "us-east-1", Instant.now())
                        .header("x-amz-content-sha256", rnd.nextBoolean() ? "UNSIGNED-PAYLOAD" : hex(rnd, 64));
            default:
                return signedSageMaker("headers", target, JsonMutations.randomBytes(rnd, rnd.nextInt(1, 300)),
                        "us-east-1", Instant.now()).header("Content-Type", "text/plain");
        }
    }

    /** S3 through the front door: signed calls with odd keys, public ACLs, bad XML; and the same unsigned. */
    Spec s3(SplittableRandom rnd) {
        String bucket = rnd.nextInt(5) == 0 ? badBucket(rnd) : "fuzz";
        String objectKey = encode(randomKey(rnd));
        String path = "/" + bucket + (rnd.nextInt(4) == 0 ? "" : "/" + objectKey);
        byte[] body = new byte[0];
        String method;
        Spec s;
        switch (rnd.nextInt(12)) {
            case 0 -> { method = "PUT"; body = JsonMutations.randomBytes(rnd, rnd.nextInt(0, 5000)); }
            case 1 -> { method = "DELETE"; }
            case 2 -> { method = "HEAD"; }
            case 3 -> { method = "PUT"; path += "?acl"; body = aclXml(rnd); }
            case 4 -> { method = "POST"; path = "/" + bucket + "?delete"; body = badXml(rnd); }
            case 5 -> { method = "GET"; path = "/" + bucket + "?list-type=2&max-keys=" + rnd.nextInt(-5, 5000)
                    + "&prefix=" + encode(randomKey(rnd)) + "&continuation-token=" + hex(rnd, 20); }
            case 6 -> { method = "POST"; path += "?uploads"; }
            case 7 -> { method = "PUT"; path += "?partNumber=" + rnd.nextInt(-1, 20000) + "&uploadId=" + hex(rnd, 10);
                    body = new byte[10]; }
            case 8 -> { method = "POST"; path += "?uploadId=" + hex(rnd, 10); body = badXml(rnd); }
            case 9 -> { method = "PUT"; path = "/" + bucket; }
            default -> { method = "GET"; }
        }
        s = Spec.of("s3", method, path, body);
        if (rnd.nextInt(6) == 0) {
            s.header("x-amz-acl", new String[] {"public-read", "public-read-write", "authenticated-read", "private",
                    "bogus"}[rnd.nextInt(5)]);
        }
        if (rnd.nextInt(10) == 0) {
            s.header("x-amz-grant-read", "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"");
        }
        if (rnd.nextInt(8) == 0) {
            s.header("x-amz-copy-source", "/" + bucket + "/" + encode(randomKey(rnd)));
        }
        if (rnd.nextInt(5) == 0) {
            return s; // anonymous: no credentials at all
        }
        return withSignature(s, "s3", "us-east-1", key, secret, Instant.now());
    }

    /** Lies about the HTTP framing itself, over a raw socket. */
    Spec framing(SplittableRandom rnd) {
        byte[] body = "{\"CompilationJobName\":\"fuzz-job\"}".getBytes(StandardCharsets.UTF_8);
        Spec signed = signedSageMaker("framing", "SageMaker.DescribeCompilationJob", body, "us-east-1", Instant.now());
        Spec raw = signed.asRaw();
        switch (rnd.nextInt(5)) {
            case 0 -> raw.header("Content-Length", String.valueOf(body.length + rnd.nextInt(1, 100))); // short body
            case 1 -> raw.header("Content-Length", "-1");
            case 2 -> raw.header("Transfer-Encoding", "chunked"); // body is not chunked
            case 3 -> raw.header("Content-Length", "99999999999999999999");
            default -> raw.header("Expect", "100-continue");
        }
        return raw;
    }

    private Spec replaceAuthPart(Spec s, String part, String value) {
        Spec out = new Spec(s.family(), s.method(), s.pathAndQuery(), new java.util.ArrayList<>(), s.body(), s.raw());
        for (String[] h : s.headers()) {
            if (h[0].equalsIgnoreCase("Authorization")) {
                String v = h[1];
                int i = v.indexOf(part);
                int end = v.indexOf(',', i);
                out.header(h[0], v.substring(0, i + part.length()) + value + (end < 0 ? "" : v.substring(end)));
            } else {
                out.header(h[0], h[1]);
            }
        }
        return out;
    }

    private Spec replaceHeader(Spec s, String name, String value) {
        Spec out = new Spec(s.family(), s.method(), s.pathAndQuery(), new java.util.ArrayList<>(), s.body(), s.raw());
        for (String[] h : s.headers()) {
            out.header(h[0], h[0].equalsIgnoreCase(name) ? value : h[1]);
        }
        return out;
    }

    private static String garbage(SplittableRandom rnd) {
        return new String[] {"", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ", "AWS test:sig", "Bearer x",
                "AWS4-HMAC-SHA256 Credential=,SignedHeaders=,Signature=", "AWS4-HMAC-SHA256 " + "=".repeat(3000),
                "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=" + AMZ_DATE.format(Instant.now())}
                [rnd.nextInt(8)];
    }

    static String hex(SplittableRandom rnd, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) b.append("0123456789abcdef".charAt(rnd.nextInt(16)));
        return b.toString();
    }

    private static String randomKey(SplittableRandom rnd) {
        return new String[] {"a", "dir/b.bin", "../../etc/passwd", "..", ".", "a//b", "%00", "ü/€/😀", " ", "a\u0001b",
                "x".repeat(1100), "a/../../b", "/leading", "trailing/", "?q", "#h", "\\back\\slash"}[rnd.nextInt(17)];
    }

    private static String badBucket(SplittableRandom rnd) {
        return new String[] {"..", "UPPER", "a", "x".repeat(70), "b_u", "-dash", "192.168.0.1", "fuzz..x",
                "xn--bucket", "fuzz-s3alias"}[rnd.nextInt(10)];
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }

    private static byte[] aclXml(SplittableRandom rnd) {
        String grantee = new String[] {
            "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"><URI>"
                    + "http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>",
            "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"><URI>"
                    + "http://acs.amazonaws.com/groups/global/&#65;llUsers</URI></Grantee>",
            "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"><ID>x</ID>"
                    + "</Grantee>",
            "<Grantee>",
        }[rnd.nextInt(4)];
        return ("<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant>" + grantee
                + "<Permission>" + (rnd.nextBoolean() ? "READ" : "WRITE") + "</Permission></Grant></AccessControlList>"
                + "</AccessControlPolicy>").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] badXml(SplittableRandom rnd) {
        return new String[] {"", "<", "<Delete>", "<Delete><Object><Key>a</Key></Object></Delete>",
                "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Delete><Object><Key>&e;"
                        + "</Key></Object></Delete>",
                "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c "
                        + "\"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><Delete><Object><Key>&c;</Key></Object></Delete>",
                "<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>",
                "<a>" + "<b>".repeat(5000)}[rnd.nextInt(8)].getBytes(StandardCharsets.UTF_8);
    }
}
