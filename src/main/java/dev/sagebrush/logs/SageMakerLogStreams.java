package dev.sagebrush.logs;

/** The log groups and stream names SageMaker writes its training jobs' and notebook instances' output to. */
public final class SageMakerLogStreams {
    public static final String TRAINING_JOBS = "/aws/sagemaker/TrainingJobs";
    public static final String NOTEBOOK_INSTANCES = "/aws/sagemaker/NotebookInstances";

    private SageMakerLogStreams() {}
}
