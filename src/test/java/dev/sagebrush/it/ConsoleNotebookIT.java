package dev.sagebrush.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sagebrush.testsupport.Prerequisites;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;

/**
 * A notebook from the console, in a real browser: the instance's page, Open Jupyter (CreatePresignedNotebookInstanceUrl
 * opened in a new tab), a notebook created there and a cell run in a real kernel; then Stop from the console.
 */
class ConsoleNotebookIT {
    static final Duration LONG = Duration.ofSeconds(120);
    static ServerFixture fixture;
    static SageMakerClient sm;
    static ConsoleBrowser browser;

    @BeforeAll
    static void start() {
        Prerequisites.require(NotebookHost.jupyterInstalled(), "jupyter-notebook and python3-ipykernel are not installed");
        Prerequisites.require(NotebookHost.root(), "notebook isolation needs root");
        ConsoleBrowser.requireChromium();
        fixture = ServerFixture.start(c -> c.withCompileWorkers(0));
        sm = fixture.sagemaker();
        sm.createNotebookInstance(r -> r.notebookInstanceName("console-nb").instanceType("ml.t3.medium")
                .roleArn(NotebookApiIT.ROLE).rootAccess("Disabled"));
        NotebookHost.fastWaiter(sm).waitUntilNotebookInstanceInService(r -> r.notebookInstanceName("console-nb"));
        browser = ConsoleBrowser.open(fixture.endpoint.toString());
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (sm != null) sm.close();
        if (fixture != null) fixture.close();
    }

    @Test
    void openJupyterFromTheConsoleAndRunACell() {
        browser.go("/console/");
        browser.waitFor(LONG, d -> browser.find("#sign-in").isDisplayed());
        new Actions(browser.driver).sendKeys("test").sendKeys(Keys.TAB).sendKeys("test").sendKeys(Keys.ENTER).perform();
        browser.waitFor(LONG, d -> browser.find("#nav").isDisplayed());
        browser.go("/console/#/notebooks");
        browser.waitForText("table.list .status", "InService", LONG);
        browser.screenshot("notebook-instances");
        browser.go("/console/#/notebooks/console-nb");
        WebElement open = browser.waitFor(LONG, d -> d.findElements(By.id("open-jupyter")).stream().findFirst().orElse(null));
        browser.screenshot("notebook-instance");
        String console = browser.driver.getWindowHandle();
        open.click();
        String jupyter = browser.waitFor(LONG, d -> {
            List<String> handles = new ArrayList<>(d.getWindowHandles());
            handles.remove(console);
            return handles.isEmpty() ? null : handles.get(0);
        });
        browser.driver.switchTo().window(jupyter);
        browser.waitFor(LONG, d -> d.getCurrentUrl().contains("/tree"));
        String base = browser.driver.getCurrentUrl().replaceAll("/tree.*$", "/");
        // A notebook with one cell, saved through Jupyter's contents API from the Jupyter page itself.
        Object saved = browser.jsAsync("const done = arguments[arguments.length - 1];"
                + "fetch('" + base + "api/contents/console-test.ipynb', {method: 'PUT', headers: {'Content-Type': 'application/json'},"
                + " body: JSON.stringify({type: 'notebook', content: {cells: [{cell_type: 'code', source: '', metadata: {}, outputs: [],"
                + " execution_count: null}], metadata: {kernelspec: {name: 'python3', display_name: 'Python 3', language: 'python'}},"
                + " nbformat: 4, nbformat_minor: 5}})}).then(r => done(r.status));");
        assertThat(saved).isIn(200L, 201L);
        browser.driver.get(base + "notebooks/console-test.ipynb");
        WebElement cell = browser.waitFor(LONG, d -> d.findElements(By.cssSelector(".CodeMirror")).stream().findFirst().orElse(null));
        browser.waitFor(LONG, d -> d.findElements(By.cssSelector("#kernel_indicator_icon.kernel_idle_icon")).size() > 0);
        cell.click();
        new Actions(browser.driver).sendKeys("print(6 * 7)").keyDown(Keys.SHIFT).sendKeys(Keys.ENTER).keyUp(Keys.SHIFT).perform();
        browser.waitForText(".output_area pre", "42", LONG);
        browser.driver.close();
        browser.driver.switchTo().window(console);

        // Stop from the console.
        browser.waitFor(LONG, d -> {
            d.findElement(By.xpath("//main//div[@class='actions']/button[normalize-space()='Stop']")).click();
            return true;
        });
        browser.waitForText("dl.facts .status", "Stopped", LONG);
        assertThat(sm.describeNotebookInstance(r -> r.notebookInstanceName("console-nb")).notebookInstanceStatusAsString())
                .isEqualTo("Stopped");
    }
}
