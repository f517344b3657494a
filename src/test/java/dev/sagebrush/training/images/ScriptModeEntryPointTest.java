package dev.sagebrush.training.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sagebrush.testsupport.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The script-mode contract of the framework images' {@code train} (sagebrush_train.py), run with the host's
 * /usr/bin/python3 against an /opt/ml-like directory ({@code SAGEMAKER_BASE_DIR}, the toolkit's own override):
 * hyperparameters as the SageMaker Python SDK sends them, the script's arguments and SM_* environment as the
 * sagemaker-training-toolkit makes them, requirements.txt, and the exit code and output/failure of a failure.
 */
class ScriptModeEntryPointTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Writes what the script saw (argv, SM_* environment, cwd) to model/seen.json. */
    static final String RECORDING_SCRIPT = """
            import json, os, sys
            seen = {"argv": sys.argv, "cwd": os.getcwd(),
                    "env": {k: v for k, v in os.environ.items() if k.startswith("SM_") or k in ("PYTHONPATH",)}}
            with open(os.path.join(os.environ["SM_MODEL_DIR"], "seen.json"), "w") as f:
                json.dump(seen, f)
            if "--fail" in sys.argv:
                raise ValueError("the model did not converge")
            """;

    @TempDir Path ml;
    Path code;

    @BeforeEach
    void layout() throws IOException {
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/python3")), "/usr/bin/python3");
        code = ml.resolve("code");
        OptMl.create(ml, List.of("train", "validation"));
        Files.writeString(code.resolve("train.py"), RECORDING_SCRIPT);
    }

    /** The SDK's hyperparameters for SKLearn(entry_point="train.py", hyperparameters={...}).fit(). */
    static Map<String, String> sdkHyperparameters(Map<String, String> user) {
        return OptMl.sdkHyperparameters("train.py", user);
    }

    record Run(int exit, String output) {}

    Run train(Map<String, String> hyperparameters) throws Exception {
        OptMl.hyperparameters(ml, hyperparameters);
        Path entryPoint = ml.getParent().resolve(ml.getFileName() + "-train.py");
        Files.write(entryPoint, FrameworkImage.entryPoint());
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", entryPoint.toString(), "train")
                .redirectErrorStream(true);
        pb.environment().put("SAGEMAKER_BASE_DIR", ml.toString());
        pb.environment().put("TRAINING_JOB_NAME", "job-1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    JsonNode seen() throws IOException {
        return JSON.readTree(ml.resolve("model/seen.json").toFile());
    }

    @Test
    void runsTheEntryPointWithTheToolkitsArgumentsAndEnvironment() throws Exception {
        Map<String, String> user = new LinkedHashMap<>();
        user.put("n-estimators", "10");
        user.put("learning_rate", "0.1");
        user.put("criterion", "\"gini\"");
        user.put("warm_start", "true");
        user.put("layers", "[64, 32]");
        user.put("k", "3");
        user.put("note", "not json");
        Run run = train(sdkHyperparameters(user));

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(ml.resolve("output/success")).exists();
        assertThat(ml.resolve("output/failure")).doesNotExist();
        JsonNode seen = seen();
        List<String> argv = new ArrayList<>();
        seen.get("argv").forEach(a -> argv.add(a.asText()));
        // Keys sorted; one-letter keys get one dash; values str()-ed as Python does (True, [64, 32]), not JSON.
        assertThat(argv).containsExactly("train.py", "--criterion", "gini", "-k", "3", "--layers", "[64, 32]",
                "--learning_rate", "0.1", "--n-estimators", "10", "--note", "not json", "--warm_start", "True");
        assertThat(seen.get("cwd").asText()).isEqualTo(code.toString());
        JsonNode env = seen.get("env");
        assertThat(env.get("SM_MODEL_DIR").asText()).isEqualTo(ml.resolve("model").toString());
        assertThat(env.get("SM_CHANNELS").asText()).isEqualTo("[\"train\",\"validation\"]");
        assertThat(env.get("SM_CHANNEL_TRAIN").asText()).isEqualTo(ml.resolve("input/data/train").toString());
        assertThat(env.get("SM_CHANNEL_VALIDATION").asText()).isEqualTo(ml.resolve("input/data/validation").toString());
        assertThat(env.get("SM_OUTPUT_DATA_DIR").asText()).isEqualTo(ml.resolve("output/data").toString());
        assertThat(env.get("SM_HOSTS").asText()).isEqualTo("[\"algo-1\"]");
        assertThat(env.get("SM_CURRENT_HOST").asText()).isEqualTo("algo-1");
        assertThat(env.get("SM_CURRENT_INSTANCE_TYPE").asText()).isEqualTo("ml.m5.large");
        assertThat(env.get("SM_USER_ENTRY_POINT").asText()).isEqualTo("train.py");
        assertThat(env.get("SM_MODULE_NAME").asText()).isEqualTo("train");
        assertThat(env.get("SM_MODULE_DIR").asText())
                .isEqualTo("s3://sagemaker-us-east-1-000000000000/job-1/source/sourcedir.tar.gz");
        assertThat(env.get("SM_LOG_LEVEL").asText()).isEqualTo("20");
        assertThat(Integer.parseInt(env.get("SM_NUM_CPUS").asText())).isPositive();
        assertThat(env.get("SM_NUM_GPUS").asText()).isEqualTo("0");
        assertThat(env.get("SM_HPS").asText()).isEqualTo("{\"criterion\":\"gini\",\"k\":3,\"layers\":[64,32],"
                + "\"learning_rate\":0.1,\"n-estimators\":10,\"note\":\"not json\",\"warm_start\":true}");
        assertThat(env.get("SM_HP_WARM_START").asText()).isEqualTo("true");
        assertThat(env.get("SM_HP_CRITERION").asText()).isEqualTo("gini");
        assertThat(env.get("SM_HP_LAYERS").asText()).isEqualTo("[64,32]");
        assertThat(env.get("SM_FRAMEWORK_PARAMS").asText()).isEqualTo("{}");
        assertThat(JSON.readTree(env.get("SM_USER_ARGS").asText()).get(0).asText()).isEqualTo("--criterion");
        JsonNode training = JSON.readTree(env.get("SM_TRAINING_ENV").asText());
        assertThat(training.get("job_name").asText()).isEqualTo("job-1");
        assertThat(training.get("hyperparameters").has("sagemaker_program")).isFalse();
        assertThat(training.get("channel_input_dirs").get("train").asText())
                .isEqualTo(ml.resolve("input/data/train").toString());
        assertThat(training.get("is_master").asBoolean()).isTrue();
        assertThat(env.get("PYTHONPATH").asText()).startsWith(code.toString() + ":");
        assertThat(run.output()).contains("Invoking script with the following command:")
                .contains("Reporting training SUCCESS");
    }

    @Test
    void aFailingScriptExitsOneWithTheToolkitsFailureText() throws Exception {
        Run run = train(sdkHyperparameters(Map.of("fail", "true", "epochs", "2")));

        assertThat(run.exit()).isEqualTo(1);
        String failure = Files.readString(ml.resolve("output/failure"));
        assertThat(failure).startsWith("ExecuteUserScriptError:\nExitCode 1\nErrorMessage \"Traceback (most recent "
                + "call last):").contains("ValueError: the model did not converge\"")
                .endsWith("Command \"/usr/bin/python3 train.py --epochs 2 --fail True\"");
        assertThat(ml.resolve("output/success")).doesNotExist();
        assertThat(run.output()).contains("ValueError: the model did not converge"); // stderr still reaches the log
    }

    @Test
    void aFailureFileTheScriptWroteIsKept() throws Exception {
        Files.writeString(code.resolve("train.py"), """
                import os, sys
                open("%s/output/failure", "w").write("my own reason")
                sys.exit(3)
                """.formatted(ml));
        Run run = train(sdkHyperparameters(Map.of()));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(Files.readString(ml.resolve("output/failure"))).isEqualTo("my own reason");
    }

    @Test
    void requirementsTheImageMeetsAreAcceptedAndOthersRefusedBeforeTheScriptRuns() throws Exception {
        Files.writeString(code.resolve("requirements.txt"), "# comment\npackaging>=20\n");
        assertThat(train(sdkHyperparameters(Map.of())).exit()).isZero();

        Files.delete(ml.resolve("output/success"));
        Files.delete(ml.resolve("model/seen.json"));
        Files.writeString(code.resolve("requirements.txt"), "packaging<1\nsagebrush-no-such-package==1.0\n"
                + "--index-url https://pypi.org/simple\n");
        Run run = train(sdkHyperparameters(Map.of()));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(Files.readString(ml.resolve("output/failure"))).startsWith("InstallRequirementsError: "
                + "requirements.txt asks for packages this image cannot provide: packaging<1 (the image has ")
                .contains("sagebrush-no-such-package==1.0 (not installed)")
                .contains("--index-url https://pypi.org/simple (cannot be checked or installed here)")
                .contains("no package index is reachable");
        assertThat(ml.resolve("model/seen.json")).doesNotExist();
    }

    @Test
    void codeThatIsNotInOptMlCodeFailsWithAReason() throws Exception {
        Files.delete(code.resolve("train.py"));
        Run run = train(sdkHyperparameters(Map.of()));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(Files.readString(ml.resolve("output/failure"))).startsWith("The training code "
                + "s3://sagemaker-us-east-1-000000000000/job-1/source/sourcedir.tar.gz (sagemaker_submit_directory) "
                + "was not placed in " + code);
    }

    @Test
    void withoutSagemakerProgramNothingRuns() throws Exception {
        Map<String, String> hps = sdkHyperparameters(Map.of());
        hps.remove("sagemaker_program");
        Run run = train(hps);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(Files.readString(ml.resolve("output/failure"))).startsWith("No sagemaker_program hyperparameter");
    }

    @Test
    void aShellEntryPointRunsWithShAsTheToolkitRunsCommands() throws Exception {
        Files.writeString(code.resolve("train.sh"), "echo \"$@\" > \"$SM_MODEL_DIR/args.txt\"\n");
        Map<String, String> hps = sdkHyperparameters(Map.of("epochs", "2"));
        hps.put("sagemaker_program", "\"train.sh\"");
        Run run = train(hps);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(Files.readString(ml.resolve("model/args.txt"))).isEqualTo("--epochs 2\n");
    }
}
