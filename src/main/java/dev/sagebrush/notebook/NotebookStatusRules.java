package dev.sagebrush.notebook;

import dev.sagebrush.errors.AwsException;
import java.util.List;

/**
 * Which status each notebook operation may start from, and AWS's refusal, word for word:
 * {@code Status (Pending) not in ([InService]). Unable to transition to (Stopping) for Notebook Instance (<arn>)}.
 */
final class NotebookStatusRules {
    private NotebookStatusRules() {}

    static final List<String> STOP_FROM = List.of("InService");
    static final List<String> START_FROM = List.of("Stopped", "Failed");
    static final List<String> UPDATE_FROM = List.of("Stopped");
    static final List<String> DELETE_FROM = List.of("Stopped", "Failed");

    static void require(String status, List<String> allowed, String target, String arn) {
        if (!allowed.contains(status)) {
            throw AwsException.validation("Status (" + status + ") not in (" + allowed + "). Unable to transition to ("
                    + target + ") for Notebook Instance (" + arn + ")");
        }
    }
}
