package dev.sagebrush.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Hostile SageMaker request bodies: a valid body per operation, then one mutation drawn at random — malformed JSON,
 * wrong member types, deep nesting, huge strings and numbers, unknown or duplicate members, control characters,
 * random bytes. Every body is returned as bytes, so invalid UTF-8 is possible too.
 */
final class JsonMutations {
    /** An operation and a body it accepts (or refuses only for state: the resource does not exist). */
    record Base(String operation, String body) {}

    static final List<Base> BASES = List.of(
            new Base("DescribeCompilationJob", "{\"CompilationJobName\":\"fuzz-job\"}"),
            new Base("ListCompilationJobs", "{\"MaxResults\":10,\"SortBy\":\"Name\",\"SortOrder\":\"Ascending\","
                    + "\"NameContains\":\"x\",\"StatusEquals\":\"FAILED\"}"),
            new Base("CreateCompilationJob", "{\"CompilationJobName\":\"fuzz-c\",\"RoleArn\":"
                    + "\"arn:aws:iam::000000000000:role/R\",\"InputConfig\":{\"S3Uri\":\"s3://fuzz/none.tar.gz\","
                    + "\"Framework\":\"XGBOOST\"},\"OutputConfig\":{\"S3OutputLocation\":\"s3://fuzz/out/\","
                    + "\"TargetDevice\":\"ml_c5\"},\"StoppingCondition\":{\"MaxRuntimeInSeconds\":60},"
                    + "\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}"),
            new Base("StopCompilationJob", "{\"CompilationJobName\":\"fuzz-job\"}"),
            new Base("DeleteCompilationJob", "{\"CompilationJobName\":\"fuzz-job\"}"),
            new Base("DescribeTrainingJob", "{\"TrainingJobName\":\"fuzz-t\"}"),
            new Base("ListTrainingJobs", "{\"MaxResults\":5,\"CreationTimeAfter\":1600000000,"
                    + "\"SortBy\":\"CreationTime\",\"NextToken\":\"abc\"}"),
            new Base("CreateTrainingJob", "{\"TrainingJobName\":\"fuzz-t\",\"RoleArn\":"
                    + "\"arn:aws:iam::000000000000:role/R\",\"AlgorithmSpecification\":{\"TrainingImage\":"
                    + "\"fuzz/image:1\",\"TrainingInputMode\":\"File\",\"MetricDefinitions\":[{\"Name\":\"loss\","
                    + "\"Regex\":\"loss=(\\\\S+)\"}]},\"HyperParameters\":{\"a\":\"1\"},\"InputDataConfig\":[{"
                    + "\"ChannelName\":\"train\",\"DataSource\":{\"S3DataSource\":{\"S3DataType\":\"S3Prefix\","
                    + "\"S3Uri\":\"s3://fuzz/train/\"}}}],\"OutputDataConfig\":{\"S3OutputPath\":\"s3://fuzz/o\"},"
                    + "\"ResourceConfig\":{\"InstanceType\":\"ml.m5.large\",\"InstanceCount\":1,\"VolumeSizeInGB\":1},"
                    + "\"StoppingCondition\":{\"MaxRuntimeInSeconds\":60},\"Environment\":{\"K\":\"V\"}}"),
            new Base("StopTrainingJob", "{\"TrainingJobName\":\"fuzz-t\"}"),
            new Base("AddTags", "{\"ResourceArn\":\"arn:aws:sagemaker:us-east-1:000000000000:training-job/fuzz-t\","
                    + "\"Tags\":[{\"Key\":\"a\",\"Value\":\"b\"}]}"),
            new Base("ListTags", "{\"ResourceArn\":\"arn:aws:sagemaker:us-east-1:000000000000:training-job/fuzz-t\"}"),
            new Base("DeleteTags", "{\"ResourceArn\":\"arn:aws:sagemaker:us-east-1:000000000000:training-job/x\","
                    + "\"TagKeys\":[\"a\"]}"),
            new Base("Search", "{\"Resource\":\"TrainingJob\",\"SearchExpression\":{\"Filters\":[{\"Name\":"
                    + "\"TrainingJobName\",\"Operator\":\"Contains\",\"Value\":\"f\"}],\"SubExpressions\":[{"
                    + "\"Filters\":[{\"Name\":\"Tags.a\",\"Operator\":\"Exists\"}],\"Operator\":\"Or\"}]},"
                    + "\"SortBy\":\"CreationTime\",\"MaxResults\":10}"),
            new Base("GetSearchSuggestions", "{\"Resource\":\"TrainingJob\",\"SuggestionQuery\":{"
                    + "\"PropertyNameQuery\":{\"PropertyNameHint\":\"Hyper\"}}}"),
            new Base("CreateNotebookInstance", "{\"NotebookInstanceName\":\"fuzz-nb\",\"InstanceType\":"
                    + "\"ml.t3.medium\",\"RoleArn\":\"arn:aws:iam::000000000000:role/R\",\"VolumeSizeInGB\":5}"),
            new Base("DescribeNotebookInstance", "{\"NotebookInstanceName\":\"fuzz-nb\"}"),
            new Base("UpdateNotebookInstance", "{\"NotebookInstanceName\":\"fuzz-nb\",\"VolumeSizeInGB\":6}"),
            new Base("ListNotebookInstances", "{\"MaxResults\":3,\"StatusEquals\":\"InService\"}"),
            new Base("StopNotebookInstance", "{\"NotebookInstanceName\":\"fuzz-nb\"}"),
            new Base("DeleteNotebookInstance", "{\"NotebookInstanceName\":\"fuzz-nb-gone\"}"),
            new Base("CreatePresignedNotebookInstanceUrl", "{\"NotebookInstanceName\":\"fuzz-nb\"}"),
            new Base("CreateNotebookInstanceLifecycleConfig", "{\"NotebookInstanceLifecycleConfigName\":\"fuzz-lc\","
                    + "\"OnStart\":[{\"Content\":\"ZWNobyBoaQ==\"}]}"),
            new Base("DescribeNotebookInstanceLifecycleConfig", "{\"NotebookInstanceLifecycleConfigName\":\"fuzz-lc\"}"),
            new Base("ListNotebookInstanceLifecycleConfigs", "{\"NameContains\":\"f\"}"),
            new Base("DeleteNotebookInstanceLifecycleConfig", "{\"NotebookInstanceLifecycleConfigName\":\"none\"}"));

    private static final String[] VALUES = {
        "0", "-1", "2147483648", "-9223372036854775809", "1e400", "-1e-400", "1.5", "NaN", "Infinity", "true", "false",
        "null", "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"", "\"../../etc/passwd\"", "\"a/b\"", "[]", "{}", "[null]",
        "[{}]", "{\"a\":1}", "\"us-east-1:222222222222\"", "\"arn:aws:sagemaker:us-east-1:1:x/y\"", "\"\\n\\r\\t\"",
        "\"s3://../x\"", "\"((a{1000}){1000}){1000}\"", "\"ml.m5.large\"", "\"InService\"", "123456789012345678901234567890",
        "\"😀😀\"", "\"\\\"\"", "0.0000000000000000000000000000001", "-0",
    };

    private JsonMutations() {}

    static byte[] mutate(Base base, SplittableRandom rnd) {
        String body = base.body();
        int kind = rnd.nextInt(20);
        return switch (kind) {
            case 0 -> truncate(body, rnd);
            case 1 -> flipBytes(body.getBytes(StandardCharsets.UTF_8), rnd);
            case 2 -> randomBytes(rnd, rnd.nextInt(1, 2000));
            case 3 -> utf8(deep(rnd));
            case 4 -> utf8(replaceValue(body, hugeString(rnd), rnd));
            case 5 -> utf8(replaceValue(body, hugeNumber(rnd), rnd));
            case 6 -> utf8(body.substring(0, body.length() - 1) + ",\"UnknownMember" + rnd.nextInt(100) + "\":"
                    + VALUES[rnd.nextInt(VALUES.length)] + "}");
            case 7 -> utf8(duplicateKey(body));
            case 8 -> utf8(new String[] {"", "null", "[]", "\"x\"", "1", "{", "}", "{}{}", "{\"a\":}", "{,}",
                    "{\"a\" 1}", "\ufeff{}", "{\"a\":1,}", "{'a':1}", "{/*c*/}"}[rnd.nextInt(15)]);
            case 9 -> utf8(replaceValue(body, "[" + VALUES[rnd.nextInt(VALUES.length)] + "]", rnd));
            case 10 -> utf8(replaceValue(body, deepValue(rnd), rnd));
            case 11 -> utf8(replaceValue(body, "\"" + "\\u0001\\u001f\\\\".repeat(rnd.nextInt(1, 200)) + "\"", rnd));
            case 12 -> utf8(replaceValue(body, longList(rnd), rnd));
            default -> utf8(replaceValue(body, VALUES[rnd.nextInt(VALUES.length)], rnd));
        };
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] truncate(String body, SplittableRandom rnd) {
        return utf8(body.substring(0, rnd.nextInt(body.length())));
    }

    private static byte[] flipBytes(byte[] b, SplittableRandom rnd) {
        int flips = rnd.nextInt(1, 6);
        for (int i = 0; i < flips; i++) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    static byte[] randomBytes(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) rnd.nextInt(256);
        return b;
    }

    private static String deep(SplittableRandom rnd) {
        int depth = rnd.nextInt(10) == 0 ? 100_000 : rnd.nextInt(1, 3000);
        String open = rnd.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        return "{\"X\":" + open.repeat(depth) + "1" + close.repeat(rnd.nextInt(4) == 0 ? depth / 2 : depth) + "}";
    }

    private static String deepValue(SplittableRandom rnd) {
        int depth = rnd.nextInt(1, 2000);
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static String hugeString(SplittableRandom rnd) {
        int n = switch (rnd.nextInt(100)) {
            case 0 -> 9 * 1024 * 1024;       // over the 8 MiB limit: 413
            case 1, 2 -> 2 * 1024 * 1024 + 17;
            default -> rnd.nextInt(1, 70_000);
        };
        char c = "aZ\u00e9\u4e00".charAt(rnd.nextInt(4));
        return "\"" + String.valueOf(c).repeat(n) + "\"";
    }

    private static String hugeNumber(SplittableRandom rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> "9".repeat(rnd.nextInt(20, 5000));
            case 1 -> "1e" + "9".repeat(rnd.nextInt(3, 12));
            case 2 -> "-0." + "0".repeat(rnd.nextInt(1, 3000)) + "1";
            default -> "1" + "0".repeat(rnd.nextInt(1, 400)) + ".5e-" + rnd.nextInt(100000);
        };
    }

    private static String longList(SplittableRandom rnd) {
        int n = rnd.nextInt(1, 5000);
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            if (i > 0) b.append(',');
            b.append(rnd.nextBoolean() ? "{\"Key\":\"k" + i + "\",\"Value\":\"v\"}" : "\"x" + i + "\"");
        }
        return b.append(']').toString();
    }

    private static String duplicateKey(String body) {
        int colon = body.indexOf(':');
        String firstKey = body.substring(1, colon);
        return "{" + firstKey + ":1," + body.substring(1);
    }

    /** Replaces the value of a random member (found textually: after a ':' at any depth). */
    private static String replaceValue(String body, String value, SplittableRandom rnd) {
        int count = 0;
        for (int i = 0; i < body.length(); i++) if (body.charAt(i) == ':') count++;
        if (count == 0) return body;
        int target = rnd.nextInt(count);
        int at = -1;
        for (int i = 0, seen = 0; i < body.length(); i++) {
            if (body.charAt(i) == ':' && seen++ == target) {
                at = i;
                break;
            }
        }
        int end = valueEnd(body, at + 1);
        return body.substring(0, at + 1) + value + body.substring(end);
    }

    private static int valueEnd(String s, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
                continue;
            }
            switch (c) {
                case '"' -> inString = true;
                case '{', '[' -> depth++;
                case '}', ']' -> {
                    if (depth == 0) return i;
                    depth--;
                }
                case ',' -> {
                    if (depth == 0) return i;
                }
                default -> { }
            }
        }
        return s.length();
    }
}
