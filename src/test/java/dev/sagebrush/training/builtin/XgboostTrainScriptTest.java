package dev.sagebrush.training.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.testsupport.Prerequisites;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The built-in XGBoost script on its own, in a directory laid out like /opt/ml: the algorithm's validation messages,
 * the failure file, and the model format each version writes. Needs /usr/bin/python3 with xgboost.
 */
class XgboostTrainScriptTest {
    static final String IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:";
    static final String CSV_CHANNELS = "{\"train\": {\"ContentType\": \"text/csv\", \"TrainingInputMode\": \"File\", "
            + "\"S3DistributionType\": \"FullyReplicated\", \"RecordWrapperType\": \"None\"}}";
    @TempDir Path ml;

    @BeforeAll
    static void python() throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import xgboost").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        Prerequisites.require(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0,
                "/usr/bin/python3 with xgboost (Debian package python3-xgboost)");
    }

    record Run(int exit, String output, String failure) {}

    Run run(String tag, String hyperparameters, String channels, String csv, String... args) throws Exception {
        Process p = start(tag, hyperparameters, channels, csv, args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        Path failure = ml.resolve("output/failure");
        return new Run(p.exitValue(), out, Files.exists(failure) ? Files.readString(failure) : null);
    }

    Process start(String tag, String hyperparameters, String channels, String csv, String... args) throws Exception {
        for (String d : List.of("input/config", "input/data/train", "model", "output", "tmp")) {
            Files.createDirectories(ml.resolve(d));
        }
        Files.writeString(ml.resolve("input/config/hyperparameters.json"), hyperparameters);
        Files.writeString(ml.resolve("input/config/inputdataconfig.json"), channels);
        Files.writeString(ml.resolve("input/data/train/data.csv"), csv);
        BuiltinAlgorithm algorithm = BuiltinAlgorithms.resolve(IMAGE + tag).orElseThrow();
        algorithm.install(ml);
        List<String> command = new ArrayList<>(algorithm.command());
        command.addAll(args.length == 0 ? List.of("train") : List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(ml.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(Map.of("PATH", "/usr/bin:/bin", "TMPDIR", ml.resolve("tmp").toString(),
                "SAGEBRUSH_ML_ROOT", ml.toString(), "SM_MODEL_DIR", ml.resolve("model").toString(),
                "SM_OUTPUT_FAILURE", ml.resolve("output/failure").toString()));
        return pb.start();
    }

    static String rows(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(i % 2).append(',').append(i * 0.5).append(',').append(n - i).append('\n');
        return sb.toString();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"num_round\": \"5\", \"eta\": \"2\"}                 | ClientError: Hyperparameter eta: 2.0 is not in [0, 1]",
            "{\"eta\": \"0.2\"}                                     | ClientError: Missing required hyperparameter: num_round",
            "{\"num_round\": \"5\", \"etaa\": \"1\"}                | ClientError: Extraneous hyperparameter found: etaa",
            "{\"num_round\": \"five\"}                              | ClientError: Hyperparameter num_round: could not parse value (caused by ValueError)",
            "{\"num_round\": \"0\"}                                 | ClientError: Hyperparameter num_round: 0 is not in [1, +inf)",
            "{\"num_round\": \"5\", \"subsample\": \"0\"}           | ClientError: Hyperparameter subsample: 0.0 is not in (0, 1]",
            "{\"num_round\": \"5\", \"learning_rate\": \"-1\"}      | ClientError: Hyperparameter eta: -1.0 is not in [0, 1]",
            "{\"num_round\": \"5\", \"booster\": \"forest\"}        | ClientError: Hyperparameter booster: forest is not in ['gbtree', 'gblinear', 'dart']",
            "{\"num_round\": \"5\", \"objective\": \"multi:softmax\"} | ClientError: Require input for parameter 'num_class' for multi-classification",
            "{\"num_round\": \"5\", \"eval_metric\": \"auc\"}        | ClientError: Metric 'auc' can only be applied for classification and ranking problems.",
            "{\"num_round\": \"5\", \"eval_metric\": \"rmse@2\"}     | ClientError: Metric 'rmse@2' is not supported. Parameter 'eval_metric' with customized threshold should be one of these options: 'error', 'ndcg', 'map'.",
            "{\"num_round\": \"5\", \"monotone_constraints\": \"(1,0)\"} | ClientError: monotone_constraints can be used only when the tree_method parameter is set to either 'exact' or 'hist'.",
            "{\"num_round\": \"5\", \"monotone_constraints\": \"__import__('os')\", \"tree_method\": \"hist\"} | ClientError: Hyperparameter monotone_constraints: could not parse value (caused by ValueError)",
            "{\"num_round\": \"5\", \"tree_method\": \"gpu_hist\"}   | ClientError: GPU training is not supported by Sagebrush: tree_method 'gpu_hist' needs a GPU. Use 'hist', 'approx', 'exact' or 'auto'.",
            "{\"num_round\": \"5\", \"_kfold\": \"3\"}              | ClientError: Cross-validation (_kfold) is not supported by Sagebrush's built-in XGBoost.",
            "{\"num_round\": \"5\", \"objective\": \"binary:logistic\", \"base_score\": \"2\"} | base_score must be in (0,1) for logistic loss, got: 2",
    })
    void hyperparametersAreValidatedWithTheAlgorithmsMessages(String hyperparameters, String reason) throws Exception {
        Run r = run("1.7-1", hyperparameters, CSV_CHANNELS, rows(20));
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        assertThat(r.failure()).as(r.output()).endsWith(reason);
        assertThat(r.failure()).startsWith("ClientError: ");
        assertThat(ml.resolve("model/xgboost-model")).doesNotExist();
    }

    @Test
    void xgboostsOwnFailuresAreAlgorithmErrors() throws Exception {
        Run r = run("1.7-1", "{\"num_round\": \"2\", \"objective\": \"aft_loss_distribution\"}", CSV_CHANNELS, rows(20));
        assertThat(r.failure()).startsWith("AlgorithmError: XGB train call failed with exception:\n")
                .doesNotContain("Stack trace");
    }

    @Test
    void dataTheAlgorithmCannotReadIsAClientError() throws Exception {
        assertThat(run("1.7-1", "{\"num_round\": \"2\"}", CSV_CHANNELS.replace("text/csv", "application/x-parquet"),
                rows(20)).failure()).isEqualTo("ClientError: Content type application/x-parquet is accepted by "
                + "SageMaker's XGBoost algorithm but not supported by Sagebrush, which reads text/csv and text/libsvm channels.");
        assertThat(run("1.7-1", "{\"num_round\": \"2\"}", CSV_CHANNELS.replace("text/csv", "text/libsvm"),
                "1,2,3\n").failure()).startsWith("ClientError: First line '1,2,3").endsWith("is not 'LIBSVM' format. "
                + "Please ensure the file is in 'LIBSVM' format.");
        assertThat(run("1.7-1", "{\"num_round\": \"2\"}", CSV_CHANNELS.replace("train", "training"), rows(5))
                .failure()).isEqualTo("ClientError: Missing required channel: train");
        assertThat(run("1.7-1", "{\"num_round\": \"2\"}", CSV_CHANNELS, "").failure())
                .startsWith("ClientError: No data in training channel path ");
        assertThat(run("1.7-1", "{\"num_round\": \"2\", \"sagemaker_program\": \"\\\"train.py\\\"\"}", CSV_CHANNELS,
                rows(5)).failure()).startsWith("ClientError: Script mode");
        assertThat(run("1.7-1", "{\"num_round\": \"2\"}", CSV_CHANNELS, rows(5), "serve").failure())
                .startsWith("ClientError: The built-in XGBoost algorithm runs with the argument 'train'");
    }

    @ParameterizedTest
    @CsvSource({"0.90-1-cpu-py3, pickle", "1.2-2, pickle", "1.3-1, binary", "1.7-1, binary"})
    void eachVersionSavesTheModelAsItDoes(String tag, String format) throws Exception {
        Run r = run(tag, "{\"num_round\": \"3\", \"objective\": \"binary:logistic\", \"eval_metric\": \"logloss,accuracy\"}",
                CSV_CHANNELS, rows(40));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.failure()).isNull();
        assertThat(r.output()).containsPattern("\\[2\\]\ttrain-logloss:[0-9.]+\ttrain-accuracy:[0-9.]+\n");
        byte[] model = Files.readAllBytes(ml.resolve("model/xgboost-model"));
        if (format.equals("pickle")) {
            assertThat(model[0] & 0xff).isEqualTo(0x80);
        } else {
            assertThat(new String(model, 0, 4, StandardCharsets.ISO_8859_1)).isEqualTo("binf");
        }
    }

    @Test
    void everyDataFileOfTheChannelIsReadWhateverItsName() throws Exception {
        Path train = Files.createDirectories(ml.resolve("input/data/train/nested"));
        Files.writeString(train.resolve("part#1?x=y.csv"), "1,5,6\n0,7,8"); // no final newline
        Files.writeString(train.resolve(".hidden"), "not,data,at,all\n");
        Files.writeString(train.resolve("_SUCCESS"), "");
        Run r = run("1.7-1", "{\"num_round\": \"2\"}", CSV_CHANNELS, rows(10));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("Train matrix has 12 rows and 2 columns");
    }

    @Test
    void saveModelOnTerminationKeepsTheLastRoundWhenStopped() throws Exception {
        Process p = start("1.7-1", "{\"num_round\": \"1000000\", \"save_model_on_termination\": \"true\"}",
                CSV_CHANNELS, rows(50));
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null && !line.startsWith("[3]\t"); line = out.readLine()) { }
        p.toHandle().destroy(); // SIGTERM, as StopTrainingJob sends
        out.transferTo(java.io.Writer.nullWriter());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(new String(Files.readAllBytes(ml.resolve("model/xgboost-model")), 0, 4, StandardCharsets.ISO_8859_1))
                .isEqualTo("binf");
    }
}
