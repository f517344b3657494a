package dev.sagebrush.tags;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sagemaker.model.Tag;

/** Conversions between the API's tag lists and the store's ordered key/value maps. */
public final class TagLists {
    private TagLists() {}

    public static Map<String, String> toMap(List<Tag> tags) {
        Map<String, String> m = new LinkedHashMap<>();
        if (tags != null) {
            // A missing Value is stored as the empty string, as SageMaker documents.
            tags.forEach(t -> m.put(t.key(), t.value() == null ? "" : t.value()));
        }
        return m;
    }

    public static List<Tag> toList(Map<String, String> tags) {
        List<Tag> l = new ArrayList<>(tags.size());
        tags.forEach((k, v) -> l.add(Tag.builder().key(k).value(v).build()));
        return l;
    }
}
