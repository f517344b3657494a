package dev.sagebrush.compilation;

/** What a successful compilation leaves: where the artifact is, its digest, and what was derived (inferred inputs). */
public record CompilationOutcome(String s3ModelArtifacts, String artifactDigest, String derivedDataInputConfig,
                                 String inferenceImage) {}
