package dev.sagebrush.compilation.xgboost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads an XGBoost model in any of its three on-disk formats into {@link XgbModel}. The format is detected from
 * the bytes, not the file name: SageMaker users name files freely ("xgboost-model" has no extension).
 */
public final class XgbLoader {
    /** On-disk formats. */
    public enum Format { JSON, UBJSON, LEGACY_BINARY }

    /** Refuse absurd inputs before parsing; real tree models are far below this. */
    public static final long MAX_MODEL_BYTES = 512L * 1024 * 1024;

    private XgbLoader() { }

    public static XgbModel load(Path file) throws XgbModelException, IOException {
        long size = Files.size(file);
        if (size > MAX_MODEL_BYTES) {
            throw new XgbModelException("model file is " + size + " bytes, above the " + MAX_MODEL_BYTES + " limit");
        }
        return load(Files.readAllBytes(file));
    }

    public static XgbModel load(byte[] data) throws XgbModelException {
        if (PickledBooster.looksLikePickle(data)) {
            data = PickledBooster.handle(data); // SageMaker XGBoost 0.90-1 to 1.2-2 pickle the Booster
        }
        switch (detect(data)) {
            case JSON:
                return JsonModelReader.read(serializedModel(JsonTextReader.parse(data)));
            case UBJSON:
                return JsonModelReader.read(serializedModel(UbjsonReader.parse(data)));
            default:
                return LegacyBinaryReader.read(data);
        }
    }

    /** A pickled Booster of xgboost 1.x holds {"Config": ..., "Model": {the model document}}. */
    private static com.fasterxml.jackson.databind.JsonNode serializedModel(com.fasterxml.jackson.databind.JsonNode root) {
        return root != null && !root.has("learner") && root.has("Model") ? root.get("Model") : root;
    }

    /**
     * JSON and UBJSON both start with '{'. In JSON the next non-blank byte is '"' or '}'; in UBJSON it is a type
     * marker of the first key's length ('i', 'U', 'l', ...) or an optimized-container marker. Anything else is the
     * legacy binary format (with or without its "binf" magic); "bs64" (base64 legacy) is refused explicitly.
     */
    public static Format detect(byte[] data) throws XgbModelException {
        int i = 0;
        while (i < data.length && Character.isWhitespace(data[i])) {
            i++;
        }
        if (i < data.length && data[i] == '{') {
            if (i > 0) {
                return Format.JSON;
            }
            int j = 1;
            while (j < data.length && Character.isWhitespace(data[j])) {
                j++;
            }
            if (j < data.length && (data[j] == '"' || data[j] == '}')) {
                return Format.JSON;
            }
            return Format.UBJSON;
        }
        if (data.length >= 4 && data[0] == 'b' && data[1] == 's' && data[2] == '6' && data[3] == '4') {
            throw new XgbModelException("base64-encoded legacy model ('bs64') is not supported; save it with"
                    + " save_model as .json or .ubj");
        }
        if (data.length < 4 + LegacyBinaryReader.LEARNER_PARAM_SIZE) {
            throw new XgbModelException("file is not an XGBoost model (too short: " + data.length + " bytes)");
        }
        return Format.LEGACY_BINARY;
    }
}
