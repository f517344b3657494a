package dev.sagebrush.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Signs SageMaker requests once with the SDK's {@link AwsV4HttpSigner} (test/test, us-east-1, sagemaker) so that wrk
 * can replay them: a SigV4 signature stays valid for 15 minutes after its X-Amz-Date.
 *
 * <pre>
 *   Presign describe http://127.0.0.1:PORT NAME OUT.tsv   create NAME (if missing), sign one Describe of it, print its headers
 *   Presign describe-training http://127.0.0.1:PORT NAME OUT.tsv   the same with a training job (SearchApiBench's job 0)
 *   Presign create   http://127.0.0.1:PORT PREFIX N OUT.tsv sign N Creates named PREFIX-0 .. PREFIX-(N-1)
 * </pre>
 *
 * The output file has one request per line: {@code body<TAB>header: value<TAB>header: value...}. Bodies are one-line
 * JSON, so neither tabs nor newlines occur in them. The Host header is not written: wrk sends {@code 127.0.0.1:PORT},
 * which is what was signed.
 */
public final class Presign {
    static final String CREATE = "SageMaker.CreateCompilationJob";
    static final String DESCRIBE = "SageMaker.DescribeCompilationJob";
    static final String TRAINING_CREATE = "SageMaker.CreateTrainingJob";
    static final String TRAINING_DESCRIBE = "SageMaker.DescribeTrainingJob";
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    public static void main(String[] args) throws Exception {
        if (args.length < 1) usage();
        switch (args[0]) {
            case "describe", "describe-training" -> {
                if (args.length != 4) usage();
                URI endpoint = URI.create(args[1]);
                String name = args[2];
                boolean training = args[0].equals("describe-training");
                String body = training ? "{\"TrainingJobName\":\"" + name + "\"}" : describeBody(name);
                if (training) {
                    ensureJob(endpoint, TRAINING_CREATE, SearchApiBench.createBody(name, SearchApiBench.Spec.of(0, false), false));
                } else {
                    ensureJob(endpoint, CREATE, createBody(name));
                }
                SdkHttpRequest signed = sign(endpoint, training ? TRAINING_DESCRIBE : DESCRIBE, body, Instant.now());
                Files.writeString(Path.of(args[3]), line(signed, body) + "\n");
                System.out.println("POST / HTTP/1.1");
                signed.headers().forEach((k, v) -> System.out.println(k + ": " + String.join(",", v)));
                System.out.println();
                System.out.println(body);
            }
            case "create" -> {
                if (args.length != 5) usage();
                URI endpoint = URI.create(args[1]);
                String prefix = args[2];
                int n = Integer.parseInt(args[3]);
                Instant now = Instant.now();
                long t0 = System.nanoTime();
                try (BufferedWriter w = Files.newBufferedWriter(Path.of(args[4]), StandardCharsets.UTF_8)) {
                    for (int i = 0; i < n; i++) {
                        String body = createBody(prefix + "-" + i);
                        w.write(line(sign(endpoint, CREATE, body, now), body));
                        w.write('\n');
                    }
                }
                System.err.printf("signed %d Create requests in %.1f s (valid until %s)%n", n,
                        (System.nanoTime() - t0) / 1e9, now.plusSeconds(15 * 60));
            }
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: Presign describe|describe-training ENDPOINT NAME OUT | Presign create ENDPOINT PREFIX N OUT");
        System.exit(2);
    }

    static String describeBody(String name) {
        return "{\"CompilationJobName\":\"" + name + "\"}";
    }

    static String createBody(String name) {
        return "{\"CompilationJobName\":\"" + name + "\","
                + "\"RoleArn\":\"arn:aws:iam::000000000000:role/SageMakerRole\","
                + "\"InputConfig\":{\"S3Uri\":\"s3://models/xgb/model.tar.gz\",\"Framework\":\"XGBOOST\"},"
                + "\"OutputConfig\":{\"S3OutputLocation\":\"s3://models/out/\",\"TargetDevice\":\"ml_c5\"},"
                + "\"StoppingCondition\":{\"MaxRuntimeInSeconds\":900}}";
    }

    static SdkHttpRequest sign(URI endpoint, String target, String body, Instant at) {
        SdkHttpRequest unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint.resolve("/"))
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", target)
                .build();
        return SIGNER.sign(r -> r
                .identity(AwsCredentialsIdentity.create("test", "test"))
                .request(unsigned)
                .payload(ContentStreamProvider.fromByteArray(body.getBytes(StandardCharsets.UTF_8)))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sagemaker")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))).request();
    }

    static String line(SdkHttpRequest signed, String body) {
        StringBuilder b = new StringBuilder(body);
        for (Map.Entry<String, List<String>> h : signed.headers().entrySet()) {
            if (h.getKey().equalsIgnoreCase("Host") || h.getKey().equalsIgnoreCase("Content-Length")) continue;
            b.append('\t').append(h.getKey()).append(": ").append(String.join(",", h.getValue()));
        }
        return b.toString();
    }

    /** Creates the job Describe will read, unless it exists already. */
    static void ensureJob(URI endpoint, String target, String body) throws IOException, InterruptedException {
        SdkHttpRequest signed = sign(endpoint, target, body, Instant.now());
        HttpRequest.Builder b = HttpRequest.newBuilder(signed.getUri()).POST(HttpRequest.BodyPublishers.ofString(body));
        signed.headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("Host") && !k.equalsIgnoreCase("Content-Length")) v.forEach(x -> b.header(k, x));
        });
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 && !r.body().contains("ResourceInUse")) {
            throw new IllegalStateException(target + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
