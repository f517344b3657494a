package dev.sagebrush.training;

import dev.sagebrush.errors.AwsException;
import dev.sagebrush.training.metrics.MetricExtractor;
import software.amazon.awssdk.services.sagemaker.model.AlgorithmSpecification;
import software.amazon.awssdk.services.sagemaker.model.Channel;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.MetricDefinition;
import software.amazon.awssdk.services.sagemaker.model.ResourceConfig;
import software.amazon.awssdk.services.sagemaker.model.S3DataSource;

/**
 * CreateTrainingJob rules beyond the constraint table: what Sagebrush can run. It runs each instance of a job on its
 * own host as a container of the TrainingImage (or, for an image the operator's registry maps to a command, as one
 * sandboxed process), with File-mode channels downloaded from S3 into /opt/ml; a request for anything else (Pipe mode,
 * heterogeneous clusters, a VPC, spot capacity, Debugger rules...) is refused here with a reason, rather than accepted
 * and quietly run without it. Features that change nothing on a Sagebrush host (inter-container encryption, session
 * tag chaining, experiment metadata) are accepted, and so are the SageMaker Python SDK's defaults, DebugHookConfig and
 * ProfilerConfig.
 */
final class TrainingRequestRules {
    private static final String RUNNER = " is not supported by Sagebrush, which runs each instance of a training job "
            + "on its own host as a container of the TrainingImage";

    private TrainingRequestRules() {}

    static void check(CreateTrainingJobRequest req) {
        AlgorithmSpecification algo = req.algorithmSpecification();
        if (algo == null) {
            throw unsupported("A training job without AlgorithmSpecification (a serverless job)" + RUNNER
                    + ". Give AlgorithmSpecification with a TrainingImage.");
        }
        if (algo.algorithmName() != null) {
            throw unsupported("AlgorithmSpecification.AlgorithmName (an algorithm resource)" + RUNNER + ". Give the "
                    + "algorithm's TrainingImage instead (an image in the host's container image store, or one the "
                    + "operator's image registry maps to a command).");
        }
        // ContainerEntrypoint and InstanceCount > 1 are the container backend's; a job whose image runs as a local
        // command fails at run time saying so (the backend is known only then: images come and go).
        if (algo.trainingImageConfig() != null && (algo.trainingImageConfig().trainingRepositoryAuthConfig() != null
                || "Vpc".equals(algo.trainingImageConfig().trainingRepositoryAccessModeAsString()))) {
            throw unsupported("A private training image registry (TrainingImageConfig with Vpc access or "
                    + "TrainingRepositoryAuthConfig) is not supported by Sagebrush, which never pulls images: it runs "
                    + "them from the host's container image store. Remove TrainingImageConfig, and put the image in "
                    + "the host's store (podman pull or podman load on the Sagebrush host).");
        }
        for (MetricDefinition d : algo.metricDefinitions()) {
            try {
                MetricExtractor.compile(d);
            } catch (IllegalArgumentException e) {
                throw AwsException.validation(e.getMessage());
            }
        }
        if ("Pipe".equals(algo.trainingInputModeAsString()) && !req.hasInputDataConfig()) {
            throw pipe("AlgorithmSpecification.TrainingInputMode");
        }
        for (Channel c : req.inputDataConfig()) {
            checkChannel(req, c);
        }
        checkResources(req.resourceConfig());
        if (req.vpcConfig() != null) {
            throw unsupported("VpcConfig" + RUNNER + ", on the Sagebrush host's own network. Remove VpcConfig.");
        }
        if (Boolean.TRUE.equals(req.enableManagedSpotTraining())) {
            throw unsupported("EnableManagedSpotTraining (managed spot training)" + RUNNER + ", on its own capacity.");
        }
        if (req.stoppingCondition() != null && req.stoppingCondition().maxWaitTimeInSeconds() != null) {
            throw unsupported("StoppingCondition.MaxWaitTimeInSeconds applies to managed spot training only, which "
                    + "is not supported by Sagebrush. Remove MaxWaitTimeInSeconds.");
        }
        if (req.outputDataConfig().kmsKeyId() != null && !req.outputDataConfig().kmsKeyId().isEmpty()) {
            throw unsupported("OutputDataConfig.KmsKeyId (KMS encryption of the output) is not supported by "
                    + "Sagebrush's object storage. Remove KmsKeyId.");
        }
        notSupported(req.checkpointConfig() != null, "CheckpointConfig");
        // DebugHookConfig is the training container's own business (its hook reads debughookconfig.json), and
        // ProfilerConfig is accepted and reported ProfilingStatus Disabled: the SageMaker Python SDK sends both with
        // every job. Rules are different: each is a processing job in a rule image, which this server cannot run.
        if (req.hasDebugRuleConfigurations() && !req.debugRuleConfigurations().isEmpty()) {
            throw unsupported("DebugRuleConfigurations (SageMaker Debugger rules, e.g. '"
                    + req.debugRuleConfigurations().get(0).ruleConfigurationName() + "') cannot run here: each rule "
                    + "is a processing job in a SageMaker Debugger rule image, and Sagebrush runs no processing "
                    + "jobs. Remove the rules (Estimator(rules=None)); DebugHookConfig alone is supported.");
        }
        if (req.hasProfilerRuleConfigurations() && !req.profilerRuleConfigurations().isEmpty()) {
            throw unsupported("ProfilerRuleConfigurations (SageMaker Debugger profiler rules, e.g. '"
                    + req.profilerRuleConfigurations().get(0).ruleConfigurationName() + "') cannot run here: each "
                    + "rule is a processing job in a SageMaker Debugger rule image, and Sagebrush runs no processing "
                    + "jobs. Remove the profiler rules; ProfilerConfig alone is accepted (ProfilingStatus Disabled).");
        }
        notSupported(req.tensorBoardOutputConfig() != null, "TensorBoardOutputConfig");
        notSupported(req.retryStrategy() != null, "RetryStrategy (Sagebrush does not retry training jobs)");
        notSupported(req.remoteDebugConfig() != null && Boolean.TRUE.equals(req.remoteDebugConfig().enableRemoteDebug()),
                "RemoteDebugConfig with EnableRemoteDebug");
        notSupported(req.infraCheckConfig() != null && Boolean.TRUE.equals(req.infraCheckConfig().enableInfraCheck()),
                "InfraCheckConfig with EnableInfraCheck");
        notSupported(req.serverlessJobConfig() != null, "ServerlessJobConfig");
        notSupported(req.mlflowConfig() != null, "MlflowConfig");
        notSupported(req.modelPackageConfig() != null, "ModelPackageConfig");
    }

    private static void checkChannel(CreateTrainingJobRequest req, Channel c) {
        String name = "Channel " + c.channelName();
        // AWS's pattern [A-Za-z0-9\.\-_]+ admits "." and "..", and the channel name is a directory under
        // /opt/ml/input/data: ".." would be /opt/ml/input itself.
        if (".".equals(c.channelName()) || "..".equals(c.channelName())) {
            throw AwsException.validation("ChannelName '" + c.channelName() + "' is not allowed: a channel name "
                    + "names a directory under /opt/ml/input/data, and '.' and '..' do not.");
        }
        String mode = c.inputModeAsString() != null ? c.inputModeAsString()
                : req.algorithmSpecification().trainingInputModeAsString();
        if ("Pipe".equals(mode)) {
            throw pipe(name);
        }
        S3DataSource s3 = c.dataSource() == null ? null : c.dataSource().s3DataSource();
        if (s3 == null) {
            throw unsupported(name + ": only S3DataSource is supported (FileSystemDataSource for EFS/FSx and "
                    + "DatasetSource are not).");
        }
        String type = s3.s3DataTypeAsString();
        if (!"S3Prefix".equals(type) && !"ManifestFile".equals(type)) {
            throw unsupported(name + ": S3DataType " + type + " is not supported in " + mode
                    + " mode; use S3Prefix or ManifestFile.");
        }
        if ("FastFile".equals(mode) && !"S3Prefix".equals(type)) {
            throw AwsException.validation(name + ": FastFile input mode supports only the S3Prefix S3DataType.");
        }
        if (s3.hasInstanceGroupNames() && !s3.instanceGroupNames().isEmpty()) {
            throw unsupported(name + ": S3DataSource.InstanceGroupNames (heterogeneous clusters)" + RUNNER
                    + ", all of one instance type.");
        }
        if (s3.hubAccessConfig() != null) {
            throw unsupported(name + ": S3DataSource.HubAccessConfig is not supported.");
        }
        if ("Gzip".equals(c.compressionTypeAsString())) {
            throw AwsException.validation(name + ": CompressionType Gzip is used only in Pipe input mode; in "
                    + mode + " mode leave it unset or set it to None.");
        }
        if ("RecordIO".equals(c.recordWrapperTypeAsString())) {
            throw AwsException.validation(name + ": RecordWrapperType RecordIO is used only in Pipe input mode; in "
                    + mode + " mode leave it unset or set it to None.");
        }
    }

    private static void checkResources(ResourceConfig rc) {
        if (rc == null) return;
        if (rc.instanceCount() != null && rc.instanceCount() < 1 && !rc.hasInstanceGroups()) {
            throw AwsException.validation("ResourceConfig.InstanceCount must be at least 1.");
        }
        if (rc.hasInstanceGroups() && !rc.instanceGroups().isEmpty()) {
            throw unsupported("ResourceConfig.InstanceGroups (heterogeneous clusters)" + RUNNER + ", all of one "
                    + "instance type. Give InstanceType and InstanceCount instead.");
        }
        if (rc.keepAlivePeriodInSeconds() != null && rc.keepAlivePeriodInSeconds() > 0) {
            throw unsupported("ResourceConfig.KeepAlivePeriodInSeconds (warm pools)" + RUNNER + ", removed when "
                    + "the job ends.");
        }
        if (rc.volumeKmsKeyId() != null && !rc.volumeKmsKeyId().isEmpty()) {
            throw unsupported("ResourceConfig.VolumeKmsKeyId (KMS-encrypted volumes) is not supported.");
        }
        if (rc.trainingPlanArn() != null) {
            throw unsupported("ResourceConfig.TrainingPlanArn (training plans) is not supported.");
        }
        if (rc.instancePlacementConfig() != null) {
            throw unsupported("ResourceConfig.InstancePlacementConfig is not supported.");
        }
    }

    private static AwsException pipe(String where) {
        return unsupported(where + ": Pipe input mode is not supported by Sagebrush; use File (or FastFile, which "
                + "Sagebrush serves as File).");
    }

    private static void notSupported(boolean given, String feature) {
        if (given) {
            throw unsupported(feature + " is not supported by Sagebrush. Remove it from the request.");
        }
    }

    private static AwsException unsupported(String message) {
        return AwsException.validation(message);
    }
}
