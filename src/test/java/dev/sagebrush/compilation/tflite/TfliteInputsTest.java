package dev.sagebrush.compilation.tflite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.compilation.reference.InputShapes;
import dev.sagebrush.compilation.reference.TensorSpec;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** DataInputConfig against a TFLite model's declared inputs: fixed dimensions, open ones, inference. */
class TfliteInputsTest {
    static final TfliteModel OPEN_BATCH = new TfliteModel(3,
            List.of(new TfliteModel.Io("image", "float32", new long[] {1, 8, 8, 3}, new long[] {-1, 8, 8, 3})),
            List.of(new TfliteModel.Io("probs", "float32", new long[] {1, 10}, new long[] {-1, 10})),
            Set.of("CONV_2D"), 4, 100);

    @Test
    void absentConfigTakesTheDeclaredShapeAndSaysSo() {
        InputShapes.Resolved r = TfliteTvmCompiler.resolve(OPEN_BATCH, TfliteTvmCompiler.specs(OPEN_BATCH), null);
        assertThat(r.inferred()).isTrue();
        assertThat(r.json()).isEqualTo("{\"image\":[1,8,8,3]}");
        assertThat(r.notes()).singleElement().asString().contains("shape_signature leaves dimensions open");
    }

    @Test
    void openDimensionsKeepTheDeclaredValueFixedOnesMustMatch() {
        List<TensorSpec> specs = TfliteTvmCompiler.specs(OPEN_BATCH);
        assertThat(TfliteTvmCompiler.resolve(OPEN_BATCH, specs, "{\"image\": [1, 8, 8, 3]}").inferred()).isFalse();
        assertThatThrownBy(() -> TfliteTvmCompiler.resolve(OPEN_BATCH, specs, "{\"image\": [4, 8, 8, 3]}"))
                .hasMessageStartingWith("ClientError: InputConfiguration: input \"image\" dimension 0 is open in the "
                        + "model but this server compiles TFLite models at the shape they declare, [1, 8, 8, 3]");
        assertThatThrownBy(() -> TfliteTvmCompiler.resolve(OPEN_BATCH, specs, "{\"image\": [1, 9, 8, 3]}"))
                .hasMessageContaining("dimension 1 is fixed to 8 by the model");
    }

    @Test
    void inputNamesTheGraphPlanCannotCarryAreRefused() {
        TfliteModel m = new TfliteModel(3, List.of(new TfliteModel.Io("in put", "float32", new long[] {1, 2},
                new long[] {1, 2})), OPEN_BATCH.outputs(), Set.of(), 2, 0);
        assertThatThrownBy(() -> TfliteTvmCompiler.specs(m)).hasMessageStartingWith("ClientError: InputConfiguration: "
                + "The TFLite model's input name \"in put\" is not supported here");
    }
}
