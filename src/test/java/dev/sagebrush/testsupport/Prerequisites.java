package dev.sagebrush.testsupport;

import java.util.function.Supplier;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the host (a toolchain, Jupyter, root, a container engine). On a developer's machine a missing
 * prerequisite skips the test; under {@code CI=true} it fails it, so a green CI run can never quietly leave out the
 * tests (the security tests among them) that a missing package would have skipped.
 */
public final class Prerequisites {
    private Prerequisites() {}

    public static boolean strict() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static void require(boolean present, String what) {
        require(present, () -> what);
    }

    public static void require(boolean present, Supplier<String> what) {
        if (present) return;
        String message = "missing prerequisite: " + what.get();
        if (strict()) Assertions.fail(message + " (CI=true: a missing prerequisite fails instead of skipping)");
        Assumptions.abort(message);
    }
}
