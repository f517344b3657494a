package dev.sagebrush.compilation.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.compilation.toolchain.SandboxedSteps;
import dev.sagebrush.jobs.sandbox.SandboxedProcess;
import dev.sagebrush.jobs.sandbox.UntrustedFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A reference script of the server's resources (torch_to_onnx.py, tflite_armnn_reference.py) run by Debian's
 * {@code /usr/bin/python3} in the job's sandbox: request.json in (the inputs' files per verification set), result.json
 * and {@code ref-<set>-<output>.bin} out. Callers turn what happened into their framework's FailureReasons.
 */
public final class SandboxedPython {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where the scripts are among the resources (beside the classes that used them first). */
    private static final String SCRIPTS = "/dev/sagebrush/compilation/onnx/";

    /** @param result the script's result.json, or null when it wrote none (killed, crashed, out of memory or time) */
    public record Run(SandboxedProcess.Result process, JsonNode result) {}

    private SandboxedPython() {}

    /** A request naming each input (name, dtype, shape) and its file in every set; the caller adds its own keys. */
    public static ObjectNode request(Path dir, List<TensorSpec> specs, Map<String, long[]> shapes, List<List<Path>> files) {
        ObjectNode req = JSON.createObjectNode().put("out_dir", dir.toAbsolutePath().toString());
        var inputs = req.putArray("inputs");
        for (int i = 0; i < specs.size(); i++) {
            ObjectNode o = inputs.addObject().put("name", specs.get(i).name()).put("dtype", specs.get(i).dtype());
            var shape = o.putArray("shape");
            for (long d : shapes.get(specs.get(i).name())) shape.add(d);
            var f = o.putArray("files");
            for (List<Path> set : files) f.add(set.get(i).toAbsolutePath().toString());
        }
        return req;
    }

    public static Run run(SandboxedSteps steps, Path workDir, Path dir, String script, String label, ObjectNode request)
            throws IOException {
        Path copy = dir.resolve(script);
        try (InputStream in = SandboxedPython.class.getResourceAsStream(SCRIPTS + script)) {
            if (in == null) throw new IllegalStateException(script + " resource missing from the build");
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        Path result = dir.resolve("result.json");
        Files.deleteIfExists(result);
        request.put("result", result.toAbsolutePath().toString());
        Path reqFile = dir.resolve("request.json");
        Files.write(reqFile, JSON.writeValueAsBytes(request));
        SandboxedProcess.Result r = steps.runSandboxed(label, List.of("/usr/bin/python3", copy.toString(),
                reqFile.toString()), dir, dev.sagebrush.compilation.tvm.TvmPipeline.STEP_TIMEOUT, 64 * 1024).result();
        boolean wrote = !r.memoryExceeded() && !r.timedOut() && UntrustedFiles.isRegularFile(workDir, result);
        return new Run(r, wrote ? JSON.readTree(UntrustedFiles.read(workDir, result, 1 << 20)) : null);
    }

    /**
     * The reference outputs the script wrote, per set: {@code result.outputs} gives each output's shape and dtype
     * (float32 when absent), {@code names} its name; every file must hold exactly that many bytes.
     */
    public static List<List<Tensor>> outputs(Path workDir, Path dir, JsonNode result, int sets, IntFunction<String> names)
            throws IOException {
        List<List<Tensor>> reference = new ArrayList<>();
        for (int s = 0; s < sets; s++) {
            List<Tensor> set = new ArrayList<>();
            int k = 0;
            for (JsonNode o : result.path("outputs")) {
                int type = ElementTypes.fromDtype(o.path("dtype").asText("float32"));
                long[] shape = new long[o.path("shape").size()];
                long n = ElementTypes.size(type);
                for (int d = 0; d < shape.length; d++) n *= shape[d] = o.path("shape").get(d).asLong();
                byte[] data = UntrustedFiles.read(workDir, dir.resolve("ref-" + s + "-" + k + ".bin"), n);
                if (data.length != n) throw new IOException("reference output " + k + " has the wrong size");
                set.add(new Tensor(names.apply(k), type, shape, data));
                k++;
            }
            reference.add(set);
        }
        return reference;
    }
}
