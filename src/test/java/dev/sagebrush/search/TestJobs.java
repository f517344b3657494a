package dev.sagebrush.search;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import software.amazon.awssdk.services.sagemaker.model.Filter;
import software.amazon.awssdk.services.sagemaker.model.NestedFilters;
import software.amazon.awssdk.services.sagemaker.model.SearchExpression;
import software.amazon.awssdk.services.sagemaker.model.SearchRequest;

/** Builders for TrainingJob search records in wire form, and for search requests. */
final class TestJobs {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final String ARN_PREFIX = "arn:aws:sagemaker:us-east-1:123456789012:training-job/";

    private TestJobs() {}

    static Job job(String name) { return new Job(name); }

    static final class Job {
        final ObjectNode node = JsonNodeFactory.instance.objectNode();

        Job(String name) {
            node.put("TrainingJobName", name);
            node.put("TrainingJobArn", ARN_PREFIX + name);
            node.put("TrainingJobStatus", "Completed");
            node.put("CreationTime", 1_767_225_600L); // 2026-01-01T00:00:00Z
            node.put("LastModifiedTime", 1_767_225_600L);
        }

        Job status(String s) { node.put("TrainingJobStatus", s); return this; }
        Job lastModified(double epochSeconds) { node.put("LastModifiedTime", epochSeconds); return this; }
        Job created(double epochSeconds) { node.put("CreationTime", epochSeconds); return this; }
        Job networkIsolation(boolean b) { node.put("EnableNetworkIsolation", b); return this; }
        Job trainingSeconds(int s) { node.put("TrainingTimeInSeconds", s); return this; }
        Job instance(String type, int count) {
            ObjectNode rc = node.putObject("ResourceConfig");
            rc.put("InstanceType", type);
            rc.put("InstanceCount", count);
            rc.put("VolumeSizeInGB", 30);
            return this;
        }

        Job metric(String name, double value) {
            ArrayNode list = node.has("FinalMetricDataList") ? (ArrayNode) node.get("FinalMetricDataList")
                    : node.putArray("FinalMetricDataList");
            ObjectNode m = list.addObject();
            m.put("MetricName", name);
            m.put("Value", value);
            m.put("Timestamp", 1_767_229_200L);
            return this;
        }

        Job hp(String name, String value) {
            ObjectNode hp = node.has("HyperParameters") ? (ObjectNode) node.get("HyperParameters")
                    : node.putObject("HyperParameters");
            hp.put(name, value);
            return this;
        }

        Job env(String name, String value) {
            ObjectNode env = node.has("Environment") ? (ObjectNode) node.get("Environment")
                    : node.putObject("Environment");
            env.put(name, value);
            return this;
        }

        Job tag(String key, String value) {
            ArrayNode tags = node.has("Tags") ? (ArrayNode) node.get("Tags") : node.putArray("Tags");
            ObjectNode t = tags.addObject();
            t.put("Key", key);
            t.put("Value", value);
            return this;
        }

        Job channel(String name, String s3Uri, String... attributeNames) {
            ArrayNode channels = node.has("InputDataConfig") ? (ArrayNode) node.get("InputDataConfig")
                    : node.putArray("InputDataConfig");
            ObjectNode c = channels.addObject();
            c.put("ChannelName", name);
            ObjectNode s3 = c.putObject("DataSource").putObject("S3DataSource");
            s3.put("S3DataType", "S3Prefix");
            s3.put("S3Uri", s3Uri);
            if (attributeNames.length > 0) {
                ArrayNode names = s3.putArray("AttributeNames");
                for (String a : attributeNames) {
                    names.add(a);
                }
            }
            return this;
        }

        Job subnets(String... subnets) {
            ObjectNode vpc = node.putObject("VpcConfig");
            vpc.putArray("SecurityGroupIds").add("sg-1");
            ArrayNode list = vpc.putArray("Subnets");
            for (String s : subnets) {
                list.add(s);
            }
            return this;
        }

        ObjectNode build() { return node; }
    }

    static Filter filter(String name, String operator, String value) {
        return Filter.builder().name(name).operator(operator).value(value).build();
    }

    static SearchExpression and(Filter... filters) {
        return SearchExpression.builder().filters(filters).build();
    }

    static SearchExpression or(Filter... filters) {
        return SearchExpression.builder().operator("Or").filters(filters).build();
    }

    static NestedFilters nested(String list, Filter... filters) {
        return NestedFilters.builder().nestedPropertyName(list).filters(filters).build();
    }

    static SearchRequest request(SearchExpression e) {
        return SearchRequest.builder().resource("TrainingJob").searchExpression(e).build();
    }

    static List<String> names(SearchPage page) {
        return page.trainingJobs().stream().map(j -> j.get("TrainingJobName").asText()).toList();
    }
}
