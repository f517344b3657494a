package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagebrush.jobs.sandbox.SandboxHost;
import dev.sagebrush.storage.SafeArchive;
import dev.sagebrush.testsupport.Prerequisites;
import dev.sagebrush.training.images.FrameworkImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * SageMaker script mode end to end, as the SageMaker Python SDK drives it: {@code SKLearn(entry_point="train.py",
 * source_dir=...)} and {@code PyTorch(entry_point="train.py")} estimators' {@code fit()} upload
 * {@code <bucket>/<job>/source/sourcedir.tar.gz} (tarfile "w:gz", the source directory's files at the root) and send
 * CreateTrainingJob with the framework image's AWS URI and the JSON-encoded hyperparameters
 * ({@code sagemaker_program}, {@code sagemaker_submit_directory}, ...). The server fetches and unpacks the code into
 * the job's /opt/ml/code (training/scriptmode), the framework images' entry point runs it, and model.tar.gz is checked.
 *
 * <p>Here the AWS URIs are mapped, by an operator registry, to the entry point on the host's python3 (the sandboxed
 * process path, with Debian's python3-sklearn and python3-torch): the contract is the images' own, and the images run
 * the same file (FrameworkImagesIT runs it in them with podman). With the container backend the default map
 * ({@code training/container/framework-images.map}) sends these URIs to the images instead.
 */
class ScriptModeIT {
    static final String SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3";
    static final String PYTORCH = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:1.13.1-cpu-py39";
    static final String ROLE = "arn:aws:iam::000000000000:role/SageMakerRole";
    static final String BUCKET = "sagemaker-us-east-1-000000000000";
    static final ObjectMapper JSON = new ObjectMapper();
    static ServerFixture fixture;
    static SageMakerClient sm;
    static S3Client s3;
    @TempDir static Path tmp;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        Prerequisites.require(SandboxHost.probe().available(), "sandboxes (bwrap, root)");
        Prerequisites.require(python("import sklearn, pandas, torch, packaging"),
                "/usr/bin/python3 with scikit-learn, pandas, torch and packaging (Debian python3-sklearn python3-pandas "
                        + "python3-torch python3-packaging)");
        Path entryPoint = tmp.resolve("sagebrush_train.py");
        Files.write(entryPoint, FrameworkImage.entryPoint());
        Path registry = tmp.resolve("images.txt");
        Files.writeString(registry, SKLEARN + " /usr/bin/python3 " + entryPoint + "\n"
                + PYTORCH + " /usr/bin/python3 " + entryPoint + "\n");
        fixture = ServerFixture.start(c -> c.withCompileWorkers(0).withTraining(c.training().withImagesFile(registry)));
        sm = fixture.sagemaker();
        s3 = fixture.s3();
        s3.createBucket(b -> b.bucket(BUCKET));
        s3.putObject(b -> b.bucket(BUCKET).key("data/iris/train.csv"), RequestBody.fromString(irisCsv()));
        s3.putObject(b -> b.bucket(BUCKET).key("data/linear/train.csv"), RequestBody.fromString(linearCsv()));
    }

    /** Three classes of four features, label first (the SKLearn job's data). */
    static String irisCsv() {
        StringBuilder iris = new StringBuilder();
        Random r = new Random(7);
        for (int i = 0; i < 150; i++) {
            int label = i % 3;
            iris.append(label);
            for (int f = 0; f < 4; f++) iris.append(',').append(String.format(Locale.ROOT, "%.3f", label * 1.5 + f + r.nextGaussian() * 0.3));
            iris.append('\n');
        }
        return iris.toString();
    }

    /** y = 2 x1 - x2 + 0.5 x3 + 1, target first (the PyTorch job's data). */
    static String linearCsv() {
        StringBuilder linear = new StringBuilder();
        Random r = new Random(11);
        for (int i = 0; i < 200; i++) {
            double x1 = r.nextGaussian(), x2 = r.nextGaussian(), x3 = r.nextGaussian();
            linear.append(String.format(Locale.ROOT, "%.5f,%.5f,%.5f,%.5f%n", 2 * x1 - x2 + 0.5 * x3 + 1, x1, x2, x3));
        }
        return linear.toString();
    }

    @AfterAll
    static void stop() {
        if (s3 != null) s3.close();
        if (fixture != null) fixture.close();
    }

    static boolean python(String code) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) return false;
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", code).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    /** fw_utils.tar_and_upload_dir: the code goes to s3://<bucket>/<job>/source/sourcedir.tar.gz. */
    static String uploadSourceDir(String job, byte[] tarGz) {
        s3.putObject(b -> b.bucket(BUCKET).key(job + "/source/sourcedir.tar.gz"), RequestBody.fromBytes(tarGz));
        return "s3://" + BUCKET + "/" + job + "/source/sourcedir.tar.gz";
    }

    /** CreateTrainingJob as Framework._prepare_for_training and session._get_train_request build it. */
    static CreateTrainingJobRequest sdkRequest(String job, String image, String channel, String data,
                                               Map<String, String> userHps, List<MetricDefinition> metrics,
                                               boolean isolated) {
        Map<String, String> hps = new LinkedHashMap<>(userHps); // Framework.hyperparameters(): json.dumps of each
        hps.put("sagemaker_submit_directory", "\"s3://" + BUCKET + "/" + job + "/source/sourcedir.tar.gz\"");
        hps.put("sagemaker_program", "\"train.py\"");
        hps.put("sagemaker_container_log_level", "20");
        hps.put("sagemaker_job_name", "\"" + job + "\"");
        hps.put("sagemaker_region", "\"us-east-1\"");
        CreateTrainingJobRequest.Builder b = CreateTrainingJobRequest.builder().trainingJobName(job).roleArn(ROLE)
                .algorithmSpecification(a -> a.trainingImage(image).trainingInputMode("File").metricDefinitions(metrics)
                        .enableSageMakerMetricsTimeSeries(true))
                .inputDataConfig(c -> c.channelName(channel).dataSource(d -> d.s3DataSource(s -> s
                        .s3DataType("S3Prefix").s3Uri(data).s3DataDistributionType("FullyReplicated"))))
                .outputDataConfig(o -> o.s3OutputPath("s3://" + BUCKET + "/"))
                .resourceConfig(rc -> rc.instanceCount(1).instanceType("ml.m5.large").volumeSizeInGB(30))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(86400))
                .hyperParameters(hps)
                .debugHookConfig(d -> d.s3OutputPath("s3://" + BUCKET + "/").collectionConfigurations(List.of()))
                .profilerConfig(p -> p.s3OutputPath("s3://" + BUCKET + "/").disableProfiler(false));
        if (isolated) b.enableNetworkIsolation(true);
        return b.build();
    }

    static DescribeTrainingJobResponse await(String job) throws InterruptedException {
        return Waits.until(() -> sm.describeTrainingJob(r -> r.trainingJobName(job)),
                d -> d.trainingJobStatus() == TrainingJobStatus.COMPLETED || d.trainingJobStatus() == TrainingJobStatus.FAILED,
                Duration.ofMinutes(5));
    }

    /** model.tar.gz downloaded from where the SDK's estimator.model_data points, unpacked. */
    static Path model(DescribeTrainingJobResponse d) throws IOException {
        assertThat(d.modelArtifacts().s3ModelArtifacts())
                .isEqualTo("s3://" + BUCKET + "/" + d.trainingJobName() + "/output/model.tar.gz");
        Path archive = tmp.resolve(d.trainingJobName() + ".tar.gz");
        Files.write(archive, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(d.trainingJobName() + "/output/model.tar.gz"))
                .asByteArray());
        Path dir = tmp.resolve(d.trainingJobName());
        SafeArchive.extractTarGz(archive, dir, SafeArchive.Limits.DEFAULT);
        return dir;
    }

    /** SKLearn(entry_point="train.py", source_dir=...): a script, a package beside it, a requirements.txt. */
    static byte[] sklearnSourceDir() {
        return Tarballs.create()
                .file("train.py", """
                        import argparse, glob, json, os
                        import joblib, pandas as pd, sklearn
                        from sklearn.ensemble import RandomForestClassifier
                        from lib.scoring import accuracy

                        parser = argparse.ArgumentParser()
                        parser.add_argument("--n-estimators", type=int, default=10)
                        parser.add_argument("--max-depth", type=int, default=None)
                        parser.add_argument("--model-dir", default=os.environ["SM_MODEL_DIR"])
                        parser.add_argument("--train", default=os.environ["SM_CHANNEL_TRAIN"])
                        args = parser.parse_args()
                        df = pd.concat(pd.read_csv(f, header=None) for f in sorted(glob.glob(args.train + "/*.csv")))
                        clf = RandomForestClassifier(n_estimators=args.n_estimators, max_depth=args.max_depth,
                                                     random_state=0).fit(df.iloc[:, 1:], df.iloc[:, 0])
                        acc = accuracy(clf, df.iloc[:, 1:], df.iloc[:, 0])
                        print("train-accuracy: %.4f" % acc)
                        joblib.dump(clf, os.path.join(args.model_dir, "model.joblib"))
                        with open(os.path.join(args.model_dir, "summary.json"), "w") as f:
                            json.dump({"trees": len(clf.estimators_), "accuracy": acc, "sklearn": sklearn.__version__,
                                       "hosts": json.loads(os.environ["SM_HOSTS"])}, f)
                        """)
                .file("lib/__init__.py", "")
                .file("lib/scoring.py", "def accuracy(model, x, y):\n    return float((model.predict(x) == y).mean())\n")
                .file("requirements.txt", "pandas\nscikit-learn>=1.0\n")
                .bytes();
    }

    /** PyTorch(entry_point="train.py"): a linear regression, trained with SGD. */
    static byte[] pytorchSourceDir() {
        return Tarballs.create().file("train.py", """
                import argparse, json, os
                import numpy as np, torch

                parser = argparse.ArgumentParser()
                parser.add_argument("--epochs", type=int, default=10)
                parser.add_argument("--lr", type=float, default=0.01)
                parser.add_argument("--model-dir", default=os.environ["SM_MODEL_DIR"])
                parser.add_argument("--training", default=os.environ["SM_CHANNEL_TRAINING"])
                args = parser.parse_args()
                data = torch.tensor(np.loadtxt(os.path.join(args.training, "train.csv"), delimiter=","), dtype=torch.float32)
                y, x = data[:, :1], data[:, 1:]
                torch.manual_seed(0)
                model = torch.nn.Linear(3, 1)
                opt = torch.optim.SGD(model.parameters(), lr=args.lr)
                for epoch in range(args.epochs):
                    opt.zero_grad()
                    loss = torch.nn.functional.mse_loss(model(x), y)
                    loss.backward()
                    opt.step()
                    print("epoch %d loss %.6f" % (epoch, loss.item()))
                torch.save(model.state_dict(), os.path.join(args.model_dir, "model.pth"))
                creds = [k for k in os.environ if k.startswith("AWS_") and "KEY" in k]
                with open(os.path.join(args.model_dir, "summary.json"), "w") as f:
                    json.dump({"weight": model.weight.detach().tolist()[0], "bias": model.bias.item(),
                               "torch": torch.__version__, "credentials": creds}, f)
                """).bytes();
    }

    @Test
    void sklearnEstimatorWithASourceDirTrainsAndItsModelIsDownloaded() throws Exception {
        String job = "sagemaker-scikit-learn-2026-12-04-22-00-00-001";
        uploadSourceDir(job, sklearnSourceDir());

        sm.createTrainingJob(sdkRequest(job, SKLEARN, "train", "s3://" + BUCKET + "/data/iris/",
                Map.of("n-estimators", "20", "max-depth", "4"),
                List.of(MetricDefinition.builder().name("train:accuracy").regex("train-accuracy: ([0-9.]+)").build()),
                false));
        DescribeTrainingJobResponse d = await(job);

        assertThat(d.trainingJobStatus()).as(String.valueOf(d.failureReason())).isEqualTo(TrainingJobStatus.COMPLETED);
        Path model = model(d);
        assertThat(model.resolve("model.joblib")).isNotEmptyFile();
        JsonNode summary = JSON.readTree(model.resolve("summary.json").toFile());
        assertThat(summary.get("trees").asInt()).isEqualTo(20);
        assertThat(summary.get("accuracy").asDouble()).isGreaterThan(0.9);
        assertThat(summary.get("hosts").get(0).asText()).isEqualTo("algo-1");
        assertThat(d.finalMetricDataList()).anySatisfy(m -> {
            assertThat(m.metricName()).isEqualTo("train:accuracy");
            assertThat(m.value()).isGreaterThan(0.9f);
        });
    }

    @Test
    void pytorchEstimatorTrainsWithNetworkIsolationAndNoCredentials() throws Exception {
        String job = "pytorch-training-2026-12-04-22-00-00-002";
        uploadSourceDir(job, pytorchSourceDir());

        sm.createTrainingJob(sdkRequest(job, PYTORCH, "training", "s3://" + BUCKET + "/data/linear/",
                Map.of("epochs", "300", "lr", "0.1"),
                List.of(MetricDefinition.builder().name("train:loss").regex("loss ([0-9.]+)").build()), true));
        DescribeTrainingJobResponse d = await(job);

        assertThat(d.trainingJobStatus()).as(String.valueOf(d.failureReason())).isEqualTo(TrainingJobStatus.COMPLETED);
        assertThat(d.enableNetworkIsolation()).isTrue();
        JsonNode summary = JSON.readTree(model(d).resolve("summary.json").toFile());
        assertThat(summary.get("weight").get(0).asDouble()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.05));
        assertThat(summary.get("weight").get(1).asDouble()).isCloseTo(-1.0, org.assertj.core.data.Offset.offset(0.05));
        assertThat(summary.get("bias").asDouble()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.05));
        assertThat(summary.get("credentials")).isEmpty();
        assertThat(d.finalMetricDataList()).anySatisfy(m -> assertThat(m.value()).isLessThan(0.01f));
    }

    @Test
    void aFailingScriptFailsTheJobWithTheToolkitsReason() throws Exception {
        String job = "sagemaker-scikit-learn-2026-12-04-22-00-00-003";
        uploadSourceDir(job, Tarballs.create().file("train.py", "import sys\nraise SystemExit('no data in ' + sys.argv[2])\n")
                .bytes());
        sm.createTrainingJob(sdkRequest(job, SKLEARN, "train", "s3://" + BUCKET + "/data/iris/",
                Map.of("input", "\"missing.csv\""), List.of(), false));
        DescribeTrainingJobResponse d = await(job);

        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(d.failureReason()).isEqualTo("AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage \"no data in "
                + "missing.csv\"\nCommand \"/usr/bin/python3 train.py --input missing.csv\"");
    }

    @Test
    void aHostileSourceDirIsRefusedBeforeAnythingRuns() throws Exception {
        String job = "sagemaker-scikit-learn-2026-12-04-22-00-00-004";
        uploadSourceDir(job, Tarballs.create().file("train.py", "print('never')\n")
                .symlink("data", "/etc").bytes());
        sm.createTrainingJob(sdkRequest(job, SKLEARN, "train", "s3://" + BUCKET + "/data/iris/", Map.of(), List.of(),
                false));
        DescribeTrainingJobResponse d = await(job);

        assertThat(d.trainingJobStatus()).isEqualTo(TrainingJobStatus.FAILED);
        assertThat(d.failureReason()).isEqualTo("ClientError: The training code s3://" + BUCKET + "/" + job
                + "/source/sourcedir.tar.gz cannot be unpacked: Archive entry 'data' is a symbolic link to '/etc'; "
                + "links are not allowed.");

        String missing = "sagemaker-scikit-learn-2026-12-04-22-00-00-005";
        sm.createTrainingJob(sdkRequest(missing, SKLEARN, "train", "s3://" + BUCKET + "/data/iris/", Map.of(),
                List.of(), false));
        assertThat(await(missing).failureReason()).startsWith("ClientError: The training code s3://" + BUCKET + "/"
                + missing + "/source/sourcedir.tar.gz (sagemaker_submit_directory) does not exist.");
    }
}
