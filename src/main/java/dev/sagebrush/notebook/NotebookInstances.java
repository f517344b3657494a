package dev.sagebrush.notebook;

import dev.sagebrush.errors.AwsException;
import dev.sagebrush.jobs.Transitions;
import dev.sagebrush.notebook.proxy.NotebookOrigins;
import dev.sagebrush.notebook.proxy.NotebookProxy;
import dev.sagebrush.notebook.proxy.SessionSigner;
import dev.sagebrush.notebook.runtime.InstanceKey;
import dev.sagebrush.protocol.JsonCodec;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.ResourceKey;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import dev.sagebrush.tags.TagLists;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import software.amazon.awssdk.services.sagemaker.model.CreateNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.CreateNotebookInstanceResponse;
import software.amazon.awssdk.services.sagemaker.model.CreatePresignedNotebookInstanceUrlRequest;
import software.amazon.awssdk.services.sagemaker.model.CreatePresignedNotebookInstanceUrlResponse;
import software.amazon.awssdk.services.sagemaker.model.DeleteNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceResponse;
import software.amazon.awssdk.services.sagemaker.model.InstanceMetadataServiceConfiguration;
import software.amazon.awssdk.services.sagemaker.model.StartNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.StopNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.UpdateNotebookInstanceRequest;
import software.amazon.awssdk.services.sagemaker.model.UpdateNotebookInstanceResponse;

/**
 * The notebook instance API: Create, Describe, Update, Start, Stop, Delete and CreatePresignedNotebookInstanceUrl.
 * Each call checks the status rules ({@link NotebookStatusRules}) and writes the store with compare-and-set; the
 * {@link NotebookController} does the work (Jupyter up or down) and finishes the transition. Listing lives in
 * {@link NotebookInstanceListing}.
 */
public final class NotebookInstances {
    public static final String KIND = "notebook-instance";
    static final Set<String> RETIRED_PLATFORMS = Set.of("notebook-al1-v1", "notebook-al2-v1");
    static final String DEFAULT_PLATFORM = "notebook-al2023-v1";
    static final int DEFAULT_VOLUME_GB = 5;
    static final int DEFAULT_SESSION_SECONDS = 43_200;
    /** AWS's presigned notebook URLs can be opened for 5 minutes. */
    static final Duration PRESIGNED_URL_VALIDITY = Duration.ofMinutes(5);

    private final ResourceStore store;
    private final NotebookDocuments documents;
    private final Runnable wakeController;
    private final SessionSigner signer;
    private final NotebookOrigins origins;

    /** @param origins each instance's own web origin, where its Url and presigned URLs point */
    public NotebookInstances(ResourceStore store, JsonCodec codec, Runnable wakeController, SessionSigner signer,
                             NotebookOrigins origins) {
        this.store = store;
        this.documents = new NotebookDocuments(codec);
        this.wakeController = wakeController;
        this.signer = signer;
        this.origins = origins;
    }

    public CreateNotebookInstanceResponse create(RequestContext ctx, CreateNotebookInstanceRequest req) {
        String name = req.notebookInstanceName();
        String arn = arn(ctx, name);
        checkPlatform(req.platformIdentifier());
        if ("Disabled".equals(req.directInternetAccessAsString()) && req.subnetId() == null) {
            // The model: "You can set the value of this parameter to Disabled only if you set a value for SubnetId".
            throw AwsException.validation("DirectInternetAccess can only be set to Disabled when a SubnetId is specified.");
        }
        checkRepositories(req.defaultCodeRepository(), req.additionalCodeRepositories());
        if (req.lifecycleConfigName() != null) LifecycleConfigs.requireExists(store, ctx, req.lifecycleConfigName());
        instanceKey(ctx, name); // the name, account and region become a host name and directories: check them now
        // Names are unique per account and region, ignoring case, as on AWS. The store enforces it in the one write
        // below: the key (account, region, kind, name) and the ARN, which holds the lower-cased name, are unique.
        DescribeNotebookInstanceResponse doc = DescribeNotebookInstanceResponse.builder()
                .notebookInstanceArn(arn)
                .notebookInstanceName(name)
                .notebookInstanceStatus("Pending")
                .instanceType(req.instanceTypeAsString())
                .ipAddressType(req.ipAddressTypeAsString())
                .subnetId(req.subnetId())
                .securityGroups(req.hasSecurityGroupIds() ? req.securityGroupIds() : null)
                .roleArn(req.roleArn())
                .kmsKeyId(req.kmsKeyId())
                .notebookInstanceLifecycleConfigName(req.lifecycleConfigName())
                .directInternetAccess(req.directInternetAccess() == null ? "Enabled" : req.directInternetAccessAsString())
                .volumeSizeInGB(req.volumeSizeInGB() == null ? DEFAULT_VOLUME_GB : req.volumeSizeInGB())
                .acceleratorTypesWithStrings(req.hasAcceleratorTypes() ? req.acceleratorTypesAsStrings() : null)
                .defaultCodeRepository(req.defaultCodeRepository())
                .additionalCodeRepositories(req.hasAdditionalCodeRepositories() ? req.additionalCodeRepositories() : null)
                .rootAccess(req.rootAccess() == null ? "Enabled" : req.rootAccessAsString())
                .platformIdentifier(req.platformIdentifier() == null ? DEFAULT_PLATFORM : req.platformIdentifier())
                .instanceMetadataServiceConfiguration(req.instanceMetadataServiceConfiguration() != null
                        ? req.instanceMetadataServiceConfiguration()
                        : InstanceMetadataServiceConfiguration.builder().minimumInstanceMetadataServiceVersion("1").build())
                .creationTime(ctx.receivedAt())
                .lastModifiedTime(ctx.receivedAt())
                .build();
        StoredResource row = new StoredResource(key(ctx, name), arn, "Pending", ctx.receivedAt(), ctx.receivedAt(), 0,
                documents.encode(doc));
        if (!store.create(row, TagLists.toMap(req.tags()))) throw duplicate(arn);
        wakeController.run();
        return CreateNotebookInstanceResponse.builder().notebookInstanceArn(arn).build();
    }

    public DescribeNotebookInstanceResponse describe(RequestContext ctx, DescribeNotebookInstanceRequest req) {
        DescribeNotebookInstanceResponse doc = documents.instance(find(ctx, req.notebookInstanceName()));
        return doc.toBuilder().url(url(instanceKey(ctx, doc.notebookInstanceName()))).build();
    }

    /**
     * AWS's Url is the instance's host name with no scheme ({@code <name>.notebook.<region>.sagemaker.aws}); ours is
     * the instance's own origin without the scheme, e.g. {@code demo.000000000000.us-east-1.notebook.localhost:8080}.
     */
    String url(InstanceKey key) {
        return origins.origin(key).replaceFirst("^https?://", "");
    }

    public UpdateNotebookInstanceResponse update(RequestContext ctx, UpdateNotebookInstanceRequest req) {
        checkPlatform(req.platformIdentifier());
        checkRepositories(req.defaultCodeRepository(), req.additionalCodeRepositories());
        if (req.lifecycleConfigName() != null && Boolean.TRUE.equals(req.disassociateLifecycleConfig())) {
            throw AwsException.validation("LifecycleConfigName and DisassociateLifecycleConfig cannot both be specified.");
        }
        if (req.lifecycleConfigName() != null) LifecycleConfigs.requireExists(store, ctx, req.lifecycleConfigName());
        transition(ctx, req.notebookInstanceName(), NotebookStatusRules.UPDATE_FROM, "Updating", d -> {
            DescribeNotebookInstanceResponse.Builder b = d.toBuilder();
            if (req.instanceType() != null) b.instanceType(req.instanceTypeAsString());
            if (req.ipAddressType() != null) b.ipAddressType(req.ipAddressTypeAsString());
            if (req.platformIdentifier() != null) b.platformIdentifier(req.platformIdentifier());
            if (req.roleArn() != null) b.roleArn(req.roleArn());
            if (req.lifecycleConfigName() != null) b.notebookInstanceLifecycleConfigName(req.lifecycleConfigName());
            if (Boolean.TRUE.equals(req.disassociateLifecycleConfig())) b.notebookInstanceLifecycleConfigName(null);
            if (req.volumeSizeInGB() != null) {
                int current = d.volumeSizeInGB() == null ? DEFAULT_VOLUME_GB : d.volumeSizeInGB();
                if (req.volumeSizeInGB() < current) {
                    // The model: the volume can only grow (the service cannot see how full it is).
                    throw AwsException.validation("Invalid VolumeSizeInGB " + req.volumeSizeInGB() + ": the ML storage "
                            + "volume of Notebook Instance (" + d.notebookInstanceArn() + ") is " + current + " GB and "
                            + "can only be increased.");
                }
                b.volumeSizeInGB(req.volumeSizeInGB());
            }
            if (Boolean.TRUE.equals(req.disassociateDefaultCodeRepository())) b.defaultCodeRepository(null);
            if (req.defaultCodeRepository() != null) b.defaultCodeRepository(req.defaultCodeRepository());
            if (Boolean.TRUE.equals(req.disassociateAdditionalCodeRepositories())) b.additionalCodeRepositories((List<String>) null);
            if (req.hasAdditionalCodeRepositories()) b.additionalCodeRepositories(req.additionalCodeRepositories());
            if (Boolean.TRUE.equals(req.disassociateAcceleratorTypes())) b.acceleratorTypesWithStrings((List<String>) null);
            if (req.hasAcceleratorTypes()) b.acceleratorTypesWithStrings(req.acceleratorTypesAsStrings());
            if (req.rootAccess() != null) b.rootAccess(req.rootAccessAsString());
            if (req.instanceMetadataServiceConfiguration() != null) {
                b.instanceMetadataServiceConfiguration(req.instanceMetadataServiceConfiguration());
            }
            return b;
        });
        return UpdateNotebookInstanceResponse.builder().build();
    }

    public void start(RequestContext ctx, StartNotebookInstanceRequest req) {
        transition(ctx, req.notebookInstanceName(), NotebookStatusRules.START_FROM, "Pending",
                d -> d.toBuilder().failureReason(null));
    }

    public void stop(RequestContext ctx, StopNotebookInstanceRequest req) {
        transition(ctx, req.notebookInstanceName(), NotebookStatusRules.STOP_FROM, "Stopping", d -> d.toBuilder());
    }

    public void delete(RequestContext ctx, DeleteNotebookInstanceRequest req) {
        transition(ctx, req.notebookInstanceName(), NotebookStatusRules.DELETE_FROM, "Deleting", d -> d.toBuilder());
    }

    public CreatePresignedNotebookInstanceUrlResponse createPresignedUrl(RequestContext ctx,
                                                                          CreatePresignedNotebookInstanceUrlRequest req) {
        StoredResource row = find(ctx, req.notebookInstanceName());
        int session = req.sessionExpirationDurationInSeconds() == null ? DEFAULT_SESSION_SECONDS
                : req.sessionExpirationDurationInSeconds();
        String token = signer.presign(instanceRef(row), ctx.receivedAt().plus(PRESIGNED_URL_VALIDITY), session);
        return CreatePresignedNotebookInstanceUrlResponse.builder()
                .authorizedUrl(origins.origin(instanceKey(ctx, row.key().name())) + NotebookProxy.AUTH_PATH
                        + "?authToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8))
                .build();
    }

    /** The instance that holds this name (any case) in this account and region now. */
    public java.util.Optional<SessionSigner.InstanceRef> instanceAt(InstanceKey key) {
        return store.getByArn("arn:aws:sagemaker:" + key.region() + ":" + key.account() + ":" + KIND + "/" + key.label())
                .map(NotebookInstances::instanceRef);
    }

    /** Whether this very instance (same creation time) exists and runs or is starting: its credentials work. */
    public static boolean isActive(ResourceStore store, SessionSigner.InstanceRef ref) {
        return store.get(new ResourceKey(ref.account(), ref.region(), KIND, ref.name()))
                .filter(r -> r.createdAt().toEpochMilli() == ref.createdMillis())
                .filter(r -> r.status().equals("Pending") || r.status().equals("InService"))
                .isPresent();
    }

    static SessionSigner.InstanceRef instanceRef(StoredResource row) {
        return new SessionSigner.InstanceRef(row.key().account(), row.key().region(), row.key().name(),
                row.createdAt().toEpochMilli());
    }

    /** Compare-and-set: re-reads and re-checks the status whenever the controller moved the instance meanwhile. */
    private void transition(RequestContext ctx, String name, List<String> from, String to,
                            java.util.function.Function<DescribeNotebookInstanceResponse, DescribeNotebookInstanceResponse.Builder> change) {
        Transitions.change(store, key(ctx, name), () -> notFound(arn(ctx, name)), row -> {
            DescribeNotebookInstanceResponse doc = documents.instance(row);
            NotebookStatusRules.require(row.status(), from, to, row.arn());
            DescribeNotebookInstanceResponse next = change.apply(doc)
                    .notebookInstanceStatus(to).lastModifiedTime(ctx.receivedAt()).build();
            return row.withDocument(to, ctx.receivedAt(), documents.encode(next));
        });
        wakeController.run();
    }

    private static void checkPlatform(String platform) {
        if (platform != null && RETIRED_PLATFORMS.contains(platform)) {
            throw AwsException.validation("Platform identifier (" + platform + ") is not supported for this service.");
        }
    }

    /**
     * The model admits a git URL (https://) or the name of a SageMaker CodeRepository resource. Sagebrush has no
     * CodeRepository resources, so a name cannot be resolved: refuse it now rather than fail the start later.
     */
    private static void checkRepositories(String defaultRepo, List<String> additional) {
        for (String repo : additional == null ? List.<String>of() : additional) checkRepository(repo);
        if (defaultRepo != null) checkRepository(defaultRepo);
    }

    private static void checkRepository(String repo) {
        if (!repo.startsWith("https://")) {
            throw AwsException.validation("Code repository " + repo + " does not exist. (Sagebrush has no SageMaker "
                    + "CodeRepository resources: give the repository's https:// git URL.)");
        }
    }

    private StoredResource find(RequestContext ctx, String name) {
        return store.get(key(ctx, name)).orElseThrow(() -> notFound(arn(ctx, name)));
    }

    /** AWS answers ValidationException here; the NotebookInstanceDeleted waiter depends on it. */
    static AwsException notFound(String arn) {
        return AwsException.validation("Notebook Instance " + arn + " does not exist");
    }

    private static AwsException duplicate(String arn) {
        return AwsException.validation("Cannot create a duplicate Notebook Instance (" + arn + ")");
    }

    /** SageMaker lower-cases notebook instance names inside ARNs. */
    static String arn(RequestContext ctx, String name) {
        return ctx.arn(KIND, name.toLowerCase(Locale.ROOT));
    }

    static InstanceKey instanceKey(RequestContext ctx, String name) {
        try {
            return new InstanceKey(ctx.accountId(), ctx.region(), name);
        } catch (IllegalArgumentException e) {
            throw AwsException.validation("Invalid request: " + e.getMessage());
        }
    }

    static ResourceKey key(RequestContext ctx, String name) {
        return new ResourceKey(ctx.accountId(), ctx.region(), KIND, name);
    }
}
