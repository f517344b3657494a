package dev.sagebrush.compilation.reference;

import ai.onnxruntime.OrtException;
import dev.sagebrush.compilation.CompilationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ONNX Runtime child: everything that parses or runs an uploaded ONNX model, in a JVM of its own inside the job's
 * sandbox (its own uid, only the job's directory, no network, the compilation memory budget). Arguments: the request
 * file and the response file ({@link OrtChildProtocol}). Steps: check external data, describe the model, resolve the
 * input shapes, and run the original on random inputs: its outputs are the reference that TVM's artifact must
 * reproduce on the target.
 */
public final class OrtChildMain {
    private OrtChildMain() {}

    public static void main(String[] args) throws IOException {
        Path requestFile = Path.of(args[0]);
        Path responseFile = Path.of(args[1]);
        var json = OrtChildProtocol.json();
        OrtChildProtocol.Response response;
        String version = OrtModels.version();
        try {
            response = run(json.readValue(requestFile.toFile(), OrtChildProtocol.Request.class), version);
        } catch (CompilationFailure f) {
            response = OrtChildProtocol.Response.failure(version, f.getMessage());
        } catch (Throwable t) {
            response = OrtChildProtocol.Response.error(version, t.getClass().getSimpleName() + ": " + t.getMessage());
        }
        json.writeValue(responseFile.toFile(), response);
        System.exit(0); // ONNX Runtime's native threads must not keep the JVM alive
    }

    static OrtChildProtocol.Response run(OrtChildProtocol.Request r, String version) throws IOException, OrtException {
        Path model = Path.of(r.model());
        OnnxExternalData.check(model, Path.of(r.archiveRoot()));
        OrtModels.Description original = describe(model, version);
        InputShapes.Resolved shapes = InputShapes.resolve(original.inputs(), r.dataInputConfig());

        Path tensors = Files.createDirectories(Path.of(r.tensorsDir()));
        List<List<Tensor>> inputs = RandomInputs.generate(original.inputs(), shapes.shapes());
        List<List<Tensor>> reference;
        try {
            reference = OrtModels.run(model, ai.onnxruntime.OrtSession.SessionOptions.OptLevel.NO_OPT, inputs);
        } catch (OrtException e) {
            throw new CompilationFailure("ClientError: CompilationError: The ONNX model does not run with inputs "
                    + shapes.json() + " in ONNX Runtime " + version + ": " + e.getMessage(), e);
        }
        return new OrtChildProtocol.Response(version, null, null, original, shapes, write(tensors, "input", inputs),
                write(tensors, "reference", reference));
    }

    private static OrtModels.Description describe(Path file, String version) {
        OrtModels.Description d;
        try {
            d = OrtModels.describe(file);
        } catch (OrtException e) {
            throw new CompilationFailure("ClientError: InputConfiguration: Unable to load the ONNX model "
                    + file.getFileName() + " with ONNX Runtime " + version + ": " + e.getMessage(), e);
        }
        if (!d.unsupported().isEmpty()) {
            throw new CompilationFailure("ClientError: InputConfiguration: This server compiles ONNX models whose "
                    + "inputs and outputs are numeric tensors (float32/64, int8/16/32/64, uint8, bool), so that it can "
                    + "verify them: " + String.join("; ", d.unsupported()) + ".");
        }
        return d;
    }

    private static List<List<OrtChildProtocol.TensorMeta>> write(Path dir, String kind, List<List<Tensor>> sets)
            throws IOException {
        List<List<OrtChildProtocol.TensorMeta>> out = new ArrayList<>();
        for (int k = 0; k < sets.size(); k++) {
            List<OrtChildProtocol.TensorMeta> metas = new ArrayList<>();
            for (int i = 0; i < sets.get(k).size(); i++) {
                Tensor t = sets.get(k).get(i);
                Files.write(dir.resolve(OrtChildProtocol.tensorFile(kind, k, i)), t.data());
                metas.add(new OrtChildProtocol.TensorMeta(t.name(), t.elementType(), t.shape()));
            }
            out.add(metas);
        }
        return out;
    }
}
