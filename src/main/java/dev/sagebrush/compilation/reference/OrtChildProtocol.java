package dev.sagebrush.compilation.reference;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * What the server and the ONNX Runtime child ({@link OrtChildMain}) exchange, as JSON files in the job's work
 * directory. Tensor bytes travel as raw little-endian files named by position ({@link #tensorFile}), never by a name
 * the child chooses; the server reads them through {@code UntrustedFiles} and checks every size against the shape.
 */
public final class OrtChildProtocol {
    static final String REQUEST = "ort-request.json";
    static final String RESPONSE = "ort-response.json";
    /** The response is small (descriptions, shapes); anything larger is not from our child. */
    static final long MAX_RESPONSE_BYTES = 16L << 20;

    /**
     * @param model           the uploaded .onnx (or PyTorch's conversion of it)
     * @param archiveRoot     the unpacked archive: external data must stay inside it
     * @param dataInputConfig the job's, or null to take the shapes the model declares
     * @param tensorsDir      where the child writes the inputs and the reference outputs
     */
    public record Request(String model, String archiveRoot, String dataInputConfig, String tensorsDir) {}

    /** A tensor's metadata; its bytes are in {@link #tensorFile}. */
    public record TensorMeta(String name, int elementType, long[] shape) {}

    /**
     * Exactly one of {@code failure} (a job failure reason, "ClientError: ..."), {@code error} (ONNX Runtime or the
     * child broke) or the results is set.
     */
    public record Response(String ortVersion, String failure, String error, OrtModels.Description original,
                    InputShapes.Resolved shapes, List<List<TensorMeta>> inputs, List<List<TensorMeta>> reference) {
        static Response failure(String version, String failure) {
            return new Response(version, failure, null, null, null, null, null);
        }

        static Response error(String version, String error) {
            return new Response(version, null, error, null, null, null, null);
        }
    }

    /** "reference-1-0.bin": set 1, tensor 0 of the reference outputs. */
    static String tensorFile(String kind, int set, int index) {
        return kind + "-" + set + "-" + index + ".bin";
    }

    static ObjectMapper json() {
        ObjectMapper m = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32)
                .maxStringLength(1 << 20).build());
        return m;
    }

    private OrtChildProtocol() {}
}
