package dev.sagebrush.training;

import dev.sagebrush.config.TrainingSettings;
import dev.sagebrush.errors.AwsException;
import dev.sagebrush.jobs.Transitions;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.PreEncoded;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.storage.S3Uri;
import dev.sagebrush.store.ReadCache;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.tags.TagLists;
import dev.sagebrush.training.builtin.BuiltinAlgorithms;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ModelArtifacts;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatusTransition;
import software.amazon.awssdk.services.sagemaker.model.StopTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.StoppingCondition;
import software.amazon.awssdk.services.sagemaker.model.TrainingJob;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * The training job API: Create, Describe, Stop. Each call checks the state rules and writes the store in one
 * compare-and-set; running the job belongs to {@link TrainingController}, which is woken up. Listing lives in
 * {@link TrainingJobListing}. Derived views (Search) follow the store's change feed.
 */
public final class TrainingJobs {
    public static final String KIND = "training-job";
    static final Set<String> TERMINAL = Set.of("Completed", "Failed", "Stopped");
    static final int DEFAULT_MAX_RUNTIME_SECONDS = 86_400;

    private final ResourceStore store;
    private final TrainingJobDocuments documents;
    private final Runnable wakeController;
    private final InstanceQuota quota;
    /** Describe's reads, from memory while provably current (see ReadCache); null: every Describe reads the store. */
    private final ReadCache describeCache;

    public TrainingJobs(ResourceStore store, JsonCodec codec, Runnable wakeController) {
        this(store, codec, wakeController, TrainingSettings.DEFAULT_MAX_INSTANCES);
    }

    /** @param maxInstances the account-level limit on instances across all running training jobs */
    public TrainingJobs(ResourceStore store, JsonCodec codec, Runnable wakeController, int maxInstances) {
        this(store, codec, wakeController, maxInstances, null);
    }

    /** @param describeCache where Describe reads, when the store allows one (see {@link ReadCache}); or null */
    public TrainingJobs(ResourceStore store, JsonCodec codec, Runnable wakeController, int maxInstances,
                        ReadCache describeCache) {
        this.store = store;
        this.documents = new TrainingJobDocuments(codec);
        this.wakeController = wakeController;
        this.quota = new InstanceQuota(store, documents, maxInstances);
        this.describeCache = describeCache;
    }

    public CreateTrainingJobResponse create(RequestContext ctx, CreateTrainingJobRequest req) {
        TrainingRequestRules.check(req);
        String arn = ctx.arn(KIND, req.trainingJobName());
        boolean compressed = !"NONE".equals(req.outputDataConfig().compressionTypeAsString());
        S3Uri model;
        try {
            S3Uri out = S3Uri.parse(req.outputDataConfig().s3OutputPath()).resolve(req.trainingJobName() + "/output/");
            model = compressed ? out.resolve("model.tar.gz") : out.resolve("model/");
        } catch (IllegalArgumentException e) {
            throw AwsException.validation("OutputDataConfig.S3OutputPath is not a valid S3 URI: " + e.getMessage());
        }
        StoppingCondition stopping = req.stoppingCondition() != null && req.stoppingCondition().maxRuntimeInSeconds() != null
                ? req.stoppingCondition()
                : (req.stoppingCondition() == null ? StoppingCondition.builder() : req.stoppingCondition().toBuilder())
                        .maxRuntimeInSeconds(DEFAULT_MAX_RUNTIME_SECONDS).build();
        DescribeTrainingJobResponse job = DescribeTrainingJobResponse.builder()
                .trainingJobName(req.trainingJobName())
                .trainingJobArn(arn)
                // The artifact's place is known up front; Describe marks ModelArtifacts required.
                .modelArtifacts(ModelArtifacts.builder().s3ModelArtifacts(model.toString()).build())
                .trainingJobStatus(TrainingJobStatus.IN_PROGRESS)
                .secondaryStatus(SecondaryStatus.STARTING)
                .secondaryStatusTransitions(SecondaryStatusTransition.builder().status(SecondaryStatus.STARTING)
                        .startTime(ctx.receivedAt()).statusMessage("Starting the training job").build())
                .hyperParameters(req.hasHyperParameters() ? req.hyperParameters() : null)
                .algorithmSpecification(BuiltinAlgorithms.withBuiltinMetrics(req.algorithmSpecification()))
                .roleArn(req.roleArn())
                .inputDataConfig(req.hasInputDataConfig() ? DescribeDefaults.channels(req.inputDataConfig()) : null)
                .outputDataConfig(DescribeDefaults.output(req.outputDataConfig()))
                .resourceConfig(req.resourceConfig())
                .stoppingCondition(stopping)
                .creationTime(ctx.receivedAt())
                .lastModifiedTime(ctx.receivedAt())
                .enableNetworkIsolation(Boolean.TRUE.equals(req.enableNetworkIsolation()))
                .enableInterContainerTrafficEncryption(Boolean.TRUE.equals(req.enableInterContainerTrafficEncryption()))
                .enableManagedSpotTraining(Boolean.TRUE.equals(req.enableManagedSpotTraining()))
                .experimentConfig(req.experimentConfig())
                .debugHookConfig(req.debugHookConfig())
                .profilerConfig(DescribeDefaults.profiler(req.profilerConfig()))
                // Sagebrush collects no system metrics for the profiler: the config is kept, profiling is not done.
                .profilingStatus(req.profilerConfig() == null ? null : "Disabled")
                .checkpointConfig(req.checkpointConfig())
                .environment(req.hasEnvironment() ? req.environment() : null)
                .remoteDebugConfig(req.remoteDebugConfig())
                .infraCheckConfig(req.infraCheckConfig())
                .build();
        StoredResource row = new StoredResource(key(ctx, req.trainingJobName()), arn, "InProgress",
                ctx.receivedAt(), ctx.receivedAt(), 0, documents.encode(job));
        if (quota.enabled()) {
            // The quota's check and the write are one step on this node: two creates cannot both take its last
            // instances. Only with a quota: without one, creates stay concurrent (their commits are grouped).
            synchronized (quota) {
                if (store.get(key(ctx, req.trainingJobName())).isEmpty()) quota.check(ctx, req.resourceConfig());
                createOrRefuse(row, req, arn);
            }
        } else {
            createOrRefuse(row, req, arn);
        }
        wakeController.run();
        return CreateTrainingJobResponse.builder().trainingJobArn(arn).build();
    }

    private void createOrRefuse(StoredResource row, CreateTrainingJobRequest req, String arn) {
        if (!store.create(row, TagLists.toMap(req.tags()))) {
            throw AwsException.resourceInUse("Training job names must be unique within an AWS account and region, "
                    + "and a training job with this name already exists (" + arn + ")");
        }
    }

    public DescribeTrainingJobResponse describe(RequestContext ctx, DescribeTrainingJobRequest req) {
        return documents.decode(read(ctx, req.trainingJobName()));
    }

    /** {@link #describe} in wire form: the stored document is the answer, so it is sent as stored. */
    public PreEncoded describeWire(RequestContext ctx, DescribeTrainingJobRequest req) {
        return PreEncoded.of(read(ctx, req.trainingJobName()).document());
    }

    /**
     * {@link #describeWire} when the answer is in memory and provably current, without blocking (the gateway calls
     * it on an I/O thread); null when only the store can answer.
     */
    public PreEncoded describeWireInMemory(RequestContext ctx, DescribeTrainingJobRequest req) {
        if (describeCache == null) return null;
        StoredResource row = describeCache.fresh(key(ctx, req.trainingJobName()));
        return row == null ? null : PreEncoded.of(row.document());
    }

    public void stop(RequestContext ctx, StopTrainingJobRequest req) {
        // Decided again on the new status whenever the controller moved the job meanwhile.
        Optional<StoredResource> written = Transitions.change(store, key(ctx, req.trainingJobName()),
                TrainingJobs::notFound, row -> {
                    String status = row.status();
                    if ("Stopping".equals(status)) return null; // already on its way: a second stop changes nothing
                    if (TERMINAL.contains(status)) {
                        throw AwsException.validation("The request was rejected because the training job is in status "
                                + status + ".");
                    }
                    DescribeTrainingJobResponse next = SecondaryTransitions.advance(documents.decode(row),
                            SecondaryStatus.STOPPING, "Stopping the training job", ctx.receivedAt(), false)
                            .trainingJobStatus(TrainingJobStatus.STOPPING).build();
                    return row.withDocument("Stopping", ctx.receivedAt(), documents.encode(next));
                });
        if (written.isPresent()) wakeController.run();
    }

    /** The Search record of a stored job with the given tags (see {@link TrainingJobDocuments#searchRecord}). */
    public TrainingJob searchRecord(StoredResource row, Map<String, String> tags) {
        return documents.searchRecord(row, tags);
    }

    /** The Search record of a stored job, with its tags read from the store. */
    public TrainingJob searchRecord(StoredResource row) {
        return documents.searchRecord(row, store.tags(row.arn()));
    }

    private StoredResource find(RequestContext ctx, String name) {
        return store.get(key(ctx, name)).orElseThrow(TrainingJobs::notFound);
    }

    /** {@link #find} for reads that change nothing: through the cache where there is one. */
    private StoredResource read(RequestContext ctx, String name) {
        return (describeCache == null ? store.get(key(ctx, name)) : describeCache.get(key(ctx, name)))
                .orElseThrow(TrainingJobs::notFound);
    }

    /**
     * SageMaker answers a missing training job with ValidationException, not the modelled ResourceNotFound, and
     * clients depend on it: the TrainingJobCompletedOrStopped waiter stops on exactly this error.
     */
    static AwsException notFound() {
        return AwsException.validation("Requested resource not found.");
    }

    static ResourceKey key(RequestContext ctx, String name) {
        return new ResourceKey(ctx.accountId(), ctx.region(), KIND, name);
    }
}
