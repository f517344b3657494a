package dev.sagebrush.compilation;

import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.storage.ObjectNotFoundException;
import dev.sagebrush.storage.ObjectStorage;
import dev.sagebrush.storage.S3Uri;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * A compilation job's work, in Neo's order: fetch the model archive from S3, check it is a gzip tar and unpack it
 * safely, check the framework's files are there, then hand it to the compiler for that framework. A framework with
 * no compiler on this server fails honestly, naming what is supported.
 */
public final class NeoCompilationWork implements CompilationWork {
    /** Unpacks a .tar.gz into a directory, refusing anything unsafe; failures carry a user-facing message. */
    @FunctionalInterface
    public interface Extractor {
        void extract(Path archive, Path destination) throws IOException;
    }

    private final ObjectStorage storage;
    private final Extractor extractor;
    private final Map<String, ModelCompiler> compilers;

    public NeoCompilationWork(ObjectStorage storage, Extractor extractor, Map<String, ModelCompiler> compilers) {
        this.storage = storage;
        this.extractor = extractor;
        this.compilers = Map.copyOf(compilers);
    }

    @Override
    public CompilationOutcome run(DescribeCompilationJobResponse job, Path workDir, Cancellation cancellation) {
        String framework = job.inputConfig().frameworkAsString();
        Path archive = fetch(job.inputConfig().s3Uri(), workDir.resolve("input.tar.gz"));
        cancellation.check();
        Path modelDir = workDir.resolve("model");
        try {
            requireGzip(archive);
            Files.createDirectories(modelDir);
            extractor.extract(archive, modelDir);
        } catch (IOException e) {
            throw new CompilationFailure("ClientError: InputConfiguration: Unable to untar input model. Please confirm "
                    + "the model is a tar.gz file. (" + e.getMessage() + ")");
        }
        cancellation.check();
        FrameworkInputs.ModelFiles files = FrameworkInputs.check(framework, modelDir);
        ModelCompiler compiler = compilers.get(framework);
        if (compiler == null) {
            throw new CompilationFailure("ClientError: CompilationError: Compiling " + framework + " models is not "
                    + "supported by this server. The archive holds a valid " + framework + " model ("
                    + modelDir.relativize(files.main()) + "), but this server compiles only: "
                    + (compilers.isEmpty() ? "no framework yet" : String.join(", ", compilers.keySet().stream().sorted().toList()))
                    + ".");
        }
        return compiler.compile(job, files, workDir, cancellation);
    }

    private Path fetch(String uri, Path dest) {
        S3Uri src;
        try {
            src = S3Uri.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new CompilationFailure("ClientError: InputConfiguration: " + e.getMessage());
        }
        try {
            storage.download(src, dest);
            return dest;
        } catch (ObjectNotFoundException e) { // a missing bucket is one too
            throw new CompilationFailure("ClientError: InputConfiguration: S3 object does not exist. Bucket: "
                    + src.bucket() + ", Key: " + src.key());
        }
    }

    private static void requireGzip(Path archive) throws IOException {
        try (InputStream in = Files.newInputStream(archive)) {
            byte[] magic = in.readNBytes(2);
            if (magic.length < 2 || (magic[0] & 0xff) != 0x1f || (magic[1] & 0xff) != 0x8b) {
                throw new IOException("the object is not gzip-compressed");
            }
        }
    }
}
