package dev.sagebrush.search;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every searchable property of a TrainingJob search record with its type, read from
 * {@code training-job-properties.txt} (derived from the service model's TrainingJob shape). Keeping the schema as
 * data means a new model member is one line, and the same table drives extraction, validation and suggestions.
 */
final class PropertyCatalogue {
    private static final PropertyCatalogue TRAINING_JOB = load("training-job-properties.txt");

    private final List<Property> all;
    private final List<Property> roots;
    private final Map<String, Property> byName;

    private PropertyCatalogue(List<Property> all, List<Property> roots, Map<String, Property> byName) {
        this.all = Collections.unmodifiableList(all);
        this.roots = Collections.unmodifiableList(roots);
        this.byName = byName;
    }

    static PropertyCatalogue trainingJob() { return TRAINING_JOB; }

    int size() { return all.size(); }
    List<Property> all() { return all; }
    /** Top-level properties, in record member order: the entry points for extraction. */
    List<Property> roots() { return roots; }
    Property byName(String name) { return byName.get(name); }

    /** A resolved filter or sort name: a catalogue property plus, for keyed types, the key after the prefix. */
    record Ref(Property property, String key) {
        String displayName() { return key == null ? property.name() : property.name() + "." + key; }
    }

    /**
     * Resolves a filter/sort name, or returns null if it names nothing. Exact catalogue names win; otherwise the
     * longest keyed prefix ({@code HyperParameters.}, {@code Metrics.}, {@code Tags.}, string maps) takes the rest
     * of the name as its key, so keys may themselves contain dots (metric names like {@code validation:auc.mean}).
     */
    Ref resolve(String name) {
        Property exact = byName.get(name);
        if (exact != null) {
            return exact.type() == PropertyType.METRICS ? null : new Ref(exact, null);
        }
        int dot = name.lastIndexOf('.');
        while (dot > 0) {
            Property prefix = byName.get(name.substring(0, dot));
            if (prefix != null && prefix.type().isKeyed() && dot + 1 < name.length()) {
                return new Ref(prefix, name.substring(dot + 1));
            }
            dot = name.lastIndexOf('.', dot - 1);
        }
        return null;
    }

    private static PropertyCatalogue load(String resource) {
        try (InputStream in = PropertyCatalogue.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<Property> all = new ArrayList<>();
            List<Property> roots = new ArrayList<>();
            Map<String, Property> byRawPath = new HashMap<>();
            Map<String, Property> byName = new HashMap<>();
            String line;
            while ((line = reader.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\s+");
                String rawPath = parts[0];
                PropertyType type = PropertyType.fromWord(parts[1]);
                int dot = rawPath.lastIndexOf('.');
                Property parent = dot < 0 ? null : byRawPath.get(rawPath.substring(0, dot));
                if (dot >= 0 && parent == null) {
                    throw new IllegalStateException("parent of " + rawPath + " must be listed before it");
                }
                boolean list = rawPath.endsWith("[]");
                String field = (dot < 0 ? rawPath : rawPath.substring(dot + 1)).replace("[]", "");
                int listCount = (rawPath.length() - rawPath.replace("[]", "").length()) / 2;
                Property p = new Property(all.size(), rawPath.replace("[]", ""), field, type, list, parent, listCount);
                all.add(p);
                byRawPath.put(rawPath, p);
                byName.put(p.name(), p);
                if (parent == null) {
                    roots.add(p);
                } else {
                    parent.addChild(p);
                }
            }
            return new PropertyCatalogue(all, roots, byName);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
