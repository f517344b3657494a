package dev.sagebrush.compilation.tvm;

import java.util.List;

/** Test-scope door to {@link TvmCompiler#missing(String)}: what a host of another architecture would lack. */
public final class TvmCompilerAccess {
    private TvmCompilerAccess() {}

    public static List<String> missing(String osArch) {
        return TvmCompiler.missing(osArch);
    }
}
