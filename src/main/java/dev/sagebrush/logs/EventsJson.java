package dev.sagebrush.logs;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.WritableTypeId;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import java.io.IOException;
import java.util.List;

/**
 * A page of events written straight to the response's JSON generator: a GetLogEvents page holds up to 10,000 events,
 * and building a tree node per event first doubled the time of the whole call.
 */
final class EventsJson implements JsonSerializable {
    private final List<LogEvent> events;

    EventsJson(List<LogEvent> events) {
        this.events = events;
    }

    @Override
    public void serialize(JsonGenerator gen, SerializerProvider serializers) throws IOException {
        gen.writeStartArray();
        for (LogEvent e : events) {
            gen.writeStartObject();
            gen.writeNumberField("timestamp", e.timestamp());
            gen.writeStringField("message", e.message());
            gen.writeNumberField("ingestionTime", e.ingestionTime());
            gen.writeEndObject();
        }
        gen.writeEndArray();
    }

    @Override
    public void serializeWithType(JsonGenerator gen, SerializerProvider serializers, TypeSerializer typeSer)
            throws IOException {
        serialize(gen, serializers);
    }
}
