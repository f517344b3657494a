package dev.sagebrush.protocol.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * Shared pieces of the JSON and CBOR codecs: timestamps (an {@link Instant} inside a POJONode) are written as epoch
 * seconds with millisecond precision, and in CBOR with the epoch-time tag 1, as Smithy RPC v2 CBOR requires.
 */
final class Trees {
    private Trees() {}

    static ObjectMapper withTimestamps(ObjectMapper mapper) {
        SimpleModule m = new SimpleModule("aws-timestamps");
        m.addSerializer(Instant.class, new JsonSerializer<>() {
            @Override
            public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                if (gen instanceof CBORGenerator cbor) {
                    cbor.writeTag(1);
                }
                gen.writeNumber(epochSeconds(value));
            }
        });
        return mapper.registerModule(m);
    }

    static BigDecimal epochSeconds(Instant t) {
        return BigDecimal.valueOf(t.toEpochMilli()).movePointLeft(3).stripTrailingZeros();
    }

    /** "Sender" for a client's mistake, "Receiver" for the server's: the query protocol's error Type. */
    static String faultOf(int status) {
        return status >= 500 ? "Receiver" : "Sender";
    }
}
