package dev.sagebrush.protocol;

import java.util.List;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;

/**
 * An operation's output already in its awsJson wire form, which the {@link Gateway} writes as is. For answers that
 * are a stored document (a Describe is the resource's stored Describe document; a Search page is spliced from the
 * index's documents): decoding that document into the SDK's objects only for the codec to encode it again cost about
 * a tenth of a Describe's CPU, and most of a Search page's JSON work. The bytes must be exactly what encoding the
 * operation's output shape would write (documents written by {@link JsonCodec#encode} are).
 */
public final class PreEncoded implements SdkPojo {
    private final byte[] json;

    private PreEncoded(byte[] json) {
        this.json = json;
    }

    /** Wraps a wire document; the caller must not modify {@code json} afterwards. */
    public static PreEncoded of(byte[] json) {
        return new PreEncoded(json);
    }

    public byte[] json() {
        return json;
    }

    /** No fields: a PreEncoded is never walked by the codec, only written. */
    @Override
    public List<SdkField<?>> sdkFields() {
        return List.of();
    }
}
