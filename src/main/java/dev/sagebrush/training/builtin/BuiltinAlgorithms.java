package dev.sagebrush.training.builtin;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sagemaker.model.AlgorithmSpecification;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;

/**
 * SageMaker's built-in algorithms that Sagebrush runs with no configuration, recognized by their AWS image URIs: today
 * XGBoost ({@code sagemaker-xgboost}, 0.90-1 to 1.7-1), played by {@code sagebrush_xgboost_train.py} with the host's
 * xgboost library (Debian {@code python3-xgboost}) under the SageMaker container contract.
 *
 * <p>Why Python and not xgboost4j in the JVM: training is untrusted work (hostile data is parsed by xgboost's native
 * code) and must not run in the server's process; as a child process it runs through the same runner and sandbox as
 * any training image. The Python package also writes exactly what the algorithm writes: a pickled Booster for the
 * versions that pickle, Booster.save_model for the others, which xgboost4j cannot produce.
 */
public final class BuiltinAlgorithms {
    static final String PYTHON = "/usr/bin/python3";
    static final String XGBOOST_SCRIPT = "sagebrush_xgboost_train.py";
    static final List<String> XGBOOST_RESOURCES = List.of(XGBOOST_SCRIPT, "sagebrush_xgboost_hyperparameters.py");

    private BuiltinAlgorithms() {}

    /** The hyperparameter that makes a job script mode: the image then runs the user's entry point. */
    static final String SCRIPT_MODE_HYPERPARAMETER = "sagemaker_program";

    /**
     * The built-in algorithm a job runs: its TrainingImage names one and it is not script mode. AWS's XGBoost image
     * serves both; with {@code sagemaker_program} (the SDK's XGBoost framework estimator) it runs the user's script,
     * which is the framework image's work (training/images), not the algorithm's.
     */
    public static Optional<BuiltinAlgorithm> resolve(String image, Map<String, String> hyperParameters) {
        if (hyperParameters != null && hyperParameters.containsKey(SCRIPT_MODE_HYPERPARAMETER)) return Optional.empty();
        return resolve(image);
    }

    /** The built-in algorithm a TrainingImage names, if it names one. */
    public static Optional<BuiltinAlgorithm> resolve(String image) {
        return SagemakerXgboostImages.get().resolve(image).map(i -> new BuiltinAlgorithm(image,
                "SageMaker built-in XGBoost " + i.version().version(),
                // -I: no PYTHON* variables or user site-packages from the job's Environment; -B: no .pyc files.
                List.of(PYTHON, "-I", "-B", BuiltinAlgorithm.CODE_DIR + "/" + XGBOOST_SCRIPT,
                        "--sagemaker-xgboost-version", i.version().version()),
                XGBOOST_RESOURCES));
    }

    /**
     * The AlgorithmSpecification a job of a built-in algorithm is stored with: as on SageMaker, a request without
     * MetricDefinitions gets the algorithm's own, so FinalMetricDataList and Search's Metrics.* fill.
     */
    public static AlgorithmSpecification withBuiltinMetrics(AlgorithmSpecification spec) {
        if (spec == null || (spec.hasMetricDefinitions() && !spec.metricDefinitions().isEmpty())) return spec;
        return metricDefinitions(spec.trainingImage())
                .map(defs -> spec.toBuilder().metricDefinitions(defs).build()).orElse(spec);
    }

    static Optional<List<MetricDefinition>> metricDefinitions(String image) {
        return SagemakerXgboostImages.get().resolve(image).map(i -> XgboostMetricDefinitions.all());
    }
}
