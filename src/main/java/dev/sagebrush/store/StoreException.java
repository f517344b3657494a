package dev.sagebrush.store;

/** The store could not do what was asked (disk full, corrupt file...): an internal failure, never a client error. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
