package dev.sagebrush.training;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatus;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatusTransition;

/**
 * SecondaryStatus and its history, with SageMaker's rules: a new status appends a transition and ends the previous
 * one; the same status again only replaces the last transition's StatusMessage. Every transition carries a
 * StatusMessage, because the SageMaker Python SDK reads the last one's without a default. A terminal status's
 * transition ends as it starts.
 */
final class SecondaryTransitions {
    private SecondaryTransitions() {}

    static DescribeTrainingJobResponse.Builder advance(DescribeTrainingJobResponse job, SecondaryStatus status,
                                                       String message, Instant now, boolean terminal) {
        List<SecondaryStatusTransition> history = new ArrayList<>(job.secondaryStatusTransitions());
        int last = history.size() - 1;
        if (last >= 0 && history.get(last).statusAsString().equals(status.toString())) {
            history.set(last, history.get(last).toBuilder().statusMessage(message)
                    .endTime(terminal ? now : history.get(last).endTime()).build());
        } else {
            if (last >= 0 && history.get(last).endTime() == null) {
                history.set(last, history.get(last).toBuilder().endTime(now).build());
            }
            history.add(SecondaryStatusTransition.builder().status(status).startTime(now)
                    .endTime(terminal ? now : null).statusMessage(message).build());
        }
        return job.toBuilder().secondaryStatus(status).secondaryStatusTransitions(history).lastModifiedTime(now);
    }
}
