package dev.sagebrush.compilation.xgboost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import dev.sagebrush.testsupport.Prerequisites;

import dev.sagebrush.compilation.toolchain.ElfCheck;
import dev.sagebrush.compilation.toolchain.TargetArch;
import dev.sagebrush.compilation.toolchain.Toolchain;
import dev.sagebrush.compilation.toolchain.ToolchainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Compile every fixture for every target, verify on the target, and compare with xgboost's own predictions. */
class XgbCompilerTest {
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path work;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (TargetArch arch : TargetArch.values()) {
            List<Fixtures.Fixture> fixtures = Fixtures.predicted();
            for (int i = 0; i < fixtures.size(); i++) {
                Fixtures.Fixture fx = fixtures.get(i);
                // Rotate the source format so every format reaches every target somewhere in the matrix.
                out.add(Arguments.of(arch, fx, fx.formats().get((i + arch.ordinal()) % fx.formats().size())));
            }
        }
        return out.stream();
    }

    static void assumeToolchain(TargetArch arch) {
        Toolchain.Availability a = Toolchain.available(arch);
        Prerequisites.require(a.canCompile() && a.canRun(), () -> arch.id() + " toolchain: " + a.problems());
    }

    @ParameterizedTest(name = "{0} {1}.{2}")
    @MethodSource("cases")
    void compilesVerifiesAndMatchesXgboost(TargetArch arch, Fixtures.Fixture fx, String ext) throws Exception {
        assumeToolchain(arch);
        XgbCompilation c = XgbCompiler.compile(fx.file(ext), arch, work, TIMEOUT);
        assertThat(c.sharedObject()).exists();
        assertThat(c.compileCommand()).contains("-O2").containsAll(arch.archFlags());
        assertThat(c.info().objective()).isEqualTo(fx.objective());
        assertThat(c.info().numFeature()).isEqualTo(fx.numFeature());
        assertThat(ElfCheck.verify(c.sharedObject(), arch).machine()).isEqualTo(arch.elfMachine());

        XgbVerification v = c.verify(TIMEOUT).orThrow();
        assertThat(v.marginMismatches()).isZero();
        assertThat(v.maxAbsMarginDiff()).isZero();
        assertThat(v.edgeRows()).isGreaterThan(1);
        if (!arch.runsNatively()) {
            assertThat(v.runCommand().get(0)).endsWith(arch.qemu());
        }

        // The compiled code against xgboost 1.7.4 itself, on the fixture rows.
        XgbCompilation.HarnessOutput out = c.run(fx.rows(), fx.nrow(), TIMEOUT);
        int i = Fixtures.firstBitDifference(out.margins(), fx.margins());
        assertThat(i).as("first margin differing from xgboost at %d", i).isEqualTo(-1);
        // Transformed outputs too: the target's expf/float arithmetic reproduces xgboost's bits exactly.
        int j = Fixtures.firstBitDifference(out.predictions(), fx.preds());
        assertThat(j).as("first prediction differing from xgboost at %d", j).isEqualTo(-1);

        // The same rows through the Treelite ABI as DLR calls it (union Entry rows, pred_margin = 0): DLR's output
        // is xgboost's prediction, bit for bit, with the base score and transform applied inside compiled.so.
        XgbCompilation.HarnessOutput dlr = c.runThroughDlr(c.sharedObject().getParent(), fx.rows(), fx.nrow(), TIMEOUT);
        int k = Fixtures.firstBitDifference(dlr.predictions(), fx.preds());
        assertThat(k).as("first DLR output differing from xgboost at %d", k).isEqualTo(-1);
        int m = Fixtures.firstBitDifference(dlr.margins(), fx.margins());
        assertThat(m).as("first DLR margin differing from xgboost at %d", m).isEqualTo(-1);
    }

    @Test
    void aBrokenTreeliteEntryPointFailsVerification() throws Exception {
        assumeToolchain(TargetArch.X86_64);
        XgbCompilation good = XgbCompiler.compile(Fixtures.get("binary_logistic").file("json"), TargetArch.X86_64,
                work, TIMEOUT);
        // Mutation in the DLR path only: predict() forgets the transform. neo_predict stays right.
        String src = Files.readString(good.source());
        assertThat(src).contains("  transform(acc, 1, out);\n  return out[0];");
        Path dir = Files.createDirectories(work.resolve("bad"));
        Path bad = dir.resolve("model.c");
        Files.writeString(bad, src.replace("  transform(acc, 1, out);\n  return out[0];", "  return acc[0];"));
        Path so = dir.resolve("compiled.so");
        Toolchain.forArch(TargetArch.X86_64).compileShared(bad, so, TIMEOUT);
        XgbCompilation mutated = new XgbCompilation(good.arch(), so, bad, List.of(), good.info(), good.emitTime(),
                good.compileTime(), good.model());
        XgbVerification v = mutated.verify(TIMEOUT);
        assertThat(v.status()).isEqualTo(XgbVerification.Status.FAILED);
        assertThat(v.marginMismatches()).isZero();
        assertThat(v.outputMismatches()).isPositive();
        assertThat(v.detail()).contains("first output mismatch (treelite predict as DLR calls it, pred_margin=0)");
    }

    @Test
    void theDlrHarnessRefusesADirectoryDlrWouldNotLoadAsATreeModel() throws Exception {
        assumeToolchain(TargetArch.X86_64);
        XgbCompilation c = XgbCompiler.compile(Fixtures.get("binary_logistic").file("json"), TargetArch.X86_64,
                work, TIMEOUT);
        Path dir = c.sharedObject().getParent();
        float[] rows = new float[c.info().numFeature()];
        assertThat(c.runThroughDlr(dir, rows, 1, TIMEOUT).predictions()).hasSize(1);

        Files.copy(c.sharedObject(), dir.resolve("other.so"));
        assertThatThrownBy(() -> c.runThroughDlr(dir, rows, 1, TIMEOUT)).isInstanceOf(ToolchainException.class)
                .hasMessageContaining("Found multiple model lib files");
        Files.delete(dir.resolve("other.so"));

        Files.write(dir.resolve("compiled.params"), new byte[8]);
        assertThatThrownBy(() -> c.runThroughDlr(dir, rows, 1, TIMEOUT)).isInstanceOf(ToolchainException.class)
                .hasMessageContaining("selects DLR's TVM backend");
        Files.delete(dir.resolve("compiled.params"));

        Files.writeString(dir.resolve("a.json"), "{}");
        Files.writeString(dir.resolve("b.json"), "{}");
        assertThatThrownBy(() -> c.runThroughDlr(dir, rows, 1, TIMEOUT)).isInstanceOf(ToolchainException.class)
                .hasMessageContaining("Found multiple *.json files");
    }

    @Test
    void aMiscompiledModelFailsVerificationOnTheEdgeRows() throws Exception {
        assumeToolchain(TargetArch.X86_64);
        XgbCompilation good = XgbCompiler.compile(Fixtures.get("reg_squarederror").file("json"), TargetArch.X86_64,
                work, TIMEOUT);
        // Mutation: "v > t" instead of "v >= t" (i.e. go left iff x <= t). Only threshold-equal rows expose it.
        String src = Files.readString(good.source());
        assertThat(src).contains("(v >= NODE_T[n])");
        Path bad = work.resolve("bad.c");
        Files.writeString(bad, src.replace("(v >= NODE_T[n])", "(v > NODE_T[n])"));
        Path so = work.resolve("bad.so");
        Toolchain.forArch(TargetArch.X86_64).compileShared(bad, so, TIMEOUT);
        XgbCompilation mutated = new XgbCompilation(good.arch(), so, bad, List.of(), good.info(), good.emitTime(),
                good.compileTime(), good.model());
        XgbVerification v = mutated.verify(TIMEOUT);
        assertThat(v.status()).isEqualTo(XgbVerification.Status.FAILED);
        assertThat(v.marginMismatches()).isPositive();
        assertThat(v.detail()).contains("first margin mismatch (neo_predict) at row");
        assertThatThrownBy(v::orThrow).isInstanceOf(XgbVerificationException.class)
                .hasMessageContaining("verification on x86_64 failed");
    }

    @Test
    void elfCheckRejectsAWrongArchLibrary() throws Exception {
        assumeToolchain(TargetArch.AARCH64);
        XgbCompilation c = XgbCompiler.compile(Fixtures.get("binary_logistic").file("json"), TargetArch.AARCH64,
                work, TIMEOUT);
        assertThatThrownBy(() -> ElfCheck.verify(c.sharedObject(), TargetArch.X86_64))
                .isInstanceOf(ToolchainException.class).hasMessageContaining("e_machine 183 but x86_64 needs 62");
        assertThatThrownBy(() -> ElfCheck.verify(c.sharedObject(), TargetArch.ARMV7HF))
                .isInstanceOf(ToolchainException.class).hasMessageContaining("ELF64 but armv7hf needs ELF32");
    }

    @Test
    void generatedSourceUsesExactHexFloatsAndTheAbi() throws Exception {
        XgbModel m = XgbLoader.load(Fixtures.get("multi_softprob").file("json"));
        String c = CEmitter.emit(m);
        assertThat(c).contains("int32_t neo_num_feature(void)", "int32_t neo_num_output(void)",
                "const char* neo_metadata(void)",
                "void neo_predict(const float* x, int64_t nrow, int32_t output_margin, float* out)",
                "size_t get_num_output_group(void)", "size_t get_num_class(void)", "size_t get_num_feature(void)",
                "const char* get_threshold_type(void) { return \"float32\"; }",
                "const char* get_leaf_output_type(void) { return \"float32\"; }",
                "float predict(union Entry* row, int pred_margin)",
                "size_t predict_multiclass(union Entry* row, int pred_margin, float* result)",
                "PRED_TRANSFORM[] = \"softmax\"",
                "#define NG 3", "expf(a[k] - mx)", "double sum");
        float t = m.trees().get(0).threshold()[0];
        assertThat(c).contains(Float.toHexString(t) + "f");
        assertThat(CEmitter.metadataJson(m)).contains("\"objective\":\"multi:softprob\"", "\"num_output\":3");
    }
}
