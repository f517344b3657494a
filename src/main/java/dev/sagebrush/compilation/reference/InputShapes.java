package dev.sagebrush.compilation.reference;

import dev.sagebrush.compilation.CompilationFailure;
import dev.sagebrush.compilation.DataInputLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns DataInputConfig plus the model's declared inputs into the concrete shapes to compile for: validates what the
 * user gave (names, ranks, fixed dimensions; a symbolic dimension takes any positive value, consistently wherever its
 * name appears), or, when DataInputConfig is absent, infers it from the model with every symbolic dimension set to 1.
 * Pure logic over {@link TensorSpec}s, so it is tested without ONNX Runtime.
 */
public final class InputShapes {
    /**
     * @param shapes    concrete shape of every model input, in model order
     * @param dimValues value for every named symbolic dimension, to bake into the graph
     * @param inferred  true when DataInputConfig was absent and these shapes were derived from the model
     * @param notes     what was decided that the user did not say (inferred dims, unnamed dims left dynamic)
     */
    public record Resolved(Map<String, long[]> shapes, Map<String, Long> dimValues, boolean inferred,
                           List<String> notes) {
        /** The shapes as DataInputConfig JSON, e.g. {@code {"x":[1,16]}}. */
        public String json() {
            return DataInputLayout.toJson(shapes);
        }
    }

    private InputShapes() {}

    public static Resolved resolve(List<TensorSpec> inputs, String dataInputConfig) {
        if (dataInputConfig == null || dataInputConfig.isBlank()) {
            return infer(inputs);
        }
        Map<String, long[]> given = DataInputLayout.parseObject(dataInputConfig);
        Map<String, TensorSpec> byName = new LinkedHashMap<>();
        inputs.forEach(i -> byName.put(i.name(), i));
        List<String> problems = new ArrayList<>();
        for (String name : given.keySet()) {
            if (!byName.containsKey(name)) {
                problems.add("DataInputConfig names input \"" + name + "\", which the model does not have");
            }
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, Long> dimValues = new LinkedHashMap<>();
        Map<String, String> dimSource = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (TensorSpec in : inputs) {
            long[] s = given.get(in.name());
            if (s == null) {
                problems.add("DataInputConfig gives no shape for model input \"" + in.name() + "\" "
                        + in.describeShape());
                continue;
            }
            if (s.length != in.rank()) {
                problems.add("input \"" + in.name() + "\" has rank " + in.rank() + " in the model " + in.describeShape()
                        + " but DataInputConfig gives rank " + s.length + " " + DataInputLayout.str(s));
                continue;
            }
            long[] model = in.shape();
            String[] names = in.dimNames();
            for (int d = 0; d < s.length; d++) {
                if (model[d] >= 0 && model[d] != s[d]) {
                    problems.add("input \"" + in.name() + "\" dimension " + d + " is fixed to " + model[d]
                            + " by the model " + in.describeShape() + " but DataInputConfig gives " + s[d] + " "
                            + DataInputLayout.str(s));
                } else if (model[d] < 0 && !names[d].isEmpty()) {
                    Long prior = dimValues.putIfAbsent(names[d], s[d]);
                    if (prior != null && prior != s[d]) {
                        problems.add("symbolic dimension \"" + names[d] + "\" is " + prior + " for input \""
                                + dimSource.get(names[d]) + "\" but " + s[d] + " for input \"" + in.name() + "\"");
                    }
                    dimSource.putIfAbsent(names[d], in.name());
                } else if (model[d] < 0) {
                    notes.add(unnamedNote(in, d, s[d]));
                }
            }
            shapes.put(in.name(), s);
        }
        if (!problems.isEmpty()) {
            throw new CompilationFailure("ClientError: InputConfiguration: " + String.join("; ", problems)
                    + ". The model's inputs are " + describe(inputs) + ".");
        }
        return new Resolved(shapes, dimValues, false, notes);
    }

    private static Resolved infer(List<TensorSpec> inputs) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, Long> dimValues = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (TensorSpec in : inputs) {
            long[] s = in.shape();
            String[] names = in.dimNames();
            for (int d = 0; d < s.length; d++) {
                if (s[d] >= 0) continue;
                s[d] = 1;
                if (names[d].isEmpty()) {
                    notes.add(unnamedNote(in, d, 1));
                } else if (dimValues.putIfAbsent(names[d], 1L) == null) {
                    notes.add("DataInputConfig was not given: symbolic dimension \"" + names[d] + "\" was set to 1");
                }
            }
            shapes.put(in.name(), s);
        }
        return new Resolved(shapes, dimValues, true, notes);
    }

    private static String unnamedNote(TensorSpec in, int d, long value) {
        return "input \"" + in.name() + "\" dimension " + d + " is symbolic without a name, so it cannot be fixed in "
                + "the graph: the artifact keeps it dynamic (verified with " + value + ")";
    }

    public static String describe(List<TensorSpec> inputs) {
        return inputs.stream().map(i -> "\"" + i.name() + "\" " + i.dtype() + " " + i.describeShape())
                .collect(Collectors.joining(", "));
    }
}
