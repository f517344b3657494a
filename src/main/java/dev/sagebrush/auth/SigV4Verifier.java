package dev.sagebrush.auth;

import dev.sagebrush.errors.AwsException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Verifies AWS Signature Version 4 on a request by signing it again, with the SDK's own {@link AwsV4HttpSigner}, over
 * exactly the headers the client listed in SignedHeaders and at the instant the client stated, then comparing the two
 * signatures in constant time. The region is whatever the client's credential scope names (that is the region the
 * request is for), once it has the form of an AWS region.
 */
public final class SigV4Verifier {
    /** AWS accepts requests signed up to 15 minutes away from its own clock. */
    static final Duration MAX_SKEW = Duration.ofMinutes(15);
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Credentials credentials;
    private final TemporaryCredentials temporary;
    private final String service;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final RootPathSigner rootPathSigner = new RootPathSigner();

    /** 64 hex digits; by hand, as a regex match was a visible share of every request's CPU. */
    static boolean isSha256Hex(String s) {
        if (s.length() != 64) return false;
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) return false;
        }
        return true;
    }

    public SigV4Verifier(Credentials credentials, String service, Clock clock) {
        this(credentials, TemporaryCredentials.NONE, service, clock);
    }

    /** @param temporary credentials the server issued (notebook instances' own), signed with a session token */
    public SigV4Verifier(Credentials credentials, TemporaryCredentials temporary, String service, Clock clock) {
        this.credentials = credentials;
        this.temporary = temporary;
        this.service = service;
        this.clock = clock;
    }

    /** What a verified request proves: who signed it and for which region. */
    public record Verified(Account account, String region) {}

    /** What the signature covers that is known before the body arrives. */
    public record RequestHead(String method, String rawPath, String rawQuery, Function<String, String> header,
                              Iterable<String> headerNames) {}

    /** The parts of the incoming HTTP request the signature covers. */
    public record IncomingRequest(RequestHead head, byte[] body) {}

    /** Verifies a whole request at once: {@link #check} then {@link Pending#complete}. */
    public Verified verify(IncomingRequest req) {
        return check(req.head()).complete(req.body());
    }

    /**
     * Everything that can be verified from the headers alone, so that a request from nobody is refused before its
     * body is read (reading a body costs a connection's time; an unauthenticated client must not get that for free):
     * the Authorization header's form, the region, the access key, the service, the date and its skew, and that every
     * {@code x-amz-*} header is signed. When the client signed the payload's hash in {@code x-amz-content-sha256}
     * the whole signature is verified here too, and {@link Pending#complete} then only checks that the body has
     * that hash.
     */
    public Pending check(RequestHead head) {
        String authorization = head.header().apply("Authorization");
        if (authorization == null || authorization.isEmpty()) {
            throw new AwsException("MissingAuthenticationTokenException", 403, "Missing Authentication Token");
        }
        AuthorizationHeader auth = AuthorizationHeader.parse(authorization);
        // The region names directories and ARNs: it must be a region before anything uses it.
        if (!Regions.isValid(auth.region())) {
            throw invalidSignature("Credential should be scoped to a valid region. ");
        }
        Account account = findAccount(auth, head.header().apply("X-Amz-Security-Token"));
        if (!service.equals(auth.service())) {
            throw invalidSignature("Credential should be scoped to correct service: '" + service + "'. ");
        }
        Instant signedAt = signedAt(head, auth);
        checkSkew(signedAt);
        // The string to sign carries X-Amz-Date as sent; it parsed strictly as yyyyMMdd'T'HHmmss'Z', so it is exactly
        // what formatting signedAt would give, without the formatting.
        String amzDate = head.header().apply("X-Amz-Date");
        requireAmzHeadersSigned(head, auth);
        Pending pending = new Pending(head, auth, account, signedAt, declaredPayloadHash(head, auth));
        if (pending.declaredHash != null && RootPathSigner.applies(head.method(), head.rawPath(), head.rawQuery())) {
            pending.requireSignature(rootPathSigner.signature(head.method(), auth.signedHeaders(), head.header(),
                    pending.declaredHash, amzDate, auth.date(), auth.region(), service,
                    account.secretAccessKey()));
            pending.signatureVerified = true;
        }
        return pending;
    }

    private Account findAccount(AuthorizationHeader auth, String sessionToken) {
        java.util.Optional<Account> found;
        if (sessionToken == null || sessionToken.isEmpty()) {
            found = credentials.find(auth.accessKeyId());
        } else {
            found = temporary.resolve(auth.accessKeyId(), sessionToken); // (signed: every x-amz-* header must be)
        }
        return found.orElseThrow(() -> new AwsException(
                "UnrecognizedClientException", 400, "The security token included in the request is invalid."));
    }

    /** A request whose headers passed {@link #check}; {@link #complete} finishes the verification with the body. */
    public final class Pending {
        private final RequestHead head;
        private final AuthorizationHeader auth;
        private final Account account;
        private final Instant signedAt;
        private final String declaredHash;
        private boolean signatureVerified;

        private Pending(RequestHead head, AuthorizationHeader auth, Account account, Instant signedAt,
                        String declaredHash) {
            this.head = head;
            this.auth = auth;
            this.account = account;
            this.signedAt = signedAt;
            this.declaredHash = declaredHash;
        }

        /** True when the signature itself is already verified and only the body's hash remains to be checked. */
        public boolean signatureVerified() {
            return signatureVerified;
        }

        public Verified complete(byte[] body) {
            if (declaredHash != null && !declaredHash.equals(HexFormat.of().formatHex(RootPathSigner.sha256(body)))) {
                throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
            }
            if (!signatureVerified) {
                requireSignature(sign(head, body, auth, account, signedAt));
                signatureVerified = true;
            }
            return new Verified(account, auth.region());
        }

        private void requireSignature(String expected) {
            if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                    auth.signature().getBytes(StandardCharsets.US_ASCII))) {
                throw invalidSignature("The request signature we calculated does not match the signature you provided. "
                        + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
            }
        }
    }

    /**
     * Every {@code x-amz-*} header must be covered by the signature: otherwise a captured request could be replayed
     * with another X-Amz-Target (another operation) or another x-amz-content-sha256 under the same signature. S3's
     * answer and wording for the same case.
     */
    private static void requireAmzHeadersSigned(RequestHead head, AuthorizationHeader auth) {
        List<String> signed = auth.signedHeaders(); // a handful of names: a scan is cheaper than a set
        Set<String> unsigned = null;
        for (String name : head.headerNames()) {
            if (name.regionMatches(true, 0, "x-amz-", 0, 6)) {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!signed.contains(lower)) {
                    if (unsigned == null) unsigned = new TreeSet<>();
                    unsigned.add(lower);
                }
            }
        }
        if (unsigned != null) {
            throw new AwsException("AccessDeniedException", 403, "There were headers present in the request which were "
                    + "not signed (HeadersNotSigned: " + String.join(", ", unsigned) + ")");
        }
    }

    /** The signed {@code x-amz-content-sha256}, lower-case hex, or null when the client sent none. */
    private static String declaredPayloadHash(RequestHead head, AuthorizationHeader auth) {
        String value = head.header().apply("x-amz-content-sha256");
        if (value == null) {
            return null;
        }
        if (!isSha256Hex(value)) {
            throw invalidSignature("x-amz-content-sha256 must be the hex SHA-256 of the request body for this service; "
                    + "got '" + truncate(value) + "'.");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    private Instant signedAt(RequestHead req, AuthorizationHeader auth) {
        String amzDate = req.header().apply("X-Amz-Date");
        if (amzDate == null) {
            throw new AwsException("IncompleteSignatureException", 400,
                    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="
                            + truncate(req.header().apply("Authorization")));
        }
        try {
            Instant t = AmzDates.parse(amzDate);
            if (!amzDate.startsWith(auth.date())) {
                throw invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"
                        + auth.date() + "' != '" + amzDate.substring(0, Math.min(8, amzDate.length())) + "', from '" + amzDate + "'.");
            }
            return t;
        } catch (DateTimeParseException e) {
            throw new AwsException("IncompleteSignatureException", 400, "X-Amz-Date must be in ISO-8601 basic format: " + amzDate);
        }
    }

    private void checkSkew(Instant signedAt) {
        Instant now = clock.instant();
        if (signedAt.isBefore(now.minus(MAX_SKEW))) {
            throw invalidSignature("Signature expired: " + AMZ_DATE.format(signedAt) + " is now earlier than "
                    + AMZ_DATE.format(now.minus(MAX_SKEW)) + " (" + AMZ_DATE.format(now) + " - 15 min.)");
        }
        if (signedAt.isAfter(now.plus(MAX_SKEW))) {
            throw invalidSignature("Signature not yet current: " + AMZ_DATE.format(signedAt) + " is still later than "
                    + AMZ_DATE.format(now.plus(MAX_SKEW)) + " (" + AMZ_DATE.format(now) + " + 15 min.)");
        }
    }

    private String sign(RequestHead req, byte[] body, AuthorizationHeader auth, Account account, Instant signedAt) {
        if (RootPathSigner.applies(req.method(), req.rawPath(), req.rawQuery())) {
            return rootPathSigner.signature(req.method(), auth.signedHeaders(), req.header(), body,
                    req.header().apply("X-Amz-Date"), auth.date(), auth.region(), service, account.secretAccessKey());
        }
        String host = req.header().apply("Host");
        if (host == null) {
            throw invalidSignature("The request signature we calculated does not match the signature you provided.");
        }
        SdkHttpRequest.Builder rebuilt = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(req.method()))
                .uri(URI.create("http://" + host + req.rawPath() + (req.rawQuery() == null || req.rawQuery().isEmpty() ? "" : "?" + req.rawQuery())));
        for (String name : auth.signedHeaders()) {
            String value = req.header().apply(name);
            if (value != null) {
                rebuilt.putHeader(name, value);
            }
        }
        SignedRequest signed = signer.sign(r -> r
                .identity(AwsCredentialsIdentity.create(account.accessKeyId(), account.secretAccessKey()))
                .request(rebuilt.build())
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, auth.region())
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)));
        String header = signed.request().firstMatchingHeader("Authorization").orElse("");
        int i = header.lastIndexOf("Signature=");
        return i < 0 ? "" : header.substring(i + "Signature=".length());
    }

    private static AwsException invalidSignature(String message) {
        return new AwsException("InvalidSignatureException", 400, message);
    }

    private static String truncate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) : s;
    }

    /** {@code AWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/sagemaker/aws4_request, SignedHeaders=a;b, Signature=hex}. */
    record AuthorizationHeader(String accessKeyId, String date, String region, String service,
                               List<String> signedHeaders, String signature) {
        static AuthorizationHeader parse(String header) {
            if (!header.startsWith("AWS4-HMAC-SHA256 ")) {
                throw new AwsException("IncompleteSignatureException", 400,
                        "Authorization header requires the AWS4-HMAC-SHA256 algorithm. Authorization=" + truncate(header));
            }
            Map<String, String> parts = new java.util.HashMap<>();
            for (String p : header.substring("AWS4-HMAC-SHA256 ".length()).split(",")) {
                String kv = p.strip();
                int eq = kv.indexOf('=');
                if (eq > 0) parts.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            for (String required : List.of("Credential", "SignedHeaders", "Signature")) {
                if (!parts.containsKey(required)) {
                    throw new AwsException("IncompleteSignatureException", 400, "Authorization header requires '"
                            + required + "' parameter. Authorization=" + truncate(header));
                }
            }
            String[] scope = parts.get("Credential").split("/");
            if (scope.length != 5 || !"aws4_request".equals(scope[4])) {
                throw new AwsException("IncompleteSignatureException", 400,
                        "Credential should be scoped to a valid region, service and terminator. Credential=" + truncate(parts.get("Credential")));
            }
            List<String> signed = List.of(parts.get("SignedHeaders").split(";"));
            if (!signed.contains("host")) {
                throw new AwsException("IncompleteSignatureException", 400, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
            }
            return new AuthorizationHeader(scope[0], scope[1], scope[2], scope[3], signed, parts.get("Signature"));
        }
    }
}
