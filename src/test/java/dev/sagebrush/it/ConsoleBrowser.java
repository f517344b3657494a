package dev.sagebrush.it;

import dev.sagebrush.testsupport.Prerequisites;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's chromium, headless, driven through Debian's chromium-driver by Selenium: a fresh profile per browser, no
 * network of its own (no updates, sync or QUIC), nothing downloaded by Selenium Manager.
 */
final class ConsoleBrowser implements AutoCloseable {
    static final String CHROMIUM = "/usr/lib/chromium/chromium";
    static final String DRIVER = "/usr/bin/chromedriver";

    final ChromeDriver driver;
    final String base;
    private final Path profile;

    private ConsoleBrowser(ChromeDriver driver, String base, Path profile) {
        this.driver = driver;
        this.base = base;
        this.profile = profile;
    }

    static void requireChromium() {
        Prerequisites.require(Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(DRIVER)),
                "Debian's chromium and chromium-driver (" + CHROMIUM + ", " + DRIVER + ")");
    }

    static ConsoleBrowser open(String endpoint) {
        requireChromium();
        try {
            Path profile = Files.createTempDirectory("sagebrush-chromium");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM);
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900",
                    "--force-device-scale-factor=1", "--lang=en-US");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().window().setSize(new Dimension(1280, 900));
            return new ConsoleBrowser(driver, endpoint, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void go(String path) {
        driver.get(base + path);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    <T> T waitFor(Duration timeout, Function<WebDriver, T> condition) {
        // Pages refresh themselves every few seconds: an element found a moment ago may have been replaced.
        try {
            return new WebDriverWait(driver, timeout, Duration.ofMillis(100))
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("Timed out at " + driver.getCurrentUrl() + "; the page says:\n"
                    + driver.findElement(By.tagName("body")).getText(), e);
        }
    }

    WebElement waitForText(String css, String text, Duration timeout) {
        try {
            return waitFor(timeout, d -> d.findElements(By.cssSelector(css)).stream()
                    .filter(e -> e.getText().contains(text)).findFirst().orElse(null));
        } catch (AssertionError e) {
            throw new AssertionError("No '" + text + "' in " + css + ". " + e.getMessage(), e.getCause());
        }
    }

    /** Finds an element and acts on it, again if the page replaced it in between. */
    void act(String css, java.util.function.Consumer<WebElement> action) {
        waitFor(Duration.ofSeconds(30), d -> {
            action.accept(d.findElement(By.cssSelector(css)));
            return true;
        });
    }

    Object jsAsync(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /**
     * A screenshot of the whole page (not just the viewport), written only when the run asks for them:
     * {@code -Dconsole.screenshots=docs/console} (how the committed ones were made).
     */
    void screenshot(String name) {
        String target = System.getProperty("console.screenshots");
        if (target == null || target.isBlank()) return;
        try {
            Path dir = Path.of(target);
            Files.createDirectories(dir);
            long height = Math.min(2400, (Long) js("return Math.max(document.documentElement.scrollHeight, 800)"));
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", java.util.Map.of(
                    "width", 1280, "height", height, "deviceScaleFactor", 1, "mobile", false));
            Thread.sleep(300);
            File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(f.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", java.util.Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var walk = Files.walk(profile)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp profile left behind is harmless
            }
        }
    }
}
