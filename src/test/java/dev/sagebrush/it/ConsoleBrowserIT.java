package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.testsupport.Prerequisites;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.Framework;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;

/**
 * The console in a real browser (Debian's chromium, headless, through Selenium): sign in with the keyboard, watch a
 * compilation job complete and read its verification, a training job's page, a Search built with a nested filter and
 * an Or group, the comparison of selected jobs, and a second account that sees none of it. Each page is checked for
 * labelled controls. Run with {@code -Dconsole.screenshots=docs/console} to refresh the screenshots in the docs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {
    static final String A_KEY = "AKIDCONSOLEA";
    static final String A_SECRET = "console-secret-a";
    static final String B_KEY = "AKIDCONSOLEB";
    static final String B_SECRET = "console-secret-b";
    static final Duration LONG = Duration.ofSeconds(90);
    static final String SLOW_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sagebrush-slow:1.0";

    @TempDir static Path tmp;
    static ServerFixture fixture;
    static SageMakerClient smA;
    static ConsoleBrowser browser;

    @BeforeAll
    static void start() throws Exception {
        ConsoleBrowser.requireChromium();
        Path script = tmp.resolve("train.sh");
        try (InputStream in = ConsoleBrowserIT.class.getResourceAsStream("/training/train.sh")) {
            Files.copy(in, script);
        }
        // A job that trains for ~15 s, printing a metric line every half second: the page must follow it live.
        Path slow = tmp.resolve("slow.sh");
        Files.writeString(slow, "#!/bin/sh\ni=1\nwhile [ $i -le 30 ]; do\n"
                + "  echo \"epoch=$i train:loss=0.$((100 - i)) validation:auc=0.$((50 + i))\"\n  i=$((i + 1))\n  sleep 0.5\ndone\n"
                + "echo done > \"$SM_MODEL_DIR/model.txt\"\n");
        Path registry = tmp.resolve("images.txt");
        Files.writeString(registry, TrainingFixture.IMAGE + " /bin/sh '" + script + "'\n"
                + SLOW_IMAGE + " /bin/sh '" + slow + "'\n");
        Path credentials = tmp.resolve("credentials");
        Files.writeString(credentials, A_KEY + " " + A_SECRET + " 111111111111\n" + B_KEY + " " + B_SECRET + " 222222222222\n");
        fixture = ServerFixture.start(c -> c.withCredentialsFile(credentials).withCompileWorkers(1)
                .withTraining(c.training().withImagesFile(registry).withWorkers(2).withStopGrace(Duration.ofSeconds(2))));
        smA = fixture.sagemaker(A_KEY, A_SECRET, Region.US_EAST_1);
        S3Client s3 = software.amazon.awssdk.services.s3.S3Client.builder().endpointOverride(fixture.endpoint)
                .region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(A_KEY, A_SECRET)))
                .httpClientBuilder(software.amazon.awssdk.http.apache5.Apache5HttpClient.builder()).build();
        s3.createBucket(b -> b.bucket("models"));
        s3.createBucket(b -> b.bucket("data"));
        s3.createBucket(b -> b.bucket("out"));
        byte[] model;
        try (InputStream in = ConsoleBrowserIT.class.getClassLoader().getResourceAsStream("fixtures/xgboost/binary_logistic.json")) {
            model = in.readAllBytes();
        }
        s3.putObject(b -> b.bucket("models").key("xgb/model.tar.gz"),
                RequestBody.fromBytes(Tarballs.create().file("binary_logistic.json", model).bytes()));
        for (String prefix : List.of("a", "b")) {
            s3.putObject(b -> b.bucket("data").key(prefix + "/train.csv"), RequestBody.fromString("1,2\n3,4\n"));
        }
        s3.close();
        browser = ConsoleBrowser.open(fixture.endpoint.toString());
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (smA != null) smA.close();
        if (fixture != null) fixture.close();
    }

    static void trainingJob(SageMakerClient sm, String name, String dataPrefix, Map<String, String> hp) {
        sm.createTrainingJob(TrainingFixture.job(name, "ok")
                .hyperParameters(hp)
                .algorithmSpecification(a -> a.trainingImage(TrainingFixture.IMAGE).trainingInputMode("File")
                        .metricDefinitions(m -> m.name("train:loss").regex("train:loss=([0-9.]+)"),
                                m -> m.name("validation:auc").regex("validation:auc=([0-9.]+)")))
                .roleArn("arn:aws:iam::111111111111:role/SageMakerRole")
                .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s
                        .s3DataType("S3Prefix").s3Uri("s3://data/" + dataPrefix + "/").s3DataDistributionType("FullyReplicated"))))
                .build());
    }

    /** Every form control on the page has an accessible name (a label, aria-label or aria-labelledby). */
    static void assertControlsLabelled() {
        Object unlabeled = browser.js("return [...document.querySelectorAll('input,select,textarea')]"
                + ".filter(e => e.offsetParent !== null && e.type !== 'hidden')"
                + ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))"
                + ".map(e => e.outerHTML)");
        assertThat((List<?>) unlabeled).as("form controls without a label").isEmpty();
        Object unnamedButtons = browser.js("return [...document.querySelectorAll('button,a[href]')]"
                + ".filter(e => e.offsetParent !== null && !(e.textContent.trim() || e.getAttribute('aria-label')))"
                + ".map(e => e.outerHTML)");
        assertThat((List<?>) unnamedButtons).as("buttons and links without a name").isEmpty();
    }

    static void signInWithKeyboard(String key, String secret) {
        browser.go("/console/");
        browser.waitFor(LONG, d -> browser.find("#sign-in").isDisplayed());
        assertControlsLabelled();
        // Focus starts in the first field; everything else is Tab and Enter.
        browser.waitFor(LONG, d -> "access-key-id".equals(browser.js("return document.activeElement.id")));
        // Access key, secret, past the region (us-east-1 already), onto the button, and press it.
        new Actions(browser.driver).sendKeys(key).sendKeys(Keys.TAB).sendKeys(secret).sendKeys(Keys.TAB)
                .sendKeys(Keys.TAB).perform();
        assertThat(browser.js("return document.activeElement.id")).isEqualTo("sign-in-submit");
        new Actions(browser.driver).sendKeys(Keys.ENTER).perform();
        browser.waitFor(LONG, d -> browser.find("#nav").isDisplayed());
    }

    @Test
    @Order(1)
    void signInRefusesAWrongSecretAndNeverKeepsTheKeyInThePage() {
        browser.go("/console/");
        browser.waitFor(LONG, d -> browser.find("#sign-in").isDisplayed());
        browser.screenshot("sign-in");
        new Actions(browser.driver).sendKeys(A_KEY).sendKeys(Keys.TAB).sendKeys("wrong").sendKeys(Keys.ENTER).perform();
        browser.waitForText("#sign-in-error", "not correct", LONG);

        signInWithKeyboard(A_KEY, A_SECRET);
        assertThat(browser.find("#who-account").getText()).contains("111111111111");
        // The secret is gone from the form, and nothing JS can read holds the key or the session.
        assertThat(browser.find("#secret-access-key").getAttribute("value")).isEmpty();
        assertThat((String) browser.js("return document.cookie")).doesNotContain("sagebrush-console");
        assertThat((String) browser.js("return JSON.stringify(localStorage) + JSON.stringify(sessionStorage)"))
                .doesNotContain(A_SECRET).doesNotContain(A_KEY);
        assertThat(browser.driver.getPageSource()).doesNotContain(A_SECRET);
    }

    @Test
    @Order(2)
    void compilationJobGoesToCompletedAndShowsItsVerification() {
        smA.createCompilationJob(CompilationJobApiIT.job("console-xgb")
                .roleArn("arn:aws:iam::111111111111:role/SageMakerRole")
                .inputConfig(i -> i.s3Uri("s3://models/xgb/model.tar.gz").framework(Framework.XGBOOST))
                .outputConfig(o -> o.s3OutputLocation("s3://models/compiled/").targetDevice("ml_c5")).build());
        browser.go("/console/#/compilation");
        browser.waitFor(LONG, d -> d.findElements(By.linkText("console-xgb")).stream().findFirst().orElse(null));
        assertControlsLabelled();
        // Keyboard: the job's link is reachable and opens with Enter.
        browser.act("a[href='#/compilation/console-xgb']", e -> e.sendKeys(Keys.ENTER));
        browser.waitForText("h1", "console-xgb", LONG);
        browser.waitForText("dl.facts .status", "COMPLETED", Duration.ofMinutes(3));
        browser.waitForText("#verification-status", "PASSED", LONG);
        assertThat(browser.find("main").getText()).contains("ml_c5").contains("x86_64");
        browser.screenshot("compilation-job");
        browser.go("/console/#/compilation");
        browser.waitForText("table.list .status", "COMPLETED", LONG);
        browser.screenshot("compilation-jobs");
    }

    @Test
    @Order(3)
    void trainingJobPageShowsTimelineHyperparametersAndArtifact() throws Exception {
        trainingJob(smA, "console-train", "a", Map.of("mode", "ok", "epochs", "5", "lr", "0.5"));
        Waits.until(() -> smA.describeTrainingJob(r -> r.trainingJobName("console-train")),
                d -> d.trainingJobStatus() == TrainingJobStatus.COMPLETED || d.trainingJobStatus() == TrainingJobStatus.FAILED, LONG);
        browser.go("/console/#/training/console-train");
        browser.waitForText("dl.facts .status", "Completed", LONG);
        browser.waitForText("ol.timeline", "Uploading", LONG);
        String text = browser.find("main").getText();
        assertThat(text).contains("epochs").contains("lr").contains("0.5").contains("model.tar.gz")
                .contains("train:loss");
        assertControlsLabelled();
        browser.screenshot("training-job");
        browser.go("/console/#/training");
        browser.waitFor(LONG, d -> d.findElements(By.linkText("console-train")).stream().findFirst().orElse(null));
        browser.screenshot("training-jobs");
    }

    @Test
    @Order(3)
    void aRunningTrainingJobsChartGainsPointsAndItsLogGrows() throws Exception {
        smA.createTrainingJob(TrainingFixture.job("console-live", "ok")
                .roleArn("arn:aws:iam::111111111111:role/SageMakerRole")
                .hyperParameters(Map.of("lr", "0.05"))
                .algorithmSpecification(a -> a.trainingImage(SLOW_IMAGE).trainingInputMode("File")
                        .metricDefinitions(m -> m.name("train:loss").regex("train:loss=([0-9.]+)")))
                .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(x -> x
                        .s3DataType("S3Prefix").s3Uri("s3://data/a/").s3DataDistributionType("FullyReplicated"))))
                .build());
        browser.go("/console/#/training/console-live");
        String chart = "figure[data-metric='train:loss'] svg";
        browser.waitFor(LONG, d -> points(chart) >= 2 && lines() >= 2);
        long points = points(chart);
        long lines = lines();
        // Without reloading: the same page keeps drawing and appending.
        browser.waitFor(LONG, d -> points(chart) > points + 2 && lines() > lines + 2);
        browser.screenshot("training-job-live");
        browser.waitForText("dl.facts .status", "Completed", LONG);
        // 30 values over 15 s, in CloudWatch's 1-second periods (Average): 15 points, or 16 across a second boundary.
        browser.waitFor(LONG, d -> points(chart) >= 15 && lines() >= 30);
        assertThat(browser.find("pre.log").getText()).contains("epoch=1 train:loss=0.99").contains("epoch=30");
    }

    static long points(String svg) {
        List<org.openqa.selenium.WebElement> e = browser.all(svg);
        return e.isEmpty() ? 0 : Long.parseLong(e.get(0).getAttribute("data-points"));
    }

    static long lines() {
        List<org.openqa.selenium.WebElement> e = browser.all("pre.log");
        String v = e.isEmpty() ? null : e.get(0).getAttribute("data-lines");
        return v == null ? 0 : Long.parseLong(v);
    }

    @Test
    @Order(4)
    void searchWithANestedFilterAndAnOrGroupFindsTheRightJobs() throws Exception {
        // lr 0.1 / 0.3 on data a: found; lr 0.2 on a: not (Or group); lr 0.3 on b: not (nested filter).
        trainingJob(smA, "search-a-01", "a", Map.of("mode", "ok", "lr", "0.1"));
        trainingJob(smA, "search-a-02", "a", Map.of("mode", "ok", "lr", "0.2"));
        trainingJob(smA, "search-a-03", "a", Map.of("mode", "ok", "lr", "0.3"));
        trainingJob(smA, "search-b-03", "b", Map.of("mode", "ok", "lr", "0.3"));
        for (String n : List.of("search-a-01", "search-a-02", "search-a-03", "search-b-03")) {
            Waits.until(() -> smA.describeTrainingJob(r -> r.trainingJobName(n)),
                    d -> d.trainingJobStatus() == TrainingJobStatus.COMPLETED, LONG);
        }
        browser.go("/console/#/search");
        browser.waitFor(LONG, d -> browser.find("#search-form").isDisplayed());
        // Top-level filter: the name.
        browser.find("#search-form button.secondary.small").click(); // "Add filter"
        fillLastFilter("#search-form > div .filters", "TrainingJobStatus", "Equals", "Completed");
        // Nested filter on InputDataConfig: channel "train" whose S3 URI is under s3://data/a/.
        browser.find("#add-nested").click();
        fillLastFilter("fieldset.nested .filters", "InputDataConfig.ChannelName", "Equals", "train");
        browser.find("fieldset.nested button.secondary.small").click();
        fillLastFilter("fieldset.nested .filters", "InputDataConfig.DataSource.S3DataSource.S3Uri", "Contains", "s3://data/a/");
        // Or group: lr 0.1 or lr 0.3.
        browser.find("#add-group").click();
        fillLastFilter("fieldset.sub .filters", "HyperParameters.lr", "Equals", "0.1");
        browser.find("fieldset.sub button.secondary.small").click();
        fillLastFilter("fieldset.sub .filters", "HyperParameters.lr", "Equals", "0.3");
        browser.find("#sort-by").clear();
        browser.find("#sort-by").sendKeys("TrainingJobName");
        new org.openqa.selenium.support.ui.Select(browser.find("#sort-order")).selectByValue("Ascending");
        assertControlsLabelled();
        browser.find("#run-search").click();
        browser.waitForText("#result-count", "training job", LONG);
        List<String> names = browser.all("#search-results tbody tr").stream().map(r -> r.getAttribute("data-key")).toList();
        assertThat(names).containsExactly("search-a-01", "search-a-03");
        assertThat(browser.find("#search-results").getText()).doesNotContain("console-train");
        // The page shows exactly what it sent.
        String shown = browser.find("#expression").getText();
        assertThat(shown).contains("\"NestedPropertyName\": \"InputDataConfig\"").contains("\"SubExpressions\"")
                .contains("\"Operator\": \"Or\"").contains("\"SortBy\": \"TrainingJobName\"");
        browser.screenshot("search");

        // Compare the two found jobs.
        for (WebElement box : browser.all("#search-results tbody input[type=checkbox]")) box.click();
        browser.find("#search-results a.button").click();
        browser.waitForText("#compare-table", "hp: lr", LONG);
        String table = (String) browser.js("return document.getElementById('compare-table').textContent");
        assertThat(table).contains("search-a-01").contains("search-a-03").contains("0.1").contains("0.3")
                .contains("validation:auc");
        assertControlsLabelled();
        browser.screenshot("compare");
    }

    private static void fillLastFilter(String container, String name, String operator, String value) {
        List<WebElement> rows = browser.all(container + " .filter-row");
        WebElement row = rows.get(rows.size() - 1);
        row.findElement(By.cssSelector(".f-name")).sendKeys(name);
        new org.openqa.selenium.support.ui.Select(row.findElement(By.cssSelector(".f-op"))).selectByValue(operator);
        row.findElement(By.cssSelector(".f-value")).sendKeys(value);
    }

    @Test
    @Order(5)
    void listsSortAndPageAsTheApiDoes() throws Exception {
        for (int i = 0; i < 23; i++) {
            smA.createCompilationJob(CompilationJobApiIT.job(String.format("page-%02d", i))
                    .roleArn("arn:aws:iam::111111111111:role/SageMakerRole")
                    .inputConfig(x -> x.s3Uri("s3://models/none/missing.tar.gz").framework(Framework.XGBOOST)).build());
        }
        browser.go("/console/#/compilation");
        browser.waitFor(LONG, d -> d.findElements(By.linkText("page-22")).stream().findFirst().orElse(null));
        // Sort by name, ascending (click twice: Descending first, as the API's default order).
        browser.find("th button.sort").click();
        browser.waitFor(LONG, d -> "descending".equals(browser.find("th[aria-sort]:not([aria-sort=none])").getAttribute("aria-sort")));
        browser.find("th button.sort").click();
        browser.waitFor(LONG, d -> "ascending".equals(browser.find("th[aria-sort]:not([aria-sort=none])").getAttribute("aria-sort")));
        browser.waitFor(LONG, d -> "console-xgb".equals(firstRowKey()));
        assertThat(browser.all("table.list tbody tr")).hasSize(20);
        browser.all(".controls button").stream().filter(b -> b.getText().contains("Next")).findFirst().orElseThrow().click();
        browser.waitFor(LONG, d -> "page-19".equals(firstRowKey()));
        List<String> page2 = browser.all("table.list tbody tr").stream().map(r -> r.getAttribute("data-key")).toList();
        assertThat(page2).containsExactly("page-19", "page-20", "page-21", "page-22");
    }

    private static String firstRowKey() {
        List<WebElement> rows = browser.all("table.list tbody tr");
        return rows.isEmpty() ? null : rows.get(0).getAttribute("data-key");
    }

    @Test
    @Order(9)
    void aSecondAccountSeesNoneOfTheFirstsResources() {
        browser.go("/console/#/training");
        browser.find("#sign-out").click();
        browser.waitFor(LONG, d -> browser.find("#sign-in").isDisplayed());
        signInWithKeyboard(B_KEY, B_SECRET);
        assertThat(browser.find("#who-account").getText()).contains("222222222222");
        for (String page : List.of("compilation", "training", "notebooks")) {
            browser.go("/console/#/" + page);
            browser.waitForText("table.list td", "Nothing here yet", LONG);
        }
        browser.go("/console/#/training/console-train");
        browser.waitForText(".error", "not found", LONG);
        browser.go("/console/#/search");
        browser.find("#run-search").click();
        browser.waitForText("#result-count", "0 training jobs", LONG);
        // A's artifact is not B's to download.
        browser.go("/console/download?kind=compilation&name=console-xgb");
        assertThat(browser.driver.getPageSource()).contains("Could not find").doesNotContain("manifest");
        Set<String> cookies = browser.driver.manage().getCookies().stream().map(c -> c.getName()).collect(Collectors.toSet());
        assertThat(cookies).contains("sagebrush-console");
    }
}
