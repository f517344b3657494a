package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagebrush.notebook.NotebookSettings;
import dev.sagebrush.testsupport.Prerequisites;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeNotebookInstanceResponse;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;
import software.amazon.awssdk.services.sagemaker.waiters.SageMakerWaiter;

/**
 * The notebook attacks of the isolation review, each replayed through the real server with two accounts, Alice and
 * Bob, who both name their instance {@code shared} (and their lifecycle config {@code setup}): every assertion here
 * failed on the server before instances were sandboxed, keyed per account and given origins of their own.
 * <ul>
 *   <li>names are per account, enforced in one write: two creations at once both succeed and share nothing;</li>
 *   <li>a kernel (and a lifecycle script) sees neither the data directory, nor the database and its WAL, nor the keys,
 *       nor another instance's volume image or logs;</li>
 *   <li>root (RootAccess=Enabled, lifecycle scripts) is root inside the instance's user namespace, not on the host;</li>
 *   <li>each instance is its own origin: a script one instance serves cannot drive another's Jupyter;</li>
 *   <li>a notebook calls back: boto3 with no configuration reaches this server as its own account (the calls of the
 *       SageMaker SDK's get_execution_role(), default_bucket() and upload_data(), S3 included), and the instance's
 *       credentials stop working when it stops.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotebookIsolationIT {
    static final String ALICE_ROLE = "arn:aws:iam::111111111111:role/AliceNotebooks";
    static final String BOB_ROLE = "arn:aws:iam::222222222222:role/service-role/BobNotebooks";
    static final String PROOFS = """
            #!/bin/bash
            # Everything an attacker's lifecycle script would try, results written to the volume.
            out="$SM_VOLUME/proofs.txt"
            echo "id=$(id -u)" >> "$out"
            echo "hostuid=$(awk '{print $2}' /proc/self/uid_map)" >> "$out"
            for f in "$DATA/sagebrush.db" "$DATA/sagebrush.db-wal" "$DATA/secrets/notebook-session.key"; do
              if cat "$f" > /dev/null 2>&1; then echo "read=$f" >> "$out"; fi
            done
            if touch /usr/bin/owned 2>/dev/null; then echo "wrote=/usr/bin" >> "$out"; fi
            if cat /etc/shadow > /dev/null 2>&1; then echo "read=/etc/shadow" >> "$out"; fi
            echo done >> "$out"
            """;

    static ServerFixture fixture;
    static SageMakerClient alice;
    static SageMakerClient bob;
    static Path dataDir;

    @BeforeAll
    static void start() throws Exception {
        Prerequisites.require(NotebookHost.jupyterInstalled(), "jupyter-notebook and python3-ipykernel are not installed");
        Prerequisites.require(NotebookHost.root(), "notebook sandboxes need root");
        Prerequisites.require(Files.exists(Path.of("/usr/bin/bwrap")), "bubblewrap is not installed");
        Prerequisites.require(NotebookHost.pythonHas("boto3"), "python3-boto3 is not installed");
        Path creds = Files.createTempFile("sagebrush-creds", ".txt");
        Files.writeString(creds, "AKIDALICE alice-secret 111111111111\nAKIDBOB bob-secret 222222222222\n");
        fixture = ServerFixture.start(c -> c.withCredentialsFile(creds).withCompileWorkers(0)
                .withNotebooks(NotebookSettings.defaults()));
        dataDir = fixture.dataDir.toRealPath();
        alice = fixture.sagemaker("AKIDALICE", "alice-secret", Region.US_EAST_1);
        bob = fixture.sagemaker("AKIDBOB", "bob-secret", Region.US_EAST_1);
        String script = PROOFS.replace("$DATA", dataDir.toString());
        for (SageMakerClient sm : List.of(alice, bob)) {
            sm.createNotebookInstanceLifecycleConfig(r -> r.notebookInstanceLifecycleConfigName("setup")
                    .onCreate(h -> h.content(b64(script))));
        }
        // The same name in two accounts, created at the same moment.
        CyclicBarrier together = new CyclicBarrier(2);
        CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> create(together, alice, ALICE_ROLE, "Enabled"));
        CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> create(together, bob, BOB_ROLE, "Disabled"));
        assertThat(a.get()).isEqualTo("arn:aws:sagemaker:us-east-1:111111111111:notebook-instance/shared");
        assertThat(b.get()).isEqualTo("arn:aws:sagemaker:us-east-1:222222222222:notebook-instance/shared");
        NotebookHost.fastWaiter(alice).waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("shared"));
        NotebookHost.fastWaiter(bob).waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("shared"));
    }

    static String create(CyclicBarrier together, SageMakerClient sm, String role, String rootAccess) {
        try {
            together.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return sm.createNotebookInstance(r -> r.notebookInstanceName("shared").instanceType("ml.t3.medium")
                .roleArn(role).rootAccess(rootAccess).lifecycleConfigName("setup")).notebookInstanceArn();
    }

    @AfterAll
    static void stop() {
        if (fixture == null) return;
        for (SageMakerClient sm : List.of(alice, bob)) {
            SageMakerWaiter w = NotebookHost.fastWaiter(sm);
            String status = sm.describeNotebookInstance(r -> r.notebookInstanceName("shared")).notebookInstanceStatusAsString();
            if (status.equals("InService")) sm.stopNotebookInstance(r -> r.notebookInstanceName("shared"));
            w.waitUntilNotebookInstanceStopped(r -> r.notebookInstanceName("shared"));
            sm.deleteNotebookInstance(r -> r.notebookInstanceName("shared"));
            w.waitUntilNotebookInstanceDeleted(r -> r.notebookInstanceName("shared"));
        }
        fixture.close();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static JupyterBrowser session(SageMakerClient sm) throws Exception {
        DescribeNotebookInstanceResponse d = sm.describeNotebookInstance(r -> r.notebookInstanceName("shared"));
        JupyterBrowser b = new JupyterBrowser(fixture.endpoint, "shared", URI.create("http://" + d.url()));
        HttpResponse<String> opened = b.open(sm.createPresignedNotebookInstanceUrl(r -> r.notebookInstanceName("shared")).authorizedUrl());
        assertThat(opened.statusCode()).isEqualTo(302);
        // Host-only: no Domain attribute, so no other origin (no other instance) is ever sent it.
        assertThat(opened.headers().firstValue("Set-Cookie").orElseThrow()).doesNotContainIgnoringCase("domain=");
        return b;
    }

    static Path instanceDir(String account) {
        return dataDir.resolve("notebooks").resolve(account).resolve("us-east-1").resolve("shared");
    }

    @Test
    @Order(1)
    void namesArePerAccountAndSameNamedInstancesShareNothing() throws Exception {
        DescribeNotebookInstanceResponse a = alice.describeNotebookInstance(r -> r.notebookInstanceName("shared"));
        DescribeNotebookInstanceResponse b = bob.describeNotebookInstance(r -> r.notebookInstanceName("shared"));
        assertThat(a.roleArn()).isEqualTo(ALICE_ROLE);
        assertThat(b.roleArn()).isEqualTo(BOB_ROLE);
        assertThat(a.url()).isNotEqualTo(b.url()).startsWith("shared.111111111111.us-east-1.notebook.localhost:");
        // A duplicate names the caller's own instance only (another account's name is not revealed), and names
        // differ by case only within an account: SageMaker's ARNs hold the lower-cased name.
        assertThatThrownBy(() -> bob.createNotebookInstance(r -> r.notebookInstanceName("Shared").instanceType("ml.t3.medium")
                .roleArn(BOB_ROLE))).hasMessageContaining("Cannot create a duplicate Notebook Instance "
                + "(arn:aws:sagemaker:us-east-1:222222222222:notebook-instance/shared)").hasMessageNotContaining("111111111111");

        JupyterBrowser aliceBrowser = session(alice);
        JupyterBrowser bobBrowser = session(bob);
        assertThat(aliceBrowser.send("PUT", "api/contents/alice-only.txt",
                "{\"type\":\"file\",\"format\":\"text\",\"content\":\"alice's\"}", null).statusCode()).isEqualTo(201);
        assertThat(aliceBrowser.get("api/contents").body()).contains("alice-only.txt");
        assertThat(bobBrowser.get("api/contents").body()).doesNotContain("alice-only.txt");
        assertThat(bobBrowser.get("api/contents/alice-only.txt").statusCode()).isEqualTo(404);
        // Two Jupyters, two volumes, two uids.
        assertThat(NotebookHost.sandboxesUnder(instanceDir("111111111111"))).isEqualTo(1);
        assertThat(NotebookHost.sandboxesUnder(instanceDir("222222222222"))).isEqualTo(1);
        assertThat(Files.getAttribute(instanceDir("111111111111").resolve("SageMaker"), "unix:uid"))
                .isNotEqualTo(Files.getAttribute(instanceDir("222222222222").resolve("SageMaker"), "unix:uid"));
    }

    @Test
    @Order(2)
    void aKernelAndALifecycleScriptSeeNoDatabaseNoKeysAndNoOtherInstance() throws Exception {
        JupyterBrowser b = session(bob);
        JupyterBrowser.Kernel k = b.connect(b.startKernel("snoop.ipynb"), null);
        Path alices = instanceDir("111111111111");
        for (Path target : List.of(dataDir.resolve("sagebrush.db"), dataDir.resolve("sagebrush.db-wal"),
                dataDir.resolve("secrets/notebook-session.key"), dataDir.resolve("secrets/notebook-credentials.key"),
                alices.resolve("volume.img"), alices.resolve("logs/LifecycleConfigOnCreate.log"),
                alices.resolve("SageMaker/alice-only.txt"))) {
            assertThat(k.execute("open('" + target + "', 'rb').read(1)")).as(target.toString()).isEqualTo("ERROR:FileNotFoundError");
        }
        assertThat(k.execute("import os; os.path.exists('" + dataDir + "')")).isEqualTo("False");
        // No block device to point debugfs at, no other instance's user in passwd.
        assertThat(k.execute("sorted(d for d in os.listdir('/dev') if d.startswith(('loop', 'sd', 'vd', 'nvme')))")).isEqualTo("[]");
        // Also after the host's passwd was replaced by rename (useradd for the next instance does exactly this; a bind
        // mount over the old file would then show the host's): same content, same attributes, renamed into place.
        Path passwd = Path.of("/etc/passwd");
        Path copy = Path.of("/etc/passwd.sagebrush-test");
        Files.copy(passwd, copy, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(copy, passwd, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertThat(k.execute("open('/etc/passwd').read()")).doesNotContain("sbnb-").doesNotContain("sagebrush notebook instance")
                .contains("ec2-user");
        // Only the sandbox's own processes (its pid 1, bwrap, shows the instance's own bind sources, nothing else).
        assertThat(k.execute("import subprocess; print(subprocess.run(['ps', '-e', '-o', 'args='], capture_output=True, text=True).stdout)"))
                .doesNotContain("java").doesNotContain("111111111111").doesNotContain("secrets");
        k.close();

        // Alice's OnCreate script (root, as lifecycle scripts are) read nothing of the server either.
        String proofs = session(alice).get("api/contents/proofs.txt").body();
        assertThat(proofs).contains("id=0").contains("done").doesNotContain("read=").doesNotContain("wrote=");
    }

    @Test
    @Order(3)
    void rootIsRootOnlyInsideTheInstance() throws Exception {
        JupyterBrowser b = session(alice);
        JupyterBrowser.Kernel k = b.connect(b.startKernel("root.ipynb"), null);
        assertThat(k.execute("import os; os.getuid()")).isEqualTo("0");
        int hostUid = Integer.parseInt(k.execute("int(open('/proc/self/uid_map').read().split()[1])"));
        assertThat(hostUid).isNotZero();
        assertThat(k.execute("open('/etc/shadow').read(1)")).isEqualTo("ERROR:FileNotFoundError"); // not even there
        assertThat(k.execute("try:\n    open('/usr/bin/owned', 'w'); r = 'wrote'\nexcept OSError as e:\n    r = e.errno\nr"))
                .isEqualTo("30"); // EROFS
        // The host sees what the lifecycle script and the kernel wrote as the instance's unprivileged uid.
        k.execute("open('from-root.txt', 'w').write('x')");
        assertThat(Files.getAttribute(instanceDir("111111111111").resolve("SageMaker/from-root.txt"), "unix:uid")).isEqualTo(hostUid);
        assertThat(Files.getAttribute(instanceDir("111111111111").resolve("SageMaker/proofs.txt"), "unix:uid")).isEqualTo(hostUid);
        assertThat(session(alice).get("api/contents/proofs.txt").body()).contains("hostuid=" + hostUid);
        k.close();
    }

    @Test
    @Order(4)
    void aScriptServedByOneInstanceCannotDriveAnother() throws Exception {
        JupyterBrowser aliceBrowser = session(alice);
        JupyterBrowser bobBrowser = session(bob);
        assertThat(aliceBrowser.origin).isNotEqualTo(bobBrowser.origin);
        // Alice plants a custom.js in her Jupyter (her home directory), as in the attack...
        JupyterBrowser.Kernel k = aliceBrowser.connect(aliceBrowser.startKernel("plant.ipynb"), null);
        k.execute("import os; os.makedirs(os.path.expanduser('~/.jupyter/custom'), exist_ok=True)\n"
                + "open(os.path.expanduser('~/.jupyter/custom/custom.js'), 'w').write('/* ALICE-WAS-HERE */')");
        k.close();
        assertThat(aliceBrowser.get("custom/custom.js").body()).contains("ALICE-WAS-HERE");
        // ...and sends Bob a link. Her script runs in her origin only; Bob's Jupyter serves its own.
        assertThat(bobBrowser.get("custom/custom.js").body()).doesNotContain("ALICE-WAS-HERE");
        // What the script could still send to Bob's origin, with Bob's cookie, is refused: its Origin is Alice's.
        String bobKernel = bobBrowser.startKernel("victim.ipynb");
        String aliceOrigin = aliceBrowser.origin.toString();
        assertThat(bobBrowser.send("POST", "api/contents", "{\"type\":\"notebook\"}", aliceOrigin).statusCode()).isEqualTo(403);
        assertThatThrownBy(() -> bobBrowser.connect(bobKernel, aliceOrigin))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(403));
        // The scheme is part of the origin too.
        String otherScheme = bobBrowser.origin.toString().replace("http:", "https:");
        assertThat(bobBrowser.send("POST", "api/contents", "{\"type\":\"notebook\"}", otherScheme).statusCode()).isEqualTo(403);
        // Bob's session opens nothing at Alice's origin (and his browser would not even send it there).
        JupyterBrowser stolen = new JupyterBrowser(fixture.endpoint, "shared", aliceBrowser.origin);
        stolen.cookie = bobBrowser.cookie;
        assertThat(stolen.get("api/contents").statusCode()).isEqualTo(403);
        // The server's API address is not a notebook origin at all.
        HttpResponse<String> apiOrigin = bobBrowser.http.send(HttpRequest.newBuilder(fixture.endpoint.resolve("/notebooks/shared/tree"))
                .header("Cookie", bobBrowser.cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(apiOrigin.statusCode()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void aNotebookCallsBackAsItsOwnAccountUntilItStops() throws Exception {
        JupyterBrowser b = session(bob);
        JupyterBrowser.Kernel k = b.connect(b.startKernel("sdk.ipynb"), null);
        // What sagemaker.get_execution_role() does on a notebook instance: read the metadata file, then
        // DescribeNotebookInstance(ResourceName)["RoleArn"]; boto3 with no configuration at all.
        assertThat(k.execute("import json, boto3\n"
                + "md = json.load(open('/opt/ml/metadata/resource-metadata.json'))\n"
                + "print(md['ResourceArn'], md['ResourceName'])")).isEqualTo(
                "arn:aws:sagemaker:us-east-1:222222222222:notebook-instance/shared shared");
        assertThat(k.execute("sm = boto3.Session().client('sagemaker')\n"
                + "print(sm.describe_notebook_instance(NotebookInstanceName=md['ResourceName'])['RoleArn'])")).isEqualTo(BOB_ROLE);
        assertThat(k.execute("print(sorted(i['NotebookInstanceArn'] for i in sm.list_notebook_instances()['NotebookInstances']))"))
                .isEqualTo("['arn:aws:sagemaker:us-east-1:222222222222:notebook-instance/shared']");
        // Session().default_bucket() and account_id() ask STS who is calling: the instance's account.
        assertThat(k.execute("print(boto3.client('sts').get_caller_identity()['Account'])")).isEqualTo("222222222222");
        // S3 with the same credentials: Session().default_bucket() as the SageMaker Python SDK does it (STS by AWS's
        // regional endpoint, which the instance's shim points here; ListBuckets; HeadBucket; CreateBucket), then
        // upload_data (s3transfer, multipart above 8 MB) and a download, with no configuration at all.
        assertThat(k.execute(DEFAULT_BUCKET)).isEqualTo("sagemaker-us-east-1-222222222222 created");
        assertThat(k.execute(DEFAULT_BUCKET)).isEqualTo("sagemaker-us-east-1-222222222222 exists");
        assertThat(k.execute(UPLOAD_AND_DOWNLOAD)).isEqualTo(
                "s3://sagemaker-us-east-1-222222222222/data/train.csv 9437184 True ['data/big.bin', 'data/train.csv']");
        // The credentials are the instance's own, temporary ones (AWS's ASIA... form with a session token).
        String[] c = k.execute("f = boto3.Session().get_credentials().get_frozen_credentials()\n"
                + "print(f.access_key, f.secret_key, f.token)").split(" ");
        k.close();
        // The AWS SDK for Java with them: what the kernel wrote is there; a tampered token is S3's InvalidToken.
        try (S3Client s3 = s3Client(c[0], c[1], c[2])) {
            assertThat(s3.getObjectAsBytes(r -> r.bucket("sagemaker-us-east-1-222222222222").key("data/train.csv"))
                    .asUtf8String()).isEqualTo("label,x\n1,2\n");
        }
        try (S3Client s3 = s3Client(c[0], c[1], "x" + c[2])) {
            assertThatThrownBy(s3::listBuckets).isInstanceOfSatisfying(S3Exception.class,
                    e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidToken"));
        }
        assertThat(c[0]).startsWith("ASIA").hasSize(20);
        SageMakerClient asInstance = SageMakerClient.builder().endpointOverride(fixture.endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(c[0], c[1], c[2])))
                .httpClientBuilder(Apache5HttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))).build();
        assertThat(asInstance.listNotebookInstances().notebookInstances()).extracting(s -> s.notebookInstanceArn())
                .containsExactly("arn:aws:sagemaker:us-east-1:222222222222:notebook-instance/shared");
        // A token with a forged access key id, or from nowhere, is refused.
        SageMakerClient forged = SageMakerClient.builder().endpointOverride(fixture.endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create("ASIAAAAAAAAAAAAAAAAA", c[1], c[2])))
                .httpClientBuilder(Apache5HttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))).build();
        assertThatThrownBy(forged::listNotebookInstances).isInstanceOf(SageMakerException.class)
                .hasMessageContaining("The security token included in the request is invalid");
        // The credentials endpoint answers only the instance's own token.
        HttpResponse<String> noToken = b.http.send(HttpRequest.newBuilder(fixture.endpoint.resolve("/sagebrush/instance-credentials"))
                .header("Authorization", "forged").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(403);

        // Stopped: everything it was issued stops working at once.
        bob.stopNotebookInstance(r -> r.notebookInstanceName("shared"));
        NotebookHost.fastWaiter(bob).waitUntilNotebookInstanceStopped(r -> r.notebookInstanceName("shared"));
        assertThatThrownBy(asInstance::listNotebookInstances).isInstanceOf(SageMakerException.class)
                .hasMessageContaining("The security token included in the request is expired");
        try (S3Client s3 = s3Client(c[0], c[1], c[2])) {
            assertThatThrownBy(s3::listBuckets).isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(400);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ExpiredToken");
            });
        }
    }

    static S3Client s3Client(String key, String secret, String token) {
        return S3Client.builder().endpointOverride(fixture.endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(key, secret, token)))
                .httpClientBuilder(Apache5HttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))).build();
    }

    /** sagemaker.Session().default_bucket() of SDK v2 (session.py), with boto3 alone. */
    static final String DEFAULT_BUCKET = """
            import boto3
            from botocore.exceptions import ClientError
            session = boto3.Session()
            region = session.region_name
            account = session.client("sts", region_name=region,
                                     endpoint_url="https://sts.%s.amazonaws.com" % region).get_caller_identity()["Account"]
            bucket_name = "sagemaker-%s-%s" % (region, account)
            s3 = session.resource("s3", region_name=region)
            outcome = "exists"
            if s3.Bucket(name=bucket_name).creation_date is None:
                try:
                    s3.meta.client.head_bucket(Bucket=bucket_name)
                except ClientError as e:
                    assert e.response["Error"]["Code"] == "404", e.response
                    if region == "us-east-1":
                        s3.create_bucket(Bucket=bucket_name)
                    else:
                        s3.create_bucket(Bucket=bucket_name, CreateBucketConfiguration={"LocationConstraint": region})
                    outcome = "created"
            print(bucket_name, outcome)
            """;

    /** Session.upload_data (s3_resource.Object(...).upload_file), boto3's own upload_file and download_file. */
    static final String UPLOAD_AND_DOWNLOAD = """
            import os, tempfile
            tmp = tempfile.mkdtemp()
            with open(os.path.join(tmp, "train.csv"), "w") as f:
                f.write("label,x\\n1,2\\n")
            with open(os.path.join(tmp, "big.bin"), "wb") as f:
                f.write(os.urandom(9 * 1024 * 1024))
            s3.Object(bucket_name, "data/train.csv").upload_file(os.path.join(tmp, "train.csv"))
            client = boto3.client("s3")
            client.upload_file(os.path.join(tmp, "big.bin"), bucket_name, "data/big.bin")
            client.download_file(bucket_name, "data/big.bin", os.path.join(tmp, "back.bin"))
            same = open(os.path.join(tmp, "big.bin"), "rb").read() == open(os.path.join(tmp, "back.bin"), "rb").read()
            keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket_name, Prefix="data/")["Contents"]]
            print("s3://%s/data/train.csv" % bucket_name, os.path.getsize(os.path.join(tmp, "back.bin")), same, keys)
            """;
}
