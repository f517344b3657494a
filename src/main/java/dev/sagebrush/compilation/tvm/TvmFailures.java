package dev.sagebrush.compilation.tvm;

import dev.sagebrush.compilation.CompilationFailure;

/** TVM child failures in Neo's words: the model's fault is a ClientError, the server's an InternalServerError. */
public final class TvmFailures {
    private TvmFailures() {}

    public static CompilationFailure of(String framework, TvmTarget target, TvmCompiler.TvmException e) {
        return switch (e.kind()) {
            case "frontend" -> new CompilationFailure("ClientError: CompilationError: TVM could not import the "
                    + framework + " model: " + e.getMessage());
            case "build" -> new CompilationFailure("ClientError: CompilationError: TVM could not compile the "
                    + framework + " model for " + target.llvm() + ": " + e.getMessage());
            case "timeout" -> new CompilationFailure("ClientError: CompilationError: " + e.getMessage()
                    + "; the model is too large for this server's compile budget");
            case "memory" -> new CompilationFailure("ClientError: CompilationError: " + e.getMessage()
                    + ". Reduce the model's or the input shape's size.");
            default -> new CompilationFailure("InternalServerError: The TVM compiler failed (" + e.kind() + "): "
                    + e.getMessage());
        };
    }
}
