package dev.sagebrush.compilation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Checks that an extracted model archive holds what SageMaker Neo expects for its framework, before any compiler is
 * started, and names the model file(s) found. Failures read like Neo's own ("ClientError: InputConfiguration: ...").
 */
public final class FrameworkInputs {
    private static final byte[] HDF5_MAGIC = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] TFLITE_IDENTIFIER = {'T', 'F', 'L', '3'};

    private FrameworkInputs() {}

    /** The files a compiler works from: the main model file first. */
    public record ModelFiles(Path main, List<Path> others) {}

    public static ModelFiles check(String framework, Path modelDir) {
        List<Path> files = regularFiles(modelDir);
        if (files.isEmpty()) {
            throw fail("The model archive is empty.");
        }
        return switch (framework) {
            case "XGBOOST" -> exactlyOne(files, "XGBoost", p -> hasExt(p, ".json", ".ubj", ".model", ".bst", ".bin")
                    || name(p).equals("xgboost-model"), "a .json, .ubj, .model, .bst or xgboost-model file");
            case "ONNX" -> exactlyOne(files, "ONNX", p -> hasExt(p, ".onnx"), "a .onnx file");
            case "PYTORCH" -> exactlyOne(files, "PyTorch", p -> hasExt(p, ".pt", ".pth"), "a .pt or .pth file (TorchScript)");
            case "TFLITE" -> {
                ModelFiles m = exactlyOne(files, "TFLite", p -> hasExt(p, ".tflite"), "a .tflite file");
                // A TFLite model is a FlatBuffer whose file identifier, at offset 4, is "TFL3".
                if (!hasAt(m.main(), 4, TFLITE_IDENTIFIER)) {
                    throw fail("The TFLite model " + relative(modelDir, m.main()) + " is not a TFLite flatbuffer "
                            + "(no TFL3 identifier at offset 4).");
                }
                yield m;
            }
            case "KERAS" -> {
                ModelFiles m = exactlyOne(files, "Keras", p -> hasExt(p, ".h5"), "a .h5 file");
                if (!startsWith(m.main(), HDF5_MAGIC)) {
                    throw fail("The Keras model " + relative(modelDir, m.main()) + " is not an HDF5 file.");
                }
                yield m;
            }
            case "TENSORFLOW" -> tensorflow(files, modelDir);
            case "MXNET" -> pair(files, "MXNet", p -> name(p).endsWith("-symbol.json"), "a *-symbol.json file",
                    p -> hasExt(p, ".params"), "a .params file");
            case "DARKNET" -> pair(files, "DarkNet", p -> hasExt(p, ".cfg"), "a .cfg file",
                    p -> hasExt(p, ".weights"), "a .weights file");
            case "SKLEARN" -> exactlyOne(files, "scikit-learn", p -> hasExt(p, ".pkl", ".joblib", ".pickle"),
                    "a .pkl or .joblib file");
            default -> throw fail("Framework " + framework + " is not known.");
        };
    }

    private static ModelFiles tensorflow(List<Path> files, Path modelDir) {
        List<Path> savedModels = files.stream().filter(p -> name(p).equals("saved_model.pb")).toList();
        if (savedModels.size() == 1) {
            return new ModelFiles(savedModels.get(0), others(files, savedModels.get(0)));
        }
        List<Path> pbs = files.stream().filter(p -> hasExt(p, ".pb")).toList();
        if (pbs.size() != 1) {
            throw fail("Exactly one .pb file is allowed for TensorFlow models.");
        }
        return new ModelFiles(pbs.get(0), others(files, pbs.get(0)));
    }

    private static ModelFiles exactlyOne(List<Path> files, String label, java.util.function.Predicate<Path> match, String what) {
        List<Path> found = files.stream().filter(match).toList();
        if (found.size() != 1) {
            throw fail((found.isEmpty() ? "No " : "More than one ") + label + " model file found in the archive: "
                    + "expected exactly one, " + what + ".");
        }
        return new ModelFiles(found.get(0), others(files, found.get(0)));
    }

    private static ModelFiles pair(List<Path> files, String label, java.util.function.Predicate<Path> first, String firstWhat,
                                   java.util.function.Predicate<Path> second, String secondWhat) {
        ModelFiles a = exactlyOne(files, label, first, firstWhat);
        exactlyOne(files, label, second, secondWhat);
        return a;
    }

    private static List<Path> others(List<Path> files, Path main) {
        return files.stream().filter(p -> !p.equals(main)).toList();
    }

    private static List<Path> regularFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            // Hidden files (macOS ._ resource forks, .DS_Store) are not models: tar from a Mac adds them.
            return s.filter(Files::isRegularFile).filter(p -> !name(p).startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new CompilationFailure("InternalServerError: cannot read the extracted model: " + e.getMessage(), e);
        }
    }

    private static boolean hasExt(Path p, String... exts) {
        String n = name(p).toLowerCase(Locale.ROOT);
        return Arrays.stream(exts).anyMatch(n::endsWith);
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }

    private static boolean startsWith(Path p, byte[] magic) {
        return hasAt(p, 0, magic);
    }

    private static boolean hasAt(Path p, int offset, byte[] magic) {
        try (InputStream in = Files.newInputStream(p)) {
            return in.readNBytes(offset).length == offset && Arrays.equals(in.readNBytes(magic.length), magic);
        } catch (IOException e) {
            return false;
        }
    }

    private static String relative(Path dir, Path p) {
        return dir.relativize(p).toString();
    }

    static CompilationFailure fail(String detail) {
        return new CompilationFailure("ClientError: InputConfiguration: " + detail);
    }
}
