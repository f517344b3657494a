package dev.sagebrush.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns a TrainingJob wire document into a {@link JobRecord} by walking the document along the catalogue. Members the
 * catalogue does not know are ignored (they cannot be searched, but they are still returned). Values of the wrong JSON
 * type are skipped rather than failing the put: the document came from our own store, and one odd member should not
 * make a job unsearchable.
 */
final class RecordExtractor {
    private final PropertyCatalogue catalogue;
    private final Property tagsProperty;
    private final Property hyperParametersProperty;

    RecordExtractor(PropertyCatalogue catalogue) {
        this.catalogue = catalogue;
        this.tagsProperty = catalogue.byName("Tags");
        this.hyperParametersProperty = catalogue.byName("HyperParameters");
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    JobRecord extract(ObjectNode document) {
        JsonNode arnNode = document.get("TrainingJobArn");
        if (arnNode == null || !arnNode.isTextual() || arnNode.textValue().isEmpty()) {
            throw new IllegalArgumentException("a training job search record needs a TrainingJobArn");
        }
        Object[] dense = new Object[catalogue.size()];
        walk(document, catalogue.roots(), dense, -1, 0);
        Map<String, HyperParameterValue> hyper = hyperParameters(document.get("HyperParameters"));
        Map<String, String> tags = tags(document.get("Tags"));
        // The bare container names answer Exists like any other container.
        if (!hyper.isEmpty()) {
            dense[hyperParametersProperty.id()] = Boolean.TRUE;
        }
        if (!tags.isEmpty()) {
            dense[tagsProperty.id()] = Boolean.TRUE;
        }
        int count = 0;
        for (Object v : dense) {
            if (v != null) {
                count++;
            }
        }
        short[] ids = new short[count];
        Object[] values = new Object[count];
        for (int id = 0, j = 0; id < dense.length; id++) {
            if (dense[id] != null) {
                ids[j] = (short) id;
                values[j++] = dense[id];
            }
        }
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the training job document cannot be written as JSON", e);
        }
        return new JobRecord(arnNode.textValue(), bytes, ids, values, metrics(document.get("FinalMetricDataList")),
                hyper, tags);
    }

    private void walk(JsonNode object, Iterable<Property> properties, Object[] dense, int element, int axisLength) {
        for (Property p : properties) {
            JsonNode node = object.get(p.field());
            if (node == null || node.isNull() || p.type().isKeyed() && p.type() != PropertyType.MAP) {
                continue; // HyperParameters and Tags have their own maps; Metrics is not a member
            }
            switch (p.type()) {
                case STRUCT -> {
                    if (node.isObject()) {
                        put(p, dense, element, axisLength, Boolean.TRUE);
                        walk(node, p.children(), dense, element, axisLength);
                    }
                }
                case MAP -> {
                    Map<String, String> map = stringMap(node);
                    if (!map.isEmpty()) {
                        put(p, dense, element, axisLength, map);
                    }
                }
                case LIST -> {
                    if (node.isArray() && !node.isEmpty()) {
                        walkList(p, node, dense, element, axisLength);
                    }
                }
                default -> {
                    if (!p.list()) {
                        Object v = scalar(p.type(), node);
                        if (v != null) {
                            put(p, dense, element, axisLength, v);
                        }
                    } else if (node.isArray() && !node.isEmpty()) {
                        boolean ownAxis = p.axis() == p;
                        for (int i = 0; i < node.size(); i++) {
                            Object v = scalar(p.type(), node.get(i));
                            if (v != null) {
                                // a list of values that is its own axis stores one value per element
                                put(p, dense, ownAxis ? i : element, ownAxis ? node.size() : axisLength, v);
                            }
                        }
                    }
                }
            }
        }
    }

    private void walkList(Property p, JsonNode array, Object[] dense, int element, int axisLength) {
        if (p.axis() == p) {
            Object[] marks = new Object[array.size()];
            Arrays.fill(marks, Boolean.TRUE);
            dense[p.id()] = marks;
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isObject()) {
                    walk(array.get(i), p.children(), dense, i, array.size());
                }
            }
        } else {
            // A list of structures inside another list: its elements merge into the outer element (multi values).
            put(p, dense, element, axisLength, Boolean.TRUE);
            for (JsonNode item : array) {
                if (item.isObject()) {
                    walk(item, p.children(), dense, element, axisLength);
                }
            }
        }
    }

    private static void put(Property p, Object[] dense, int element, int axisLength, Object value) {
        if (element < 0) {
            dense[p.id()] = p.multi() ? append(dense[p.id()], value) : value;
            return;
        }
        Object[] perElement = (Object[]) dense[p.id()];
        if (perElement == null) {
            perElement = new Object[axisLength];
            dense[p.id()] = perElement;
        }
        perElement[element] = p.multi() ? append(perElement[element], value) : value;
    }

    private static Object[] append(Object existing, Object value) {
        if (existing == null) {
            return new Object[] {value};
        }
        Object[] old = (Object[]) existing;
        Object[] grown = Arrays.copyOf(old, old.length + 1);
        grown[old.length] = value;
        return grown;
    }

    static Object scalar(PropertyType type, JsonNode node) {
        switch (type) {
            case TEXT:
                return node.isValueNode() ? node.asText() : null;
            case NUMBER:
                if (node.isNumber()) {
                    return node.doubleValue();
                }
                return node.isTextual() ? Values.parseNumber(node.textValue()) : null;
            case TIMESTAMP:
                if (node.isNumber()) {
                    return Values.secondsToMillis(node.doubleValue());
                }
                return node.isTextual() ? Values.parseTimestamp(node.textValue()) : null;
            case BOOLEAN:
                if (node.isBoolean()) {
                    return node.booleanValue();
                }
                return node.isTextual() && (node.textValue().equalsIgnoreCase("true")
                        || node.textValue().equalsIgnoreCase("false")) ? Boolean.valueOf(node.textValue()) : null;
            default:
                return null;
        }
    }

    private static Map<String, String> stringMap(JsonNode node) {
        if (!node.isObject() || node.isEmpty()) {
            return Map.of();
        }
        Map<String, String> map = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                map.put(e.getKey(), e.getValue().asText());
            }
        }
        return map;
    }

    private static Map<String, HyperParameterValue> hyperParameters(JsonNode node) {
        Map<String, String> raw = node == null ? Map.of() : stringMap(node);
        if (raw.isEmpty()) {
            return Map.of();
        }
        Map<String, HyperParameterValue> map = new HashMap<>();
        raw.forEach((k, v) -> map.put(k, HyperParameterValue.of(v)));
        return map;
    }

    /** Tags [{Key, Value}]; a missing Value is the empty string, as older AWS docs describe. */
    private static Map<String, String> tags(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            return Map.of();
        }
        Map<String, String> map = new HashMap<>();
        for (JsonNode tag : node) {
            JsonNode key = tag.get("Key");
            if (key != null && key.isTextual()) {
                JsonNode value = tag.get("Value");
                map.put(key.textValue(), value != null && value.isValueNode() && !value.isNull() ? value.asText() : "");
            }
        }
        return map;
    }

    /** Metrics.<name> from FinalMetricDataList; for a repeated name the last entry wins, as the list is final. */
    private static Map<String, Double> metrics(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            return Map.of();
        }
        Map<String, Double> map = new HashMap<>();
        for (JsonNode metric : node) {
            JsonNode name = metric.get("MetricName");
            JsonNode value = metric.get("Value");
            if (name != null && name.isTextual() && value != null) {
                Object v = scalar(PropertyType.NUMBER, value);
                if (v != null) {
                    map.put(name.textValue(), (Double) v);
                }
            }
        }
        return map;
    }
}
