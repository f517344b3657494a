package dev.sagebrush.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.sagebrush.errors.AwsException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * The one generic awsJson1.1 codec: JSON bytes to AWS SDK model objects and back, driven by each shape's
 * {@code sdkFields()}, so every member, nested shape and enum of the SageMaker model is handled with no hand-written
 * DTOs. Timestamps travel as epoch seconds (millisecond fraction), blobs as base64, enums as their string value.
 *
 * <p>Decoding is strict about types (a number where a string belongs is a {@code SerializationException}) and lenient
 * about unknown members, which are skipped: newer clients send members this model does not know yet, and AWS ignores
 * them too. JSON {@code null} is the same as an absent member.
 */
public final class JsonCodec {
    /** Deep enough for SearchExpression's recursion (AWS allows 50 nodes), far from a stack overflow. */
    private static final int MAX_NESTING = 64;

    private final JsonFactory factory;
    private final Map<Class<?>, Map<String, SdkField<?>>> fieldsByName = new ConcurrentHashMap<>();

    public JsonCodec() {
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING).maxStringLength(1 << 22).maxNumberLength(100).build())
                .build();
    }

    // ---------------------------------------------------------------------------------------------------- decoding

    /** Decodes a request body into the builder's shape; an empty body means an input with no members. */
    public <T extends SdkPojo> T decode(byte[] body, SdkBuilder<?, T> builder) {
        if (body.length == 0) {
            return builder.build();
        }
        try (JsonParser p = factory.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw AwsException.serialization("The request body must be a JSON object");
            }
            readObjectInto(p, (SdkPojo) builder, "");
            if (p.nextToken() != null) {
                throw AwsException.serialization("Unexpected content after the end of the JSON object");
            }
            return builder.build();
        } catch (AwsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw AwsException.serialization("Malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    private void readObjectInto(JsonParser p, SdkPojo builder, String path) throws IOException {
        Map<String, SdkField<?>> fields = fieldsOf(builder);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            SdkField<?> field = fields.get(name);
            if (field == null) {
                p.skipChildren();
                continue;
            }
            Object value = readValue(p, field, join(path, name));
            if (value != null) {
                field.set(builder, value);
            }
        }
    }

    private Object readValue(JsonParser p, SdkField<?> field, String path) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        MarshallingType<?> type = field.marshallingType();
        if (type == MarshallingType.STRING) {
            expect(t == JsonToken.VALUE_STRING, path, "a string", t);
            return p.getText();
        } else if (type == MarshallingType.INTEGER) {
            expect(t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT, path, "an integer", t);
            return p.getIntValue();
        } else if (type == MarshallingType.LONG) {
            expect(t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER, path, "an integer", t);
            return p.getLongValue();
        } else if (type == MarshallingType.BOOLEAN) {
            expect(t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE, path, "a boolean", t);
            return p.getBooleanValue();
        } else if (type == MarshallingType.DOUBLE) {
            expect(t.isNumeric(), path, "a number", t);
            return p.getDoubleValue();
        } else if (type == MarshallingType.FLOAT) {
            expect(t.isNumeric(), path, "a number", t);
            return p.getFloatValue();
        } else if (type == MarshallingType.BIG_DECIMAL) {
            expect(t.isNumeric(), path, "a number", t);
            return p.getDecimalValue();
        } else if (type == MarshallingType.INSTANT) {
            expect(t.isNumeric(), path, "a timestamp in epoch seconds", t);
            BigDecimal seconds = p.getDecimalValue();
            return Instant.ofEpochMilli(seconds.movePointRight(3).longValue());
        } else if (type == MarshallingType.SDK_BYTES) {
            expect(t == JsonToken.VALUE_STRING, path, "a base64 string", t);
            try {
                return SdkBytes.fromByteArray(java.util.Base64.getDecoder().decode(p.getText()));
            } catch (IllegalArgumentException e) {
                throw AwsException.serialization("Member '" + path + "' is not valid base64");
            }
        } else if (type == MarshallingType.SDK_POJO) {
            expect(t == JsonToken.START_OBJECT, path, "an object", t);
            SdkPojo nested = field.constructor().get();
            readObjectInto(p, nested, path);
            return build(nested);
        } else if (type == MarshallingType.LIST) {
            expect(t == JsonToken.START_ARRAY, path, "a list", t);
            SdkField<?> member = field.getRequiredTrait(ListTrait.class).memberFieldInfo();
            List<Object> list = new ArrayList<>();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                Object v = readValue(p, member, path + "[" + i++ + "]");
                if (v == null) {
                    throw AwsException.serialization("Member '" + path + "' must not contain null elements");
                }
                list.add(v);
            }
            return list;
        } else if (type == MarshallingType.MAP) {
            expect(t == JsonToken.START_OBJECT, path, "a map", t);
            SdkField<?> valueField = field.getRequiredTrait(MapTrait.class).valueFieldInfo();
            Map<String, Object> map = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                Object v = readValue(p, valueField, path + "." + key);
                if (v == null) {
                    throw AwsException.serialization("Member '" + path + "' must not contain null values");
                }
                map.put(key, v);
            }
            return map;
        } else if (type == MarshallingType.DOCUMENT) {
            throw AwsException.serialization("Member '" + path + "' has a document type this server does not accept");
        }
        throw AwsException.serialization("Member '" + path + "' has an unsupported type " + type);
    }

    private static void expect(boolean ok, String path, String expected, JsonToken got) {
        if (!ok) {
            throw AwsException.serialization(
                    "Unexpected value for member '" + path + "': expected " + expected + ", got " + describe(got));
        }
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a decimal number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "a list";
            default -> t.toString();
        };
    }

    private static Object build(SdkPojo builder) {
        return ((SdkBuilder<?, ?>) builder).build();
    }

    private Map<String, SdkField<?>> fieldsOf(SdkPojo pojo) {
        return fieldsByName.computeIfAbsent(pojo.getClass(), c -> {
            Map<String, SdkField<?>> m = new HashMap<>();
            for (SdkField<?> f : pojo.sdkFields()) {
                m.put(f.locationName(), f);
            }
            return m;
        });
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable input";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    // ---------------------------------------------------------------------------------------------------- encoding

    /** Encodes a model object as its awsJson1.1 document. */
    public byte[] encode(SdkPojo pojo) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = factory.createGenerator(out)) {
            writeObject(g, pojo);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Encodes then decodes: a deep copy that also normalises a document to exactly what the wire would carry. */
    public <T extends SdkPojo> T decode(byte[] json, Supplier<? extends SdkBuilder<?, T>> builder) {
        return decode(json, builder.get());
    }

    private void writeObject(JsonGenerator g, SdkPojo pojo) throws IOException {
        g.writeStartObject();
        for (SdkField<?> f : pojo.sdkFields()) {
            Object v = f.getValueOrDefault(pojo);
            if (v == null || v instanceof SdkAutoConstructList || v instanceof SdkAutoConstructMap) {
                continue;
            }
            g.writeFieldName(f.locationName());
            writeValue(g, f, v);
        }
        g.writeEndObject();
    }

    private void writeValue(JsonGenerator g, SdkField<?> field, Object v) throws IOException {
        MarshallingType<?> type = field.marshallingType();
        if (type == MarshallingType.STRING) {
            g.writeString((String) v);
        } else if (type == MarshallingType.INTEGER) {
            g.writeNumber((Integer) v);
        } else if (type == MarshallingType.LONG) {
            g.writeNumber((Long) v);
        } else if (type == MarshallingType.BOOLEAN) {
            g.writeBoolean((Boolean) v);
        } else if (type == MarshallingType.DOUBLE) {
            g.writeNumber((Double) v);
        } else if (type == MarshallingType.FLOAT) {
            g.writeNumber((Float) v);
        } else if (type == MarshallingType.BIG_DECIMAL) {
            g.writeNumber((BigDecimal) v);
        } else if (type == MarshallingType.INSTANT) {
            g.writeNumber(BigDecimal.valueOf(((Instant) v).toEpochMilli(), 3));
        } else if (type == MarshallingType.SDK_BYTES) {
            g.writeString(java.util.Base64.getEncoder().encodeToString(((SdkBytes) v).asByteArray()));
        } else if (type == MarshallingType.SDK_POJO) {
            writeObject(g, (SdkPojo) v);
        } else if (type == MarshallingType.LIST) {
            SdkField<?> member = field.getRequiredTrait(ListTrait.class).memberFieldInfo();
            g.writeStartArray();
            for (Object e : (Collection<?>) v) {
                writeValue(g, member, e);
            }
            g.writeEndArray();
        } else if (type == MarshallingType.MAP) {
            SdkField<?> valueField = field.getRequiredTrait(MapTrait.class).valueFieldInfo();
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, valueField, e.getValue());
            }
            g.writeEndObject();
        } else {
            throw new IllegalStateException("Cannot encode member " + field.memberName() + " of type " + type);
        }
    }
}
