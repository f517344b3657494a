package dev.sagebrush.training.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An /opt/ml tree as SageMaker prepares it for one host (algo-1, ml.m5.large), for running the entry point. */
final class OptMl {
    static final ObjectMapper JSON = new ObjectMapper();

    private OptMl() {}

    /** Creates the directories and the config files; channels are File mode and FullyReplicated. */
    static void create(Path ml, List<String> channels) throws IOException {
        for (String d : List.of("input/config", "model", "output/data", "code")) {
            Files.createDirectories(ml.resolve(d));
        }
        Map<String, Object> inputs = new LinkedHashMap<>();
        for (String c : channels) {
            Files.createDirectories(ml.resolve("input/data").resolve(c));
            inputs.put(c, Map.of("TrainingInputMode", "File", "S3DistributionType", "FullyReplicated",
                    "RecordWrapperType", "None"));
        }
        Files.writeString(ml.resolve("input/config/inputdataconfig.json"), JSON.writeValueAsString(inputs));
        Files.writeString(ml.resolve("input/config/resourceconfig.json"), """
                {"current_host": "algo-1", "current_instance_type": "ml.m5.large", "current_group_name": "homogeneousCluster",
                 "hosts": ["algo-1"], "instance_groups": [{"instance_group_name": "homogeneousCluster",
                 "instance_type": "ml.m5.large", "hosts": ["algo-1"]}], "network_interface_name": "eth0"}""");
    }

    /** The hyperparameters the SDK's Framework estimators send, with {@code user} JSON-encoded values. */
    static Map<String, String> sdkHyperparameters(String program, Map<String, String> user) {
        Map<String, String> hps = new LinkedHashMap<>(user);
        hps.put("sagemaker_submit_directory", "\"s3://sagemaker-us-east-1-000000000000/job-1/source/sourcedir.tar.gz\"");
        hps.put("sagemaker_program", "\"" + program + "\"");
        hps.put("sagemaker_container_log_level", "20");
        hps.put("sagemaker_job_name", "\"job-1\"");
        hps.put("sagemaker_region", "\"us-east-1\"");
        return hps;
    }

    static void hyperparameters(Path ml, Map<String, String> hps) throws IOException {
        Files.writeString(ml.resolve("input/config/hyperparameters.json"), JSON.writeValueAsString(hps));
    }
}
