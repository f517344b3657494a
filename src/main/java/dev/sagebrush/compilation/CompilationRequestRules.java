package dev.sagebrush.compilation;

import dev.sagebrush.errors.AwsException;
import software.amazon.awssdk.services.sagemaker.model.CreateCompilationJobRequest;

/**
 * The rules of CreateCompilationJob that the constraint table cannot express: which model source is given, and the
 * members this server cannot honour, refused up front rather than silently ignored.
 */
final class CompilationRequestRules {
    private CompilationRequestRules() {}

    static void check(CreateCompilationJobRequest req) {
        // The constraint table already made sure exactly one of InputConfig and ModelPackageVersionArn is given.
        if (req.modelPackageVersionArn() != null) {
            throw AwsException.validation("ModelPackageVersionArn is not supported by this server: it hosts no model "
                    + "packages. Give the model archive's location in InputConfig.S3Uri instead.");
        }
        if (req.outputConfig() != null && req.outputConfig().kmsKeyId() != null) {
            throw AwsException.validation("OutputConfig.KmsKeyId is not supported by this server: it has no KMS and "
                    + "would store the artifact unencrypted. Remove KmsKeyId, or encrypt the bucket's storage yourself.");
        }
        if (req.hasTags()) {
            long distinct = req.tags().stream().map(t -> t.key()).distinct().count();
            if (distinct != req.tags().size()) {
                throw AwsException.validation("Tag keys must be unique: the request lists the same key more than once.");
            }
        }
    }
}
