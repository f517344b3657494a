package dev.sagebrush.storage;

/**
 * An archive Sagebrush refused to extract. {@link #reason()} says which rule it broke; the message is written for
 * the user (it ends up in a job's FailureReason) and names the offending entry where there is one.
 */
public class ArchiveException extends RuntimeException {
    /** SageMaker's own wording for an input model it cannot untar (after "ClientError: InputConfiguration: "). */
    public static final String UNABLE_TO_UNTAR =
            "Unable to untar input model. Please confirm the model is a tar.gz file";

    public enum Reason {
        NOT_GZIP, CORRUPT, PATH_ESCAPE, LINK, UNSUPPORTED_ENTRY_TYPE, TOO_MANY_ENTRIES, TOO_MANY_BYTES, ENTRY_TOO_LARGE
    }

    private final Reason reason;

    public ArchiveException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ArchiveException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
