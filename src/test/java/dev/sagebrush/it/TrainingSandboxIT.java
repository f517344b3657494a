package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.jobs.sandbox.SandboxHost;
import dev.sagebrush.testsupport.Prerequisites;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * Security tests for training (issue 8, findings 2 and 5) through the real server and the AWS SDK: two accounts, a
 * training image whose "algorithm" is a probe script. Checked against main before the sandbox: the LD_PRELOAD
 * library's constructor ran as uid 0 and could open sagebrush.db; the probe read the database, the session key and
 * account B's log, and reached the server's port (EnableNetworkIsolation was refused at create on main); an
 * output/failure linked to the session key put the key's bytes into FailureReason.
 */
class TrainingSandboxIT {
    static final String IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/probe:1";
    static final String ROLE_A = "arn:aws:iam::111111111111:role/SageMakerRole";
    static final String ROLE_B = "arn:aws:iam::222222222222:role/SageMakerRole";
    @TempDir static Path tmp;
    static ServerFixture fixture;
    static SageMakerClient a;
    static SageMakerClient b;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require(SandboxHost.probe().available(), "sandboxes (bwrap, root)");
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc");
        Path probe = tmp.resolve("probe.sh");
        Files.writeString(probe, """
                #!/bin/sh
                # Tries what an attacker's training code would try; writes what happened into the model.
                if [ -n "${SM_HP_FAILURE_LINK:-}" ]; then
                  ln -s "$SM_HP_FAILURE_LINK" "$SM_OUTPUT_DIR/failure"
                  exit 1
                fi
                out="$SM_MODEL_DIR/probe.txt"
                echo "uid=$(id -u)" >> "$out"
                echo "ml=$SM_MODEL_DIR" >> "$out"
                for f in "$SM_HP_DB" "$SM_HP_KEY" "$SM_HP_OTHER"; do
                  if cat "$f" > /dev/null 2>&1; then echo "read $f" >> "$out"; else echo "denied $f" >> "$out"; fi
                done
                if bash -c "exec 3<>/dev/tcp/127.0.0.1/$SM_HP_PORT" 2>/dev/null; then echo "network yes" >> "$out"; \
                else echo "network no" >> "$out"; fi
                echo done
                """);
        Path registry = tmp.resolve("images.txt");
        Files.writeString(registry, IMAGE + " /bin/sh " + probe + "\n");
        Path creds = tmp.resolve("credentials");
        Files.writeString(creds, "test test 000000000000\nAKIDA secretA 111111111111\nAKIDB secretB 222222222222\n");
        fixture = ServerFixture.start(c -> c.withCredentialsFile(creds).withCompileWorkers(0)
                .withNotebooks(c.notebooks().withRunInstances(false))
                .withTraining(c.training().withImagesFile(registry).withWorkers(2).withStopGrace(Duration.ofSeconds(2))));
        a = fixture.sagemaker("AKIDA", "secretA", Region.US_EAST_1);
        b = fixture.sagemaker("AKIDB", "secretB", Region.US_EAST_1);
        // Each account's jobs read and write that account's own buckets (data-<account>, out-<account>).
        Path lib = preloadLibrary();
        for (String[] key : new String[][] {{"AKIDA", "secretA", "111111111111"}, {"AKIDB", "secretB", "222222222222"}}) {
            try (S3Client c = fixture.s3(key[0], key[1])) {
                c.createBucket(r -> r.bucket("data-" + key[2]));
                c.createBucket(r -> r.bucket("out-" + key[2]));
                c.putObject(r -> r.bucket("data-" + key[2]).key("train/rows.csv"), RequestBody.fromString("1,2\n"));
                c.putObject(r -> r.bucket("data-" + key[2]).key("preload/lib.so"), RequestBody.fromFile(lib));
            }
        }
        s3 = fixture.s3("AKIDA", "secretA");
    }

    @AfterAll
    static void stop() {
        if (fixture == null) return;
        s3.close();
        fixture.close();
    }

    /** A shared library whose constructor records its uid and whether it could open the server's database. */
    static Path preloadLibrary() throws Exception {
        Path src = tmp.resolve("preload.c");
        Files.writeString(src, """
                #include <fcntl.h>
                #include <stdio.h>
                #include <unistd.h>
                __attribute__((constructor)) static void grab(void) {
                    FILE *f = fopen("model/preload.txt", "a");
                    if (!f) return;
                    int fd = open(DB, O_RDONLY);
                    fprintf(f, "uid=%d db=%s\\n", (int) getuid(), fd >= 0 ? "readable" : "denied");
                    fclose(f);
                }
                """);
        Path so = tmp.resolve("lib.so");
        Process p = new ProcessBuilder("/usr/bin/gcc", "-shared", "-fPIC", "-DDB=\""
                + fixtureDb() + "\"", "-o", so.toString(), src.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        return so;
    }

    static String fixtureDb() {
        return fixture.dataDir.resolve("sagebrush.db").toString();
    }

    static CreateTrainingJobRequest.Builder job(String name, String role, String channelPrefix,
                                                Map<String, String> hps) {
        return CreateTrainingJobRequest.builder().trainingJobName(name).roleArn(role)
                .algorithmSpecification(s -> s.trainingImage(IMAGE).trainingInputMode("File"))
                .hyperParameters(hps)
                .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s
                        .s3DataType("S3Prefix").s3Uri("s3://data-" + accountOf(role) + "/" + channelPrefix)
                        .s3DataDistributionType("FullyReplicated"))))
                .outputDataConfig(o -> o.s3OutputPath("s3://out-" + accountOf(role) + "/" + name))
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(1))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(300));
    }

    /** The account of a role ARN, arn:aws:iam::ACCOUNT:role/... */
    static String accountOf(String roleArn) {
        return roleArn.split(":")[4];
    }

    static DescribeTrainingJobResponse run(SageMakerClient client, CreateTrainingJobRequest request) throws Exception {
        client.createTrainingJob(request);
        return Waits.until(() -> client.describeTrainingJob(r -> r.trainingJobName(request.trainingJobName())),
                d -> d.trainingJobStatus() == TrainingJobStatus.COMPLETED
                        || d.trainingJobStatus() == TrainingJobStatus.FAILED, Duration.ofMinutes(2));
    }

    /** The files of a completed job's model.tar.gz. */
    static Map<String, String> model(DescribeTrainingJobResponse d) throws IOException {
        // Models of account A's jobs, read with A's key.
        String uri = d.modelArtifacts().s3ModelArtifacts();
        String key = uri.substring("s3://out-111111111111/".length());
        byte[] tgz = s3.getObjectAsBytes(r -> r.bucket("out-111111111111").key(key)).asByteArray();
        Map<String, String> files = new HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                new ByteArrayInputStream(tgz)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.isFile()) files.put(e.getName().replaceFirst("^\\./", ""),
                        new String(tar.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return files;
    }

    Map<String, String> probeTargets(String otherLog) {
        Map<String, String> hps = new HashMap<>();
        hps.put("db", fixture.dataDir.resolve("sagebrush.db").toString());
        hps.put("key", fixture.dataDir.resolve("secrets").resolve("notebook-session.key").toString());
        hps.put("other", otherLog);
        hps.put("port", Integer.toString(fixture.server.port()));
        return hps;
    }

    @Test
    void ldPreloadFromTheUsersEnvironmentRunsOnlyAsTheJobsOwnUid() throws Exception {
        DescribeTrainingJobResponse d = run(a, job("preload", ROLE_A, "preload/", probeTargets("/nonexistent"))
                .environment(Map.of("LD_PRELOAD", "input/data/train/lib.so", "BASH_ENV", "input/data/train/lib.so"))
                .build());
        assertThat(d.trainingJobStatus()).as(d.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
        String preload = model(d).get("preload.txt");
        assertThat(preload).as("the library's constructor ran").isNotBlank();
        for (String line : preload.strip().split("\n")) {
            assertThat(line).doesNotStartWith("uid=0 ").endsWith("db=denied");
        }
    }

    @Test
    void aFailureFileLinkedToAServerFileDoesNotLeakIt() throws Exception {
        // output/failure is read by the server (root): a link to the session key must not become the FailureReason.
        Map<String, String> hps = probeTargets("/nonexistent");
        hps.put("failure_link", fixture.dataDir.resolve("secrets").resolve("notebook-session.key").toString());
        DescribeTrainingJobResponse d = run(a, job("failure-link", ROLE_A, "train/", hps).build());
        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(d.failureReason()).startsWith("AlgorithmError: The training process exited with code 1 and wrote "
                + "no output/failure file");
    }

    @Test
    void trainingCodeCannotReadTheDatabaseTheKeysOrAnotherAccountsJobNorReachTheNetworkWhenIsolated()
            throws Exception {
        DescribeTrainingJobResponse other = run(b, job("victim", ROLE_B, "train/", probeTargets("/nonexistent"))
                .build());
        assertThat(other.trainingJobStatus()).isEqualTo(TrainingJobStatus.COMPLETED);
        Path otherLog = fixture.dataDir.resolve("training").resolve("222222222222").resolve("us-east-1")
                .resolve("victim").resolve("algo-1.log");
        assertThat(otherLog).exists();

        DescribeTrainingJobResponse isolated = run(a, job("probe-isolated", ROLE_A, "train/",
                probeTargets(otherLog.toString())).enableNetworkIsolation(true).build());
        assertThat(isolated.trainingJobStatus()).as(isolated.failureReason()).isEqualTo(TrainingJobStatus.COMPLETED);
        String report = model(isolated).get("probe.txt");
        assertThat(report).doesNotContain("uid=0\n").contains("ml=/opt/ml/model")
                .contains("denied " + fixture.dataDir.resolve("sagebrush.db"))
                .contains("denied " + fixture.dataDir.resolve("secrets").resolve("notebook-session.key"))
                .contains("denied " + otherLog).contains("network no").doesNotContain("read ");

        DescribeTrainingJobResponse open = run(a, job("probe-network", ROLE_A, "train/",
                probeTargets(otherLog.toString())).build());
        assertThat(model(open).get("probe.txt")).contains("network yes").doesNotContain("read ");
        // Each job ran as a uid of its own, not the server's.
        assertThat(List.of(report, model(open).get("probe.txt"))).allMatch(r -> !r.contains("uid=0\n"));
    }
}
