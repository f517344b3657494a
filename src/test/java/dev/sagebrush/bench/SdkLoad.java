package dev.sagebrush.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CreateCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.Framework;
import software.amazon.awssdk.services.sagemaker.model.TargetDevice;

/**
 * Closed-loop load through the real AWS SDK for Java v2 {@link SageMakerClient} (Apache 5 HTTP client, one shared
 * client, no retries): K threads each call, wait for the answer, call again. Every request is signed by the SDK, so
 * this measures client-side signing and marshalling as well as the server.
 *
 * <pre>SdkLoad ENDPOINT[,ENDPOINT...] describe|create THREADS SECONDS [WARMUP_SECONDS]</pre>
 *
 * With several endpoints (nodes sharing one database) thread {@code t} talks to endpoint {@code t mod N}, as a
 * round-robin load balancer would spread the load.
 *
 * Prints one line: {@code sdk <op> threads=K req/s=.. p50_ms=.. p99_ms=.. ok=.. errors=..}
 */
public final class SdkLoad {
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: SdkLoad ENDPOINT describe|create THREADS SECONDS [WARMUP_SECONDS]");
            System.exit(2);
        }
        List<URI> endpoints = Arrays.stream(args[0].split(",")).map(URI::create).toList();
        URI endpoint = endpoints.get(0);
        String op = args[1];
        int threads = Integer.parseInt(args[2]);
        Duration measure = Duration.ofSeconds(Long.parseLong(args[3]));
        Duration warmup = Duration.ofSeconds(args.length > 4 ? Long.parseLong(args[4]) : 3);
        if (!op.equals("describe") && !op.equals("create")) throw new IllegalArgumentException(op);

        String describeName = "bench-describe";
        if (op.equals("describe")) Presign.ensureJob(endpoint, Presign.CREATE, Presign.createBody(describeName));
        String prefix = "sdk-" + Long.toString(System.currentTimeMillis(), 36);

        List<SageMakerClient> clients = endpoints.stream().map(e -> client(e, threads)).toList();
        try {
            long start = System.nanoTime();
            long measureFrom = start + warmup.toNanos();
            long end = measureFrom + measure.toNanos();
            AtomicLong errors = new AtomicLong();
            List<long[]> perThread = new ArrayList<>();
            int[] counts = new int[threads];
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                long[] lat = new long[4_000_000 / threads];
                perThread.add(lat);
                int id = t;
                SageMakerClient sm = clients.get(t % clients.size());
                Thread th = new Thread(() -> {
                    int n = 0;
                    long seq = 0;
                    try {
                        while (true) {
                            long t0 = System.nanoTime();
                            if (t0 >= end) break;
                            try {
                                if (op.equals("describe")) {
                                    sm.describeCompilationJob(r -> r.compilationJobName(describeName));
                                } else {
                                    sm.createCompilationJob(createRequest(prefix + "-" + id + "-" + seq++));
                                }
                            } catch (RuntimeException e) {
                                if (t0 >= measureFrom) errors.incrementAndGet();
                                continue;
                            }
                            long t1 = System.nanoTime();
                            if (t0 >= measureFrom && n < lat.length) lat[n++] = t1 - t0;
                        }
                    } finally {
                        counts[id] = n;
                        done.countDown();
                    }
                }, "load-" + t);
                th.start();
            }
            done.await();
            int total = Arrays.stream(counts).sum();
            long[] all = new long[total];
            int k = 0;
            for (int t = 0; t < threads; t++) {
                System.arraycopy(perThread.get(t), 0, all, k, counts[t]);
                k += counts[t];
            }
            Arrays.sort(all);
            double seconds = measure.toNanos() / 1e9;
            System.out.printf("sdk %s threads=%d req/s=%.0f p50_ms=%.2f p99_ms=%.2f ok=%d errors=%d%n", op, threads,
                    total / seconds, pct(all, 0.50), pct(all, 0.99), total, errors.get());
        } finally {
            clients.forEach(SageMakerClient::close);
        }
    }

    /** The real SDK client, no retries: what every load generator here uses. */
    static SageMakerClient client(URI endpoint, int connections) {
        return SageMakerClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(connections))
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1)))
                .build();
    }

    static CreateCompilationJobRequest createRequest(String name) {
        return CreateCompilationJobRequest.builder()
                .compilationJobName(name)
                .roleArn("arn:aws:iam::000000000000:role/SageMakerRole")
                .inputConfig(i -> i.s3Uri("s3://models/xgb/model.tar.gz").framework(Framework.XGBOOST))
                .outputConfig(o -> o.s3OutputLocation("s3://models/out/").targetDevice(TargetDevice.ML_C5))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(900))
                .build();
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}
