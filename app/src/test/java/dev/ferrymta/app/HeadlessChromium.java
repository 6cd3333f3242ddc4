package dev.ferrymta.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.http.ClientConfig;

/**
 * Chromium, headless, driven through its ChromeDriver (Debian's packages, or Ubuntu's snap;
 * {@code dev/test} installs them), with full-page screenshots at a desktop and a phone width,
 * checking that nothing has to be scrolled sideways on the phone. Both binaries are named
 * explicitly, so Selenium Manager never runs and nothing is downloaded. Quits the browser and
 * stops the driver at close.
 */
final class HeadlessChromium implements AutoCloseable {

    /** Debian's packages, else Ubuntu's snap (dev/services installs one of them), unless a property names another. */
    static final Path CHROMIUM = binary("ferry.test.chromium", "/usr/bin/chromium", "/snap/bin/chromium");
    static final Path CHROMEDRIVER = binary("ferry.test.chromedriver", "/usr/bin/chromedriver", "/snap/bin/chromium.chromedriver");

    private static Path binary(String property, String debian, String snap) {
        var named = System.getProperty(property);
        if (named != null) {
            return Path.of(named);
        }
        return Files.isExecutable(Path.of(debian)) || !Files.isExecutable(Path.of(snap)) ? Path.of(debian) : Path.of(snap);
    }

    /** Warns at every start that no DevTools binding matches the browser: these tests use none. */
    private static final Logger CDP_VERSION_FINDER = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    static {
        CDP_VERSION_FINDER.setLevel(Level.SEVERE);
    }

    private static final int DESKTOP_WIDTH = 1280;
    private static final int DESKTOP_HEIGHT = 900;
    private static final int PHONE_WIDTH = 390;
    private static final int PHONE_HEIGHT = 844;

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path screenshots;

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver, Path screenshots) {
        this.service = service;
        this.driver = driver;
        this.screenshots = screenshots;
    }

    /**
     * Starts the browser; screenshots go to {@code screenshots}, emptied of older ones first.
     * Missing binaries fail the test, naming the fix: a browser test that skips itself tests nothing.
     */
    static HeadlessChromium start(Path screenshots) throws IOException {
        for (var binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(binary)) {
                throw new AssertionError(binary + " is missing: run dev/test, which installs Debian's chromium and"
                        + " chromium-driver (on Ubuntu the chromium snap), or apt-get install chromium chromium-driver"
                        + " (other paths: -Dferry.test.chromium=... -Dferry.test.chromedriver=...)");
            }
        }
        Files.createDirectories(screenshots);
        try (var old = Files.newDirectoryStream(screenshots, "*.{png,html}")) {
            for (var file : old) {
                Files.delete(file);
            }
        }
        var log = screenshots.resolveSibling("chromedriver.log");
        var service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withLogFile(log.toFile()).build();
        var options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                // As root Chromium needs --no-sandbox; the network flags keep it from calling home on a closed network.
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--window-size=" + DESKTOP_WIDTH + "," + DESKTOP_HEIGHT);
        options.setPageLoadTimeout(Duration.ofSeconds(30));
        options.setScriptTimeout(Duration.ofSeconds(10));
        try {
            var driver = new ChromeDriver(service, options, ClientConfig.defaultConfig().readTimeout(Duration.ofSeconds(60)));
            return new HeadlessChromium(service, driver, screenshots);
        } catch (RuntimeException e) {
            service.stop();
            throw e;
        }
    }

    WebDriver driver() {
        return driver;
    }

    /**
     * What sticks out sideways at the width in force: the page itself, or a table box that needs
     * scrolling to show all its columns. Empty when everything fits.
     */
    private static final String SIDEWAYS = """
            const out = [];
            const page = document.documentElement;
            if (page.scrollWidth > page.clientWidth + 1) {
              const out_of_view = [...document.body.querySelectorAll('*')]
                  .filter(e => e.getBoundingClientRect().right > page.clientWidth + 1).slice(-3)
                  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' ' + Math.round(e.getBoundingClientRect().right));
              out.push('the page: ' + page.scrollWidth + ' px in ' + page.clientWidth + ', sticking out: ' + out_of_view.join(', '));
            }
            document.querySelectorAll('.scroll').forEach(box => {
              if (box.scrollWidth > box.clientWidth + 1) {
                const heading = box.previousElementSibling ? box.previousElementSibling.textContent.slice(0, 40) : '';
                out.push('the table after "' + heading + '": ' + box.scrollWidth + ' px in ' + box.clientWidth);
              }
            });
            return out;""";

    /**
     * Saves the whole page as {@code NAME.png} (desktop width) and {@code NAME-phone.png}, and
     * fails if at the phone's width anything has to be scrolled sideways to be read.
     */
    void screenshot(String name) throws IOException {
        save(name + ".png");
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", PHONE_WIDTH, "height", PHONE_HEIGHT, "deviceScaleFactor", 1, "mobile", true));
        try {
            save(name + "-phone.png");
            var sideways = (List<?>) driver.executeScript(SIDEWAYS);
            if (!sideways.isEmpty()) {
                throw new AssertionError(name + " at " + PHONE_WIDTH + " px wide scrolls sideways: " + sideways);
            }
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    /** The page as it is now, and its HTML, for a failed test's report. */
    void saveForFailure(String name) {
        try {
            save(name + ".png");
            Files.writeString(screenshots.resolve(name + ".html"), driver.getPageSource());
        } catch (IOException | RuntimeException e) {
            System.err.println("could not save the failed page: " + e);
        }
    }

    private void save(String file) throws IOException {
        // Page.captureScreenshot with a clip of the whole content: WebDriver's own screenshot shows the viewport only.
        var metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
        var size = (Map<?, ?>) metrics.get("cssContentSize");
        var clip = Map.of("x", 0, "y", 0, "width", ((Number) size.get("width")).doubleValue(),
                "height", ((Number) size.get("height")).doubleValue(), "scale", 1);
        var shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
        Files.write(screenshots.resolve(file), Base64.getDecoder().decode((String) shot.get("data")));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
