/**
 * Training images run as OCI containers, with podman (or docker), under the SageMaker contract: {@link
 * dev.sagebrush.training.container.ContainerImages} resolves a TrainingImage to an image of the host's store (the
 * operator's mapping file, the built-in {@code framework-images.map}, or the URI itself), and {@link
 * dev.sagebrush.training.container.ContainerLauncher} starts one container per host {@code algo-1..N} from the
 * /opt/ml trees the runner prepared ({@code training.runner}). See docs/training.md and docs/security.md.
 */
package dev.sagebrush.training.container;
