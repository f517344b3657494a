package dev.sagebrush.errors;

/**
 * An error answered to the client in AWS's awsJson1.1 form: {@code {"__type": errorType, "message": message}} with
 * {@link #httpStatus()}. Features throw these; the gateway turns them into responses. Nothing about the store changes
 * when one is thrown before a write.
 */
public class AwsException extends RuntimeException {
    private final String errorType;
    private final int httpStatus;

    public AwsException(String errorType, int httpStatus, String message) {
        super(message, null, false, false); // no stack trace: these are answers, not bugs
        this.errorType = errorType;
        this.httpStatus = httpStatus;
    }

    public String errorType() { return errorType; }
    public int httpStatus() { return httpStatus; }

    public static AwsException validation(String message) {
        return new AwsException("ValidationException", 400, message);
    }
    public static AwsException resourceNotFound(String message) {
        return new AwsException("ResourceNotFound", 400, message);
    }
    public static AwsException resourceInUse(String message) {
        return new AwsException("ResourceInUse", 400, message);
    }
    public static AwsException resourceLimitExceeded(String message) {
        return new AwsException("ResourceLimitExceeded", 400, message);
    }
    public static AwsException serialization(String message) {
        return new AwsException("SerializationException", 400, message);
    }
    public static AwsException unknownOperation(String message) {
        return new AwsException("UnknownOperationException", 400, message);
    }
    public static AwsException internal(String message) {
        return new AwsException("InternalFailure", 500, message);
    }
}
