package dev.sagebrush.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.TrainingInputMode;

/** A server whose image registry maps test images to the shell script {@code training/train.sh}. */
final class TrainingFixture {
    static final String IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sagebrush-test:1.0";
    static final String PREFIX_IMAGE = "registry.example.com/team/";
    static final String ROLE = "arn:aws:iam::000000000000:role/SageMakerRole";

    private TrainingFixture() {}

    /**
     * Starts a server with {@code workers} training workers and a 2 s stop grace period, and no container engine: these
     * tests are about the process backend (ContainerTrainingIT has the containers).
     */
    static ServerFixture start(int workers) {
        try {
            Path dir = Files.createTempDirectory("sagebrush-training-images");
            Path script = dir.resolve("train.sh");
            try (InputStream in = TrainingFixture.class.getResourceAsStream("/training/train.sh")) {
                Files.copy(in, script);
            }
            Path registry = dir.resolve("images.txt");
            Files.writeString(registry, "# test registry\n"
                    + IMAGE + " /bin/sh '" + script + "'\n"
                    + PREFIX_IMAGE + "* /bin/sh \"" + script + "\"\n");
            return ServerFixture.start(c -> c.withCompileWorkers(0).withTraining(c.training().withImagesFile(registry)
                    .withWorkers(workers).withStopGrace(Duration.ofSeconds(2)).withContainerEngine("none")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A minimal valid request running the test image with the given mode, reading s3://data/train/. */
    static CreateTrainingJobRequest.Builder job(String name, String mode) {
        return CreateTrainingJobRequest.builder()
                .trainingJobName(name)
                .roleArn(ROLE)
                .algorithmSpecification(a -> a.trainingImage(IMAGE).trainingInputMode(TrainingInputMode.FILE))
                .hyperParameters(java.util.Map.of("mode", mode))
                .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s
                        .s3DataType("S3Prefix").s3Uri("s3://data/train/").s3DataDistributionType("FullyReplicated"))))
                .outputDataConfig(o -> o.s3OutputPath("s3://out/models"))
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(10))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(600));
    }
}
