package dev.sagebrush.notebook.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files a sandbox shows read-only, written fresh at every start into the instance's {@code sandbox/}:
 * <ul>
 *   <li>{@code passwd}, {@code group}: the sandbox's own, naming {@code ec2-user} (the instance's uid) and root.
 *       The host's would list every instance user, and with them every instance's directory.</li>
 *   <li>{@code resource-metadata.json}: {@code /opt/ml/metadata/resource-metadata.json} as SageMaker writes it on a
 *       notebook instance ({@code ResourceArn}, {@code ResourceName}); the SageMaker Python SDK's
 *       {@code get_execution_role()} reads the name there and asks DescribeNotebookInstance for the RoleArn.</li>
 *   <li>{@code python/sitecustomize.py}: teaches the botocore of Debian 12 (1.29; the AWS CLI 2.9 has its own copy)
 *       the {@code AWS_ENDPOINT_URL} variable that botocore 1.31+ reads by itself, so boto3, the AWS CLI and the
 *       SageMaker SDK in the instance reach this server with no configuration. Newer botocore is left alone.</li>
 *   <li>{@code python/sagebrush_relay.py}: for an instance in its own network namespace, relays 127.0.0.1:port
 *       inside to the server's API through a unix socket ({@link ApiRelay}).</li>
 * </ul>
 */
final class SandboxFiles {
    static final String SHIM_RESOURCE = "/dev/sagebrush/notebook/runtime/sitecustomize.py";
    static final String RELAY_RESOURCE = "/dev/sagebrush/notebook/runtime/sagebrush_relay.py";

    private SandboxFiles() {}

    static void write(InstanceLayout l, InstanceSpec spec, InstanceUsers.Ids ids) throws IOException {
        Path dir = l.sandbox();
        Files.deleteIfExists(dir.resolve("lifecycle.sh"));
        if (ids != null) {
            Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n"
                    + "ec2-user:x:" + ids.uid() + ":" + ids.gid() + ":ec2-user:" + Sandbox.HOME + ":/bin/bash\n"
                    + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
            Files.writeString(dir.resolve("group"), "root:x:0:\nec2-user:x:" + ids.gid() + ":\nnogroup:x:65534:\n");
        }
        Files.writeString(dir.resolve("resource-metadata.json"), metadata(spec.arn(), spec.name()));
        Sandbox.writeEtcArgs(l);
        Path python = Files.createDirectories(dir.resolve("python"));
        copy(SHIM_RESOURCE, python.resolve("sitecustomize.py"));
        copy(RELAY_RESOURCE, python.resolve("sagebrush_relay.py"));
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = SandboxFiles.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("missing resource " + resource);
            Files.write(to, in.readAllBytes());
        }
    }

    static String metadata(String arn, String name) {
        return "{\"ResourceArn\":\"" + arn + "\",\"ResourceName\":\"" + name + "\"}";
    }
}
