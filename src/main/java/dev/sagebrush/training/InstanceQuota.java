package dev.sagebrush.training;

import dev.sagebrush.errors.AwsException;
import dev.sagebrush.protocol.RequestContext;
import dev.sagebrush.store.ResourceStore;
import dev.sagebrush.store.StoredResource;
import java.util.List;
import software.amazon.awssdk.services.sagemaker.model.ResourceConfig;

/**
 * SageMaker's account-level quota "Number of instances across all training jobs", set by the operator
 * ({@code --max-training-instances}): a CreateTrainingJob whose InstanceCount, added to the instances of the
 * account's running jobs in the region (InProgress or Stopping), would pass it fails with ResourceLimitExceeded in
 * AWS's words. Jobs within the quota that find the host's capacity in use wait in Starting instead (the runner's
 * {@code HostReservations}). A limit of 0 (the default) means no quota: a self-hosted server's capacity is its hosts,
 * and jobs past it queue; the check also reads every running job of the account, a cost only an operator who wants
 * the quota should pay on each create.
 */
final class InstanceQuota {
    static final String NAME = "Number of instances across all training jobs";
    private static final List<String> RUNNING = List.of("InProgress", "Stopping");

    private final ResourceStore store;
    private final TrainingJobDocuments documents;
    private final int limit;

    InstanceQuota(ResourceStore store, TrainingJobDocuments documents, int limit) {
        this.store = store;
        this.documents = documents;
        this.limit = limit;
    }

    boolean enabled() {
        return limit > 0;
    }

    /** Throws ResourceLimitExceeded when {@code requested} more instances would pass the account's limit. */
    void check(RequestContext ctx, ResourceConfig requested) {
        int delta = instances(requested);
        if (delta <= limit) {
            long used = utilization(ctx);
            if (used + delta <= limit) return;
            throw exceeded(limit, used, delta);
        }
        throw exceeded(limit, utilization(ctx), delta);
    }

    /** The instances of the account's running jobs in the request's region. */
    long utilization(RequestContext ctx) {
        long used = 0;
        for (StoredResource r : store.findByStatus(TrainingJobs.KIND, RUNNING)) {
            if (!r.key().account().equals(ctx.accountId()) || !r.key().region().equals(ctx.region())) continue;
            used += instances(documents.decode(r).resourceConfig());
        }
        return used;
    }

    private static int instances(ResourceConfig rc) {
        return rc == null || rc.instanceCount() == null ? 1 : Math.max(1, rc.instanceCount());
    }

    /**
     * AWS's message (e.g. sagemaker-python-sdk issue 35, amazon-sagemaker-examples issue 1543), ending with whom to
     * ask here: the limit is the Sagebrush operator's, not AWS support's.
     */
    static AwsException exceeded(int limit, long used, int delta) {
        return AwsException.resourceLimitExceeded("The account-level service limit '" + NAME + "' is " + limit
                + " Instances, with current utilization of " + used + " Instances and a request delta of " + delta
                + " Instances. Please contact the operator of this Sagebrush server to request an increase for this "
                + "limit (server option --max-training-instances).");
    }
}
