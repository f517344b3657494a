package dev.sagebrush.training.builtin;

import java.util.List;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;

/**
 * The metric definitions SageMaker attaches to a built-in XGBoost training job that names none, so that
 * FinalMetricDataList, Search's {@code Metrics.*} and the job's metrics fill without the user writing a regex.
 * Names and regexes are the ones DescribeTrainingJob shows for sagemaker-xgboost jobs on AWS (train:/validation: for
 * each metric the algorithm prints), in AWS's order; the regexes match the algorithm's lines as CloudWatch shows
 * them, a tab written as {@code #011}: {@code [12]#011train-rmse:1.25702#011validation-rmse:2.43126}.
 */
public final class XgboostMetricDefinitions {
    private static final String NUMBER = "([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)";

    private static final List<String> NAMES = List.of(
            "train:mae", "validation:aucpr", "train:merror", "train:gamma-nloglik", "validation:mae",
            "validation:logloss", "train:mlogloss", "validation:f1", "train:accuracy", "train:mse",
            "validation:poisson-nloglik", "train:tweedie-nloglik", "train:error", "train:ndcg", "validation:map",
            "validation:auc", "validation:gamma-deviance", "train:auc", "validation:error", "validation:merror",
            "train:poisson-nloglik", "train:rmse", "train:logloss", "validation:accuracy", "train:aucpr",
            "validation:tweedie-nloglik", "validation:rmse", "train:gamma-deviance", "validation:mse",
            "validation:ndcg", "train:f1", "validation:mlogloss", "train:map", "validation:gamma-nloglik",
            "train:cox-nloglik", "validation:cox-nloglik", "validation:r2");

    private static final List<MetricDefinition> DEFINITIONS = NAMES.stream().map(XgboostMetricDefinitions::of).toList();

    private XgboostMetricDefinitions() {}

    public static List<MetricDefinition> all() {
        return DEFINITIONS;
    }

    static MetricDefinition of(String name) {
        String[] parts = name.split(":", 2);
        return MetricDefinition.builder().name(name)
                .regex(".*\\[[0-9]+\\].*#011" + parts[0] + "-" + parts[1] + ":" + NUMBER + ".*").build();
    }
}
