package dev.sagebrush.compilation;

import dev.sagebrush.jobs.Cancellation;
import dev.sagebrush.storage.AccessDeniedException;
import dev.sagebrush.storage.AccountStorage;
import dev.sagebrush.storage.ArchiveException;
import dev.sagebrush.storage.ObjectNotFoundException;
import dev.sagebrush.storage.ObjectStorage;
import dev.sagebrush.storage.S3Uri;
import dev.sagebrush.storage.SafeArchive;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awssdk.services.sagemaker.model.DescribeCompilationJobResponse;

/**
 * A compilation job's work, in Neo's order: fetch the model archive from S3, check it is a gzip tar and unpack it
 * safely, check the framework's files are there, then hand it to the compiler for that framework. A framework with
 * no compiler on this server fails honestly, naming what is supported.
 */
public final class NeoCompilationWork implements CompilationWork {
    private final AccountStorage storage;
    private final SafeArchive.Limits limits;
    private final Map<String, ModelCompiler> compilers;

    /** @param storage the job's model is read as the job's account: from its own buckets only */
    public NeoCompilationWork(AccountStorage storage, SafeArchive.Limits limits, Map<String, ModelCompiler> compilers) {
        this.storage = storage;
        this.limits = limits;
        this.compilers = Map.copyOf(compilers);
    }

    @Override
    public CompilationOutcome run(DescribeCompilationJobResponse job, Path workDir, Cancellation cancellation) {
        String framework = job.inputConfig().frameworkAsString();
        Path archive = fetch(storage.forResource(job.compilationJobArn()), job.inputConfig().s3Uri(),
                workDir.resolve("input.tar.gz"));
        cancellation.check();
        Path modelDir = workDir.resolve("model");
        try {
            SafeArchive.extractTarGz(archive, modelDir, limits);
        } catch (ArchiveException e) {
            throw new CompilationFailure("ClientError: InputConfiguration: " + (e.reason() == ArchiveException.Reason.NOT_GZIP
                    ? ArchiveException.UNABLE_TO_UNTAR : e.getMessage()));
        }
        cancellation.check();
        FrameworkInputs.ModelFiles files = FrameworkInputs.check(framework, modelDir);
        DataInputLayout.check(framework, job.inputConfig().dataInputConfig());
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

    private static Path fetch(ObjectStorage storage, String uri, Path dest) {
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
        } catch (AccessDeniedException e) { // another account's bucket: Neo passes S3's error on
            throw new CompilationFailure("ClientError: InputConfiguration: Unable to download the model from S3. "
                    + "Bucket: " + src.bucket() + ", Key: " + src.key() + ". " + e.getMessage());
        }
    }
}
