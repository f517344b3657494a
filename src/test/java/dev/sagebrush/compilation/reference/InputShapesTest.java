package dev.sagebrush.compilation.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.compilation.CompilationFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DataInputConfig against a model's declared inputs, without ONNX Runtime. */
class InputShapesTest {
    static final TensorSpec MLP = new TensorSpec("x", 1, new long[] {-1, 16}, new String[] {"N", ""});
    static final TensorSpec IMAGE = new TensorSpec("image", 1, new long[] {-1, 3, 32, 32}, new String[] {"batch", "", "", ""});
    static final TensorSpec A = new TensorSpec("a", 1, new long[] {2, 3}, new String[] {"", ""});
    static final TensorSpec B = new TensorSpec("b", 1, new long[] {-1, 3}, new String[] {"batch", ""});

    @Test
    void symbolicDimsTakeAnyPositiveValueAndAreBakedByName() {
        InputShapes.Resolved r = InputShapes.resolve(List.of(MLP), "{\"x\": [8, 16]}");
        assertThat(r.shapes().get("x")).containsExactly(8, 16);
        assertThat(r.dimValues()).containsEntry("N", 8L).hasSize(1);
        assertThat(r.inferred()).isFalse();
        assertThat(r.json()).isEqualTo("{\"x\":[8,16]}");
    }

    @Test
    void absentConfigIsInferredWithSymbolicDimsSetToOne() {
        InputShapes.Resolved r = InputShapes.resolve(List.of(A, B), null);
        assertThat(r.inferred()).isTrue();
        assertThat(r.json()).isEqualTo("{\"a\":[2,3],\"b\":[1,3]}");
        assertThat(r.dimValues()).containsEntry("batch", 1L);
        assertThat(r.notes()).singleElement().asString().contains("\"batch\" was set to 1");
        assertThat(InputShapes.resolve(List.of(A), " ").inferred()).isTrue();
    }

    @Test
    void unknownAndMissingNamesAreNamed() {
        assertThatThrownBy(() -> InputShapes.resolve(List.of(A, B), "{\"a\": [2, 3], \"c\": [1, 3]}"))
                .isInstanceOf(CompilationFailure.class)
                .hasMessageStartingWith("ClientError: InputConfiguration: ")
                .hasMessageContaining("names input \"c\", which the model does not have")
                .hasMessageContaining("gives no shape for model input \"b\" [batch, 3]")
                .hasMessageContaining("The model's inputs are \"a\" float32 [2, 3], \"b\" float32 [batch, 3]");
    }

    @Test
    void rankAndFixedDimMismatchesAreNamed() {
        assertThatThrownBy(() -> InputShapes.resolve(List.of(IMAGE), "{\"image\": [1, 3, 224]}"))
                .hasMessageContaining("input \"image\" has rank 4 in the model [batch, 3, 32, 32] but DataInputConfig "
                        + "gives rank 3 [1, 3, 224]");
        assertThatThrownBy(() -> InputShapes.resolve(List.of(IMAGE), "{\"image\": [1, 3, 224, 224]}"))
                .hasMessageContaining("input \"image\" dimension 2 is fixed to 32 by the model [batch, 3, 32, 32] "
                        + "but DataInputConfig gives 224")
                .hasMessageContaining("dimension 3 is fixed to 32");
        assertThatThrownBy(() -> InputShapes.resolve(List.of(MLP), "{\"x\": [0, 16]}"))
                .hasMessageContaining("must be a non-empty list of positive integers, got [0,16]");
        assertThatThrownBy(() -> InputShapes.resolve(List.of(MLP), "{\"x\": [-1, 16]}"))
                .hasMessageContaining("positive integers");
    }

    @Test
    void aSymbolicNameMustGetOneValue() {
        TensorSpec other = new TensorSpec("c", 1, new long[] {-1}, new String[] {"batch"});
        assertThatThrownBy(() -> InputShapes.resolve(List.of(B, other), "{\"b\": [1, 3], \"c\": [2]}"))
                .hasMessageContaining("symbolic dimension \"batch\" is 1 for input \"b\" but 2 for input \"c\"");
        assertThat(InputShapes.resolve(List.of(B, other), "{\"b\": [4, 3], \"c\": [4]}").dimValues())
                .containsEntry("batch", 4L);
    }

    @Test
    void unnamedSymbolicDimsStayDynamicAndSaySo() {
        TensorSpec anon = new TensorSpec("v", 1, new long[] {-1, 4}, new String[] {"", ""});
        InputShapes.Resolved r = InputShapes.resolve(List.of(anon), "{\"v\": [5, 4]}");
        assertThat(r.dimValues()).isEmpty();
        assertThat(r.notes()).singleElement().asString().contains("symbolic without a name").contains("verified with 5");
    }

    @Test
    void malformedJsonAndWrongFormsAreRefused() {
        assertThatThrownBy(() -> InputShapes.resolve(List.of(MLP), "{\"x\": [1, 16]"))
                .hasMessageStartingWith("ClientError: InputConfiguration: DataInputConfig is not valid JSON: ");
        assertThatThrownBy(() -> InputShapes.resolve(List.of(MLP), "[[1, 16]]"))
                .hasMessageContaining("must be a JSON object of input name to shape");
    }
}
