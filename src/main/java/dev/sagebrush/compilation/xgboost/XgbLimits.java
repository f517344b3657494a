package dev.sagebrush.compilation.xgboost;

/**
 * Budgets that keep one hostile model file from exhausting the server while it is read: every count a file declares
 * is checked against what that file can actually hold, and against fixed ceilings, BEFORE anything is allocated for
 * it. Each breach is an {@link XgbModelException}, which the compilation job reports as a ClientError.
 *
 * <ul>
 *   <li>Elements (every JSON/UBJSON value, container or scalar): at most one per byte of the file, since an honest
 *       file spends at least a byte on each (UBJSON's zero-byte typed containers of nulls or booleans do not, which is
 *       exactly the attack), and at most {@link #MAX_ELEMENTS} however big the file.</li>
 *   <li>Features: {@link #MAX_FEATURES}. Nothing in a model file is stored per feature, so no file size bounds them;
 *       the verification rows are {@code rows x num_feature} floats.</li>
 *   <li>Output groups (num_class): one tree per group at least, so no more groups than trees, and
 *       {@link #MAX_CLASSES}.</li>
 *   <li>Trees and nodes of the legacy binary format: bounded by the bytes each needs (checked in its reader).</li>
 * </ul>
 */
public final class XgbLimits {
    /** Values in one JSON or UBJSON model document: a Jackson tree node costs ~20-40 bytes of heap each. */
    public static final long MAX_ELEMENTS = Math.max(1_000_000, Math.min(32L << 20,
            Runtime.getRuntime().maxMemory() / 96));
    /** Input columns: 2^20, more than any dense tabular model; sparse hashing models rarely go beyond. */
    public static final int MAX_FEATURES = 1 << 20;
    /** Output groups of a multiclass model. */
    public static final int MAX_CLASSES = 1 << 16;
    /** Cells (rows x features) of the verification matrix: 2^24 floats, 64 MiB. */
    public static final long MAX_VERIFICATION_CELLS = 1L << 24;

    private XgbLimits() {}

    /** The element budget for a document of {@code bytes} bytes. */
    static long elementBudget(long bytes) {
        return Math.min(MAX_ELEMENTS, bytes + 16);
    }

    static XgbModelException tooManyElements(long budget) {
        return new XgbModelException("model document declares more than " + budget + " values, more than its "
                + (budget < MAX_ELEMENTS ? "bytes can hold" : "limit of " + MAX_ELEMENTS + " values per model"));
    }
}
