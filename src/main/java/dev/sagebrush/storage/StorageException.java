package dev.sagebrush.storage;

/** An object-storage failure that is not the caller's missing object or bucket (network, permissions, server). */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
