package dev.sagebrush.training.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sagebrush.testsupport.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The framework images themselves: built by {@link ImageBuilder} (once per machine: an image of the same recipe is
 * reused, so after {@code .ci/run}'s {@code bin/sagebrush images build} this costs nothing), then run the way
 * SageMaker runs a training container, {@code podman run <image> train} with the job's directory at /opt/ml, no
 * network and no credentials: scikit-learn, PyTorch and XGBoost scripts train and save their models; a failing one
 * exits 1 with output/failure. (Through the server, with the container backend, see ScriptModeIT.)
 */
class FrameworkImagesIT {
    static ImageStore store;
    @TempDir Path tmp;

    @BeforeAll
    static void build() throws Exception {
        Prerequisites.require(ImageStore.onPath("podman"), "podman (Debian: apt-get install podman runc)");
        Prerequisites.require(ImageStore.onPath("mmdebstrap"), "mmdebstrap");
        Prerequisites.require("root".equals(System.getProperty("user.name")), "root (podman with runc, mmdebstrap)");
        store = new ImageStore("podman");
        ImageBuilder builder = new ImageBuilder(store, ImageBuilder.DEFAULT_MIRROR, Path.of("/var/tmp"), System.out);
        for (FrameworkImage image : FrameworkImage.values()) {
            builder.build(image, false);
            assertThat(store.upToDate(image)).as(image.imageName()).isTrue();
        }
    }

    record Run(int exit, String output) {}

    /** As SageMaker starts a training container: the argument {@code train}, /opt/ml mounted, here without network. */
    static Run run(FrameworkImage image, Path ml) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("podman", "run", "--rm", "--runtime", "runc", "--network", "none",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", "--hostname", "algo-1",
                "-e", "TRAINING_JOB_NAME=job-1", "-v", ml + ":/opt/ml", image.imageName(), "train"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), out);
    }

    Path job(String channel, String csv, String script, Map<String, String> hps) throws IOException {
        Path ml = tmp.resolve("ml");
        OptMl.create(ml, List.of(channel));
        Files.writeString(ml.resolve("input/data").resolve(channel).resolve("train.csv"), csv);
        Files.writeString(ml.resolve("code/train.py"), script);
        OptMl.hyperparameters(ml, OptMl.sdkHyperparameters("train.py", hps));
        return ml;
    }

    static String classes() {
        StringBuilder csv = new StringBuilder();
        Random r = new Random(3);
        for (int i = 0; i < 120; i++) {
            int label = i % 2;
            csv.append(label);
            for (int f = 0; f < 3; f++) csv.append(',').append(String.format(Locale.ROOT, "%.3f", label * 2 + r.nextGaussian() * 0.3));
            csv.append('\n');
        }
        return csv.toString();
    }

    static JsonNode summary(Path ml) throws IOException {
        return OptMl.JSON.readTree(ml.resolve("model/summary.json").toFile());
    }

    @Test
    void sklearnImageRunsAScriptModeJob() throws Exception {
        Path ml = job("train", classes(), """
                import argparse, json, os, joblib, pandas as pd, sklearn
                from sklearn.linear_model import LogisticRegression
                # the toolkit passes a one-letter hyperparameter as -C, longer ones as --name
                p = argparse.ArgumentParser(); p.add_argument("-C", type=float)
                args = p.parse_args()
                df = pd.read_csv(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv"), header=None)
                m = LogisticRegression(C=args.C).fit(df.iloc[:, 1:], df.iloc[:, 0])
                joblib.dump(m, os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"))
                json.dump({"accuracy": m.score(df.iloc[:, 1:], df.iloc[:, 0]), "version": sklearn.__version__,
                           "user": os.getuid()}, open(os.path.join(os.environ["SM_MODEL_DIR"], "summary.json"), "w"))
                """, Map.of("C", "0.5"));
        Run run = run(FrameworkImage.SKLEARN, ml);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(ml.resolve("model/model.joblib")).isNotEmptyFile();
        assertThat(ml.resolve("output/success")).exists();
        assertThat(summary(ml).get("accuracy").asDouble()).isGreaterThan(0.95);
        assertThat(summary(ml).get("version").asText()).isEqualTo("1.2.1");
    }

    @Test
    void pytorchImageRunsAScriptModeJob() throws Exception {
        Path ml = job("training", classes(), """
                import json, os, numpy as np, torch
                d = torch.tensor(np.loadtxt(os.path.join(os.environ["SM_CHANNEL_TRAINING"], "train.csv"), delimiter=","),
                                 dtype=torch.float32)
                torch.manual_seed(0)
                m = torch.nn.Linear(3, 1)
                opt = torch.optim.Adam(m.parameters(), lr=0.1)
                for _ in range(100):
                    opt.zero_grad()
                    loss = torch.nn.functional.binary_cross_entropy_with_logits(m(d[:, 1:]), d[:, :1])
                    loss.backward(); opt.step()
                torch.save(m.state_dict(), os.path.join(os.environ["SM_MODEL_DIR"], "model.pth"))
                json.dump({"loss": loss.item(), "version": torch.__version__},
                          open(os.path.join(os.environ["SM_MODEL_DIR"], "summary.json"), "w"))
                """, Map.of());
        Run run = run(FrameworkImage.PYTORCH, ml);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(ml.resolve("model/model.pth")).isNotEmptyFile();
        assertThat(summary(ml).get("loss").asDouble()).isLessThan(0.2);
        assertThat(summary(ml).get("version").asText()).startsWith("1.13"); // Debian's 1.13.1 reports 1.13.0a0
    }

    @Test
    void xgboostImageRunsAScriptModeJob() throws Exception {
        Path ml = job("train", classes(), """
                import argparse, json, os, pandas as pd, xgboost as xgb
                p = argparse.ArgumentParser(); p.add_argument("--num_round", type=int); p.add_argument("--max_depth", type=int)
                args = p.parse_args()
                df = pd.read_csv(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv"), header=None)
                dtrain = xgb.DMatrix(df.iloc[:, 1:], label=df.iloc[:, 0])
                result = {}
                booster = xgb.train({"objective": "binary:logistic", "max_depth": args.max_depth}, dtrain,
                                    args.num_round, evals=[(dtrain, "train")], evals_result=result)
                booster.save_model(os.path.join(os.environ["SM_MODEL_DIR"], "xgboost-model"))
                json.dump({"logloss": result["train"]["logloss"][-1], "version": xgb.__version__},
                          open(os.path.join(os.environ["SM_MODEL_DIR"], "summary.json"), "w"))
                """, Map.of("num_round", "10", "max_depth", "3"));
        Run run = run(FrameworkImage.XGBOOST, ml);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(ml.resolve("model/xgboost-model")).isNotEmptyFile();
        assertThat(summary(ml).get("version").asText()).isEqualTo("1.7.4");
        assertThat(run.output()).contains("[9]\ttrain-logloss:");
    }

    @Test
    void aFailingScriptExitsOneWithOutputFailure() throws Exception {
        Path ml = job("train", classes(), "import json\njson.loads('{broken')\n", Map.of());
        Run run = run(FrameworkImage.SKLEARN, ml);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(Files.readString(ml.resolve("output/failure"))).startsWith("ExecuteUserScriptError:\nExitCode 1\n"
                + "ErrorMessage \"Traceback (most recent call last):").contains("json.decoder.JSONDecodeError")
                .endsWith("Command \"/usr/bin/python3 train.py\"");
    }

    @Test
    void imagesCarryTheirRecipeAndNoPackageManager() throws Exception {
        for (FrameworkImage image : FrameworkImage.values()) {
            ImageStore.Built b = store.inspect(image.imageName()).orElseThrow();
            assertThat(b.recipe()).isEqualTo(image.recipeHash());
            assertThat(b.sizeBytes()).isPositive();
        }
        Process p = new ProcessBuilder("podman", "run", "--rm", "--runtime", "runc", "--network", "none",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", FrameworkImage.SKLEARN.imageName(),
                "/bin/sh", "-c",
                "command -v apt-get pip pip3 || echo none; head -n 1 /usr/local/bin/train")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out).startsWith("none\n#!/usr/bin/python3");
    }
}
