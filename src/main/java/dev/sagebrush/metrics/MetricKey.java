package dev.sagebrush.metrics;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One CloudWatch metric: namespace, name and its exact set of dimensions (CloudWatch matches dimension sets exactly:
 * a series published with {Host} is not found by a query for {TrainingJobName}).
 */
public record MetricKey(String namespace, String name, Map<String, String> dimensions) {
    public MetricKey {
        dimensions = java.util.Collections.unmodifiableMap(new TreeMap<>(dimensions));
    }

    public static MetricKey of(String namespace, String name, List<Map.Entry<String, String>> dimensions) {
        Map<String, String> d = new TreeMap<>();
        for (Map.Entry<String, String> e : dimensions) d.put(e.getKey(), e.getValue());
        return new MetricKey(namespace, name, d);
    }
}
