package dev.sagebrush.compilation.onnx;

import ai.onnxruntime.OrtException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Test-scope door into the package-private ONNX compiler pieces, for {@code dev.sagebrush.bench.OnnxBench}: produces
 * {@code model.ort} with exactly the calls {@link OnnxModelCompiler#compile} makes (describe the original, resolve
 * DataInputConfig with {@link InputShapes}, {@link OrtModels#optimize} at {@link OnnxModelCompiler#LEVEL}), and runs
 * the compiler's own x86_64 verification (model.ort loaded with ALL_OPT against the original with NO_OPT).
 */
public final class OnnxCompileForBench {
    /** What the compiler decided: the level, the symbolic dims it fixed and the verification it would publish. */
    public record Compiled(String level, Map<String, Long> dimValues, String shapesJson, boolean verified,
                           String verification) {}

    private OnnxCompileForBench() {}

    public static Compiled compile(Path model, String dataInputConfig, Path out) throws OrtException {
        OrtModels.Description original = OrtModels.describe(model);
        InputShapes.Resolved shapes = InputShapes.resolve(original.inputs(), dataInputConfig);
        OrtModels.optimize(model, out, shapes.dimValues(), OnnxModelCompiler.LEVEL);
        var inputs = RandomInputs.generate(original.inputs(), shapes.shapes());
        var reference = OrtModels.run(model, ai.onnxruntime.OrtSession.SessionOptions.OptLevel.NO_OPT, inputs);
        var got = OrtModels.run(out, ai.onnxruntime.OrtSession.SessionOptions.OptLevel.ALL_OPT, inputs);
        OnnxVerification v = OnnxVerification.compare(reference, got);
        return new Compiled(OnnxModelCompiler.LEVEL.name(), shapes.dimValues(), shapes.json(), v.passed(), v.detail());
    }

    public static String artifactName() {
        return OnnxModelCompiler.ARTIFACT;
    }
}
