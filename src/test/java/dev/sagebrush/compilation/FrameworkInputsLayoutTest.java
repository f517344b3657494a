package dev.sagebrush.compilation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-framework DataInputConfig forms and layouts, and the TFLite flatbuffer identifier. */
class FrameworkInputsLayoutTest {
    @TempDir Path dir;

    @Test
    void tensorflowAndTfliteWantChannelsLast() {
        assertThatCode(() -> DataInputLayout.check("TENSORFLOW", "{\"input\": [1, 224, 224, 3]}")).doesNotThrowAnyException();
        assertThatCode(() -> DataInputLayout.check("TENSORFLOW", "{\"input\": [1, 50]}")).doesNotThrowAnyException();
        assertThatThrownBy(() -> DataInputLayout.check("TENSORFLOW", "{\"input\": [1, 3, 224, 224]}"))
                .hasMessage("ClientError: InputConfiguration: DataInputConfig: input \"input\" has shape [1, 3, 224, 224],"
                        + " which is NCHW (channels first); TENSORFLOW expects NHWC (channels last), e.g. [1, 224, 224, 3].");
        assertThatThrownBy(() -> DataInputLayout.check("TFLITE", "{\"x\": [1, 1, 28, 28]}")).hasMessageContaining("NHWC");
    }

    @Test
    void kerasMxnetPytorchDarknetWantChannelsFirst() {
        for (String fw : new String[] {"KERAS", "MXNET", "PYTORCH", "DARKNET"}) {
            assertThatCode(() -> DataInputLayout.check(fw, "{\"data\": [1, 3, 224, 224]}")).doesNotThrowAnyException();
            assertThatThrownBy(() -> DataInputLayout.check(fw, "{\"data\": [1, 224, 224, 3]}"))
                    .hasMessageContaining(fw + " expects NCHW (channels first), e.g. [1, 3, 224, 224]");
        }
        assertThatThrownBy(() -> DataInputLayout.check("DARKNET", "{\"a\": [1, 3, 416, 416], \"b\": [1, 3, 416, 416]}"))
                .hasMessageContaining("names exactly one input");
    }

    @Test
    void pytorchAlsoTakesLists() {
        assertThatCode(() -> DataInputLayout.check("PYTORCH", "[[1, 3, 224, 224], [1, 3, 160, 160]]")).doesNotThrowAnyException();
        assertThatCode(() -> DataInputLayout.check("PYTORCH", "[{\"var1\": [1, 1, 28, 28]}, {\"var2\": [1, 1, 28, 28]}]"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> DataInputLayout.check("PYTORCH", "[[1, 224, 224, 3]]")).hasMessageContaining("\"input0\"");
        assertThatThrownBy(() -> DataInputLayout.check("PYTORCH", "[\"x\"]")).hasMessageContaining("list must hold shapes");
        assertThatThrownBy(() -> DataInputLayout.check("KERAS", "[[1, 3, 224, 224]]"))
                .hasMessageContaining("must be a JSON object of input name to shape");
    }

    @Test
    void malformedJsonIsNamedAndShapesMustBePositiveIntegers() {
        assertThatThrownBy(() -> DataInputLayout.check("MXNET", "{'data': [1,3,224,224]}"))
                .hasMessageStartingWith("ClientError: InputConfiguration: DataInputConfig is not valid JSON: ")
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> DataInputLayout.check("ONNX", "{\"x\": [1, 2.5]}")).hasMessageContaining("positive integers");
        assertThatThrownBy(() -> DataInputLayout.check("ONNX", "{}")).hasMessageContaining("names no inputs");
        // ONNX layouts are judged by the model itself, in the ONNX compiler.
        assertThatCode(() -> DataInputLayout.check("ONNX", "{\"x\": [1, 224, 224, 3]}")).doesNotThrowAnyException();
        // Neo does not read DataInputConfig for tree models, nor does this server.
        assertThatCode(() -> DataInputLayout.check("XGBOOST", "not json")).doesNotThrowAnyException();
        assertThatCode(() -> DataInputLayout.check("KERAS", null)).doesNotThrowAnyException();
    }

    @Test
    void tfliteNeedsTheFlatbufferIdentifier() throws Exception {
        Files.write(dir.resolve("model.tflite"), new byte[] {0x1c, 0, 0, 0, 'T', 'F', 'L', '3', 0, 0});
        assertThat(FrameworkInputs.check("TFLITE", dir).main().getFileName().toString()).isEqualTo("model.tflite");
        Files.write(dir.resolve("model.tflite"), "not a flatbuffer".getBytes());
        assertThatThrownBy(() -> FrameworkInputs.check("TFLITE", dir))
                .hasMessage("ClientError: InputConfiguration: The TFLite model model.tflite is not a TFLite flatbuffer "
                        + "(no TFL3 identifier at offset 4).");
        Files.write(dir.resolve("model.tflite"), new byte[] {1, 2});
        assertThatThrownBy(() -> FrameworkInputs.check("TFLITE", dir)).hasMessageContaining("TFL3");
    }
}
