package dev.sagebrush.bench;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.Filter;
import software.amazon.awssdk.services.sagemaker.model.TrainingInputMode;

/**
 * Search freshness across nodes sharing one database: creates JOBS training jobs, each on node {@code i mod N}, and
 * times from the Create's answer until Search on node {@code i+1 mod N} returns the job (searching again at once
 * until it does). Throughput on several nodes is {@link SdkLoad} with several endpoints.
 *
 * <pre>ClusterBench ENDPOINT,ENDPOINT[,...] JOBS</pre>
 *
 * Prints: {@code cluster-freshness nodes=N jobs=.. searches=.. p50_ms=.. p99_ms=.. max_ms=..}
 */
public final class ClusterBench {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ClusterBench ENDPOINT,ENDPOINT[,...] JOBS");
            System.exit(2);
        }
        List<SageMakerClient> clients = Arrays.stream(args[0].split(",")).map(URI::create)
                .map(e -> SdkLoad.client(e, 4)).toList();
        if (clients.size() < 2) throw new IllegalArgumentException("freshness needs two nodes or more");
        int jobs = Integer.parseInt(args[1]);
        try {
            String prefix = "fresh-" + Long.toString(System.currentTimeMillis(), 36);
            long[] nanos = new long[jobs];
            long searches = 0;
            for (int i = 0; i < jobs; i++) {
                String name = prefix + "-" + i;
                SageMakerClient writer = clients.get(i % clients.size());
                SageMakerClient reader = clients.get((i + 1) % clients.size());
                int n = i;
                // An image no node maps, on nodes that run no jobs: the job stays InProgress and nothing runs.
                writer.createTrainingJob(r -> r.trainingJobName(name).roleArn("arn:aws:iam::000000000000:role/SageMakerRole")
                        .algorithmSpecification(a -> a.trainingImage("registry.example.com/bench:1")
                                .trainingInputMode(TrainingInputMode.FILE))
                        .hyperParameters(Map.of("i", String.valueOf(n)))
                        .outputDataConfig(o -> o.s3OutputPath("s3://out/bench"))
                        .resourceConfig(c -> c.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(10))
                        .stoppingCondition(s -> s.maxRuntimeInSeconds(600)));
                long acknowledged = System.nanoTime();
                do {
                    searches++;
                    if (System.nanoTime() - acknowledged > 30_000_000_000L) throw new AssertionError(name + " never found");
                } while (reader.search(s -> s.resource("TrainingJob").searchExpression(e -> e.filters(Filter.builder()
                        .name("TrainingJobName").operator("Equals").value(name).build()))).results().isEmpty());
                nanos[i] = System.nanoTime() - acknowledged;
            }
            Arrays.sort(nanos);
            System.out.printf("cluster-freshness nodes=%d jobs=%d searches=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f%n",
                    clients.size(), jobs, searches, SdkLoad.pct(nanos, 0.50), SdkLoad.pct(nanos, 0.99),
                    nanos[jobs - 1] / 1e6);
        } finally {
            clients.forEach(SageMakerClient::close);
        }
    }
}
