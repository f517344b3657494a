package dev.sagebrush.training.runner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;

/**
 * What a training process sees of its job, generated from the job's description: the three files SageMaker writes to
 * {@code /opt/ml/input/config} and the process environment. SageMaker's platform only sets {@code TRAINING_JOB_NAME},
 * {@code TRAINING_JOB_ARN} and the user's Environment; the {@code SM_*} variables are normally computed inside the
 * container by the sagemaker-training-toolkit. Here there is no container to hold the toolkit, so Sagebrush computes
 * them too, the toolkit's way: scripts written for the toolkit work unchanged, and so do scripts that read the config
 * files. The training process runs in a sandbox that shows the job's {@code ml/} directory at {@code /opt/ml}, as
 * SageMaker does, and every path in the environment is the one the process sees ({@link #ML_INSIDE}).
 */
public final class ContainerConfig {
    /** The instance type reported when the job named none (ResourceConfig is optional in the current model). */
    static final String DEFAULT_INSTANCE_TYPE = "local";
    static final String GROUP = "homogeneousCluster";
    /** Variables of the server's own environment a child may need; everything else (credentials!) stays out. */
    private static final List<String> INHERITED = List.of("PATH", "LANG", "LC_ALL", "TZ", "JAVA_HOME");

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

    /** Where the sandbox shows the job's ml/ directory, as in a SageMaker training container. */
    public static final Path ML_INSIDE = Path.of("/opt/ml");
    /** The sandbox's private tmpfs. */
    static final Path TMP_INSIDE = Path.of("/tmp");

    private final DescribeTrainingJobResponse job;
    private final JobLayout layout;
    private final List<String> hosts;
    private final int cpus;

    /** The view of a job with one host, {@code algo-1}. */
    public ContainerConfig(DescribeTrainingJobResponse job, JobLayout layout, int cpus) {
        this(job, layout, List.of(JobLayout.HOST), cpus);
    }

    /**
     * @param layout the host this config is for ({@link JobLayout#host()} is {@code current_host})
     * @param hosts  every host of the job, {@code algo-1..N}
     * @param cpus   the CPUs the host gets ({@code SM_NUM_CPUS})
     */
    public ContainerConfig(DescribeTrainingJobResponse job, JobLayout layout, List<String> hosts, int cpus) {
        this.job = job;
        this.layout = layout;
        this.hosts = List.copyOf(hosts);
        this.cpus = cpus;
    }

    /** A path of the job's ml/ tree as the training process sees it. */
    String inside(Path hostPath) {
        return ML_INSIDE.resolve(layout.ml().relativize(hostPath)).toString();
    }

    /** Writes hyperparameters.json, inputdataconfig.json, resourceconfig.json and, when given, debughookconfig.json. */
    public void writeConfigFiles() throws IOException {
        Files.writeString(layout.config().resolve("hyperparameters.json"), json(job.hyperParameters()));
        Files.writeString(layout.config().resolve("inputdataconfig.json"), json(inputDataConfig()));
        Files.writeString(layout.config().resolve("resourceconfig.json"), json(resourceConfig()));
        if (job.debugHookConfig() != null) {
            Files.writeString(layout.config().resolve("debughookconfig.json"), json(debugHookConfig()));
        }
    }

    /**
     * debughookconfig.json, as SageMaker writes it for the Debugger hook (smdebug) in the container: the request's
     * DebugHookConfig with LocalPath defaulting to {@code /opt/ml/output/tensors}.
     */
    Map<String, Object> debugHookConfig() {
        var d = job.debugHookConfig();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("LocalPath", d.localPath() != null ? d.localPath() : inside(layout.output().resolve("tensors")));
        if (d.s3OutputPath() != null) out.put("S3OutputPath", d.s3OutputPath());
        if (d.hasHookParameters()) out.put("HookParameters", new TreeMap<>(d.hookParameters()));
        List<Map<String, Object>> collections = new java.util.ArrayList<>();
        for (var c : d.collectionConfigurations()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("CollectionName", c.collectionName());
            if (c.hasCollectionParameters()) m.put("CollectionParameters", new TreeMap<>(c.collectionParameters()));
            collections.add(m);
        }
        out.put("CollectionConfigurations", collections);
        return out;
    }

    /** inputdataconfig.json: per channel, its effective input mode, distribution, record wrapping and content type. */
    Map<String, Object> inputDataConfig() {
        Map<String, Object> out = new TreeMap<>();
        for (Channel c : job.inputDataConfig()) {
            Map<String, Object> ch = new LinkedHashMap<>();
            ch.put("TrainingInputMode", effectiveInputMode(job, c));
            String distribution = c.dataSource() != null && c.dataSource().s3DataSource() != null
                    && c.dataSource().s3DataSource().s3DataDistributionTypeAsString() != null
                    ? c.dataSource().s3DataSource().s3DataDistributionTypeAsString() : "FullyReplicated";
            ch.put("S3DistributionType", distribution);
            ch.put("RecordWrapperType", c.recordWrapperTypeAsString() == null ? "None" : c.recordWrapperTypeAsString());
            if (c.contentType() != null) ch.put("ContentType", c.contentType());
            out.put(c.channelName(), ch);
        }
        return out;
    }

    static String effectiveInputMode(DescribeTrainingJobResponse job, Channel c) {
        if (c.inputModeAsString() != null) return c.inputModeAsString();
        return job.algorithmSpecification() == null ? "File" : job.algorithmSpecification().trainingInputModeAsString();
    }

    String instanceType() {
        return job.resourceConfig() != null && job.resourceConfig().instanceTypeAsString() != null
                ? job.resourceConfig().instanceTypeAsString() : DEFAULT_INSTANCE_TYPE;
    }

    Map<String, Object> resourceConfig() {
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("instance_group_name", GROUP);
        group.put("instance_type", instanceType());
        group.put("hosts", hosts);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("current_host", layout.host());
        out.put("current_instance_type", instanceType());
        out.put("current_group_name", GROUP);
        out.put("hosts", hosts);
        out.put("instance_groups", List.of(group));
        out.put("network_interface_name", "eth0");
        return out;
    }

    /**
     * A sandboxed process's whole environment: a few inherited basics (the host's system is its system), HOME and
     * TMPDIR on its private /tmp, then {@link #jobEnvironment()}.
     */
    public Map<String, String> environment(Map<String, String> serverEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String k : INHERITED) {
            if (serverEnv.containsKey(k)) env.put(k, serverEnv.get(k));
        }
        env.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", TMP_INSIDE.toString());
        env.put("TMPDIR", TMP_INSIDE.toString());
        env.putAll(jobEnvironment());
        return env;
    }

    /**
     * What the platform adds to a container's own environment (its image's ENV stays, PATH included): the SM_* set,
     * the user's Environment, the job's name and ARN. Nothing of the server's environment.
     */
    public Map<String, String> jobEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.putAll(toolkitVariables());
        // The user's Environment goes in as given and may override the toolkit's values, as it could in a container
        // whose entry point reads them; the platform's own two variables always win.
        env.putAll(job.environment());
        env.put("TRAINING_JOB_NAME", job.trainingJobName());
        env.put("TRAINING_JOB_ARN", job.trainingJobArn());
        env.keySet().removeIf(k -> k.isEmpty() || k.indexOf('=') >= 0 || k.indexOf('\0') >= 0);
        env.values().removeIf(v -> v.indexOf('\0') >= 0);
        return env;
    }

    /** The variables the sagemaker-training-toolkit derives (T1 ENVIRONMENT_VARIABLES.md), for this host. */
    Map<String, String> toolkitVariables() {
        Map<String, Object> hps = new TreeMap<>();
        Map<String, Object> frameworkParams = new TreeMap<>();
        job.hyperParameters().forEach((k, v) -> (k.startsWith("sagemaker_") ? frameworkParams : hps).put(k, decode(v)));
        Map<String, String> channelDirs = new TreeMap<>();
        for (Channel c : job.inputDataConfig()) {
            channelDirs.put(c.channelName(), inside(layout.channel(c.channelName())));
        }
        String entryPoint = frameworkParams.get("sagemaker_program") instanceof String s ? s : "";
        String moduleDir = frameworkParams.get("sagemaker_submit_directory") instanceof String s ? s : "";
        String moduleName = entryPoint.endsWith(".py") ? entryPoint.substring(0, entryPoint.length() - 3) : entryPoint;
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("instance_group_name", GROUP);
        group.put("instance_type", instanceType());
        group.put("hosts", hosts);

        Map<String, Object> training = new TreeMap<>();
        training.put("additional_framework_parameters", frameworkParams);
        training.put("channel_input_dirs", channelDirs);
        training.put("current_host", layout.host());
        training.put("current_instance_group", GROUP);
        training.put("current_instance_group_hosts", hosts);
        training.put("current_instance_type", instanceType());
        training.put("distribution_hosts", List.of());
        training.put("distribution_instance_groups", List.of());
        training.put("framework_module", null);
        training.put("hosts", hosts);
        training.put("hyperparameters", hps);
        training.put("input_config_dir", inside(layout.config()));
        training.put("input_data_config", inputDataConfig());
        training.put("input_dir", inside(layout.input()));
        training.put("instance_groups", List.of(GROUP));
        training.put("instance_groups_dict", Map.of(GROUP, group));
        training.put("is_hetero", false);
        training.put("is_master", layout.host().equals(hosts.get(0)));
        training.put("job_name", job.trainingJobName());
        training.put("log_level", 20);
        training.put("master_hostname", hosts.get(0));
        training.put("model_dir", inside(layout.model()));
        training.put("module_dir", moduleDir);
        training.put("module_name", moduleName);
        training.put("network_interface_name", "eth0");
        training.put("num_cpus", cpus);
        training.put("num_gpus", 0);
        training.put("num_neurons", 0);
        // The sagemaker-training-toolkit's output_data_dir: /opt/ml/output/data itself on every host (the older
        // sagemaker-containers added the host's name); what is there becomes output.tar.gz.
        training.put("output_data_dir", inside(layout.outputData()));
        training.put("output_dir", inside(layout.output()));
        training.put("output_intermediate_dir", inside(layout.outputIntermediate()));
        training.put("resource_config", resourceConfig());
        training.put("user_entry_point", entryPoint);

        Map<String, String> env = new LinkedHashMap<>();
        // The toolkit's rule: SM_ + upper-cased key; strings as they are, anything else as compact JSON.
        training.forEach((k, v) -> {
            if (!k.equals("hyperparameters") && !k.equals("additional_framework_parameters")) {
                env.put("SM_" + k.toUpperCase(java.util.Locale.ROOT), envValue(v));
            }
        });
        env.put("SM_HPS", json(hps));
        env.put("SM_FRAMEWORK_PARAMS", json(frameworkParams));
        env.put("SM_CHANNELS", json(new ArrayList<>(channelDirs.keySet())));
        channelDirs.forEach((name, dir) -> env.put("SM_CHANNEL_" + name.toUpperCase(java.util.Locale.ROOT), dir));
        hps.forEach((k, v) -> env.put("SM_HP_" + k.toUpperCase(java.util.Locale.ROOT), envValue(v)));
        env.put("SM_USER_ARGS", json(userArgs(hps)));
        env.put("SM_TRAINING_ENV", json(training));
        // Not toolkit names, kept for scripts written when /opt/ml was a per-job directory on the host.
        env.put("SM_OUTPUT_FAILURE", inside(layout.failure()));
        env.put("SAGEBRUSH_ML_ROOT", ML_INSIDE.toString());
        return env;
    }

    /** Hyperparameters arrive as strings; the SageMaker Python SDK JSON-encodes them, and the toolkit decodes them. */
    static Object decode(String value) {
        try {
            return JSON.readValue(value, Object.class);
        } catch (IOException e) {
            return value;
        }
    }

    static List<String> userArgs(Map<String, Object> hps) {
        List<String> args = new ArrayList<>();
        hps.forEach((k, v) -> {
            args.add("--" + k);
            args.add(envValue(v));
        });
        return args;
    }

    static String envValue(Object v) {
        return v instanceof String s ? s : json(v);
    }

    static String json(Object v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
