package dev.sagebrush.compilation;

import dev.sagebrush.errors.AwsException;
import dev.sagebrush.jobs.Transitions;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.tags.TagLists;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.sagemaker.model.CompilationJobStatus;
import software.amazon.awssdk.services.sagemaker.model.CreateCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.DeleteCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;
import software.amazon.awssdk.services.sagemaker.model.StopCompilationJobRequest;

/**
 * The compilation job API (SageMaker Neo): Create, Describe, Stop and Delete. Each call checks the state rules and
 * writes the store in one transaction; the work itself belongs to {@link CompilationController}, which is woken up.
 * Listing lives in {@link CompilationJobListing}.
 */
public final class CompilationJobs {
    public static final String KIND = "compilation-job";
    static final Set<String> TERMINAL = Set.of("COMPLETED", "FAILED", "STOPPED");

    private final ResourceStore store;
    private final CompilationJobDocuments documents;
    private final Runnable wakeController;

    public CompilationJobs(ResourceStore store, JsonCodec codec, Runnable wakeController) {
        this.store = store;
        this.documents = new CompilationJobDocuments(codec);
        this.wakeController = wakeController;
    }

    public CreateCompilationJobResponse create(RequestContext ctx, CreateCompilationJobRequest req) {
        CompilationRequestRules.check(req);
        String arn = ctx.arn(KIND, req.compilationJobName());
        DescribeCompilationJobResponse job = DescribeCompilationJobResponse.builder()
                .compilationJobName(req.compilationJobName())
                .compilationJobArn(arn)
                .compilationJobStatus(CompilationJobStatus.STARTING)
                .stoppingCondition(req.stoppingCondition())
                .modelPackageVersionArn(req.modelPackageVersionArn())
                .creationTime(ctx.receivedAt())
                .lastModifiedTime(ctx.receivedAt())
                .roleArn(req.roleArn())
                .inputConfig(req.inputConfig())
                .outputConfig(req.outputConfig())
                .vpcConfig(req.vpcConfig())
                .build();
        StoredResource row = new StoredResource(key(ctx, req.compilationJobName()), arn, "STARTING",
                ctx.receivedAt(), ctx.receivedAt(), 0, documents.encode(job));
        if (!store.create(row, TagLists.toMap(req.tags()))) {
            throw AwsException.resourceInUse("Compilation job names must be unique within an AWS account and region, "
                    + "and a compilation job with this name already exists (" + arn + ")");
        }
        wakeController.run();
        return CreateCompilationJobResponse.builder().compilationJobArn(arn).build();
    }

    public DescribeCompilationJobResponse describe(RequestContext ctx, DescribeCompilationJobRequest req) {
        return documents.decode(find(ctx, req.compilationJobName()));
    }

    public void stop(RequestContext ctx, StopCompilationJobRequest req) {
        String name = req.compilationJobName();
        // Decided again on the new status whenever the controller moved the job meanwhile.
        Optional<StoredResource> written = Transitions.change(store, key(ctx, name), () -> notFound(name), row -> {
            String status = row.status();
            if ("STOPPING".equals(status)) {
                return null; // already on its way: stopping twice is harmless, as with AWS's other jobs
            }
            if (TERMINAL.contains(status)) {
                throw AwsException.validation("The request was rejected because the compilation job is in status " + status + ".");
            }
            DescribeCompilationJobResponse job = documents.decode(row).toBuilder()
                    .compilationJobStatus(CompilationJobStatus.STOPPING)
                    .lastModifiedTime(ctx.receivedAt())
                    .build();
            return row.withDocument("STOPPING", ctx.receivedAt(), documents.encode(job));
        });
        if (written.isPresent()) wakeController.run();
    }

    public void delete(RequestContext ctx, DeleteCompilationJobRequest req) {
        String name = req.compilationJobName();
        Transitions.delete(store, key(ctx, name), () -> notFound(name), row -> {
            if (!TERMINAL.contains(row.status())) {
                throw AwsException.validation("Cannot delete compilation job " + name
                        + " in status " + row.status() + ". A compilation job can be deleted only when its status is "
                        + "COMPLETED, FAILED, or STOPPED; stop it first and delete it once it is STOPPED.");
            }
            return true;
        });
    }

    private StoredResource find(RequestContext ctx, String name) {
        return store.get(key(ctx, name)).orElseThrow(() -> notFound(name));
    }

    static AwsException notFound(String name) {
        return AwsException.resourceNotFound("Could not find compilation job with name " + name + ".");
    }

    static ResourceKey key(RequestContext ctx, String name) {
        return new ResourceKey(ctx.accountId(), ctx.region(), KIND, name);
    }
}
