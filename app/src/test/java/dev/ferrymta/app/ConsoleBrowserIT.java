package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferrymta.testing.broker.TestVirtualHost;
import dev.ferrymta.testing.db.TestDatabase;
import dev.ferrymta.testing.smtp.SmtpSink;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console as a person uses it, in headless Chromium: two instances with a password, a
 * throttle added on one console, the other console showing that its instance runs the new
 * settings version. Screenshots of every page, at a desktop and a phone width, go to
 * {@code app/target/screenshots/}.
 */
class ConsoleBrowserIT {

    private static final String PASSWORD = "browser-test-password";
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Pattern SAVED = Pattern.compile("Saved as version (\\d+)\\.");
    private static final Pattern TRY_AGAIN = Pattern.compile("Try again in (\\d+) seconds?\\.");
    private static final Duration PAGE_WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    @RegisterExtension
    final TestVirtualHost vhost = new TestVirtualHost();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void throttleAddedOnOneConsoleIsRunByTheOtherInstance() throws Exception {
        try (var browser = HeadlessChromium.start(SCREENSHOTS);
                var sink = SmtpSink.start(InetAddress.getByName("127.0.0.1"), 0);
                var cluster = new TestCluster(vhost, database)) {
            long start = System.nanoTime();
            var instances = cluster.start(List.of("browser-a", "browser-b"), List.of("127.0.0.2", "127.0.0.3"),
                    "--www-password=" + PASSWORD);
            var a = instances.get(0);
            var b = instances.get(1);
            long ready = System.nanoTime();
            try {
                logInOnA(browser, a);
                long version = addThrottle(browser, sink);
                seeResults(browser, cluster, a, sink);
                seeItRunOnB(browser, a, b, version);
                System.out.printf("browser test: the instances started in %d ms, the walk through both consoles took %d ms%n",
                        (ready - start) / 1_000_000, (System.nanoTime() - ready) / 1_000_000);
            } catch (Throwable failure) {
                browser.saveForFailure("failed");
                throw failure;
            }
        }
    }

    /** Logs in on A's console, a wrong password first, and looks at the overview and the cluster. */
    private void logInOnA(HeadlessChromium browser, TestCluster.Instance a) throws Exception {
        var driver = browser.driver();
        driver.get(console(a) + "/");
        assertThat(driver.getCurrentUrl()).as("the console asks for the password first").contains("/login?next=%2F");
        assertThat(heading(driver)).isEqualTo("Log in");
        browser.screenshot("01-login");

        logIn(driver, "not-the-password");
        var refusal = driver.findElement(By.cssSelector("p.errors")).getText();
        assertThat(refusal).startsWith("Wrong password.");
        browser.screenshot("02-login-refused");
        // The console refuses any try from this address for as long as it said (1 s after one failure).
        var wait = TRY_AGAIN.matcher(refusal);
        assertThat(wait.find()).as(refusal).isTrue();
        Thread.sleep(Duration.ofSeconds(Long.parseLong(wait.group(1))));

        logIn(driver, PASSWORD);
        assertThat(heading(driver)).isEqualTo("Overview");
        assertThat(driver.findElement(By.tagName("header")).getText()).contains("Ferry browser-a");
        browser.screenshot("03-overview");

        driver.findElement(By.linkText("Cluster")).click();
        assertThat(heading(driver)).isEqualTo("Cluster");
        assertThat(row(driver, "browser-a (this one)").getText()).contains("127.0.0.2");
        assertThat(row(driver, "browser-b").getText()).contains("127.0.0.3");
        browser.screenshot("04-cluster-a");
    }

    /** Adds a route and the throttle on the console open now (A's); the throttle's settings version. */
    private long addThrottle(HeadlessChromium browser, SmtpSink sink) throws Exception {
        var driver = browser.driver();
        // A route first, so that a message to browser.example reaches the sink and the results page has something to show.
        driver.findElement(By.linkText("Settings")).click();
        var route = driver.findElement(By.cssSelector("form[action='/settings/routes']"));
        route.findElement(By.name("domain")).sendKeys("browser.example");
        new Select(route.findElement(By.name("kind"))).selectByVisibleText("smarthost");
        route.findElement(By.name("host")).sendKeys("127.0.0.1");
        route.findElement(By.name("port")).sendKeys(Integer.toString(sink.port()));
        route.findElement(By.tagName("button")).click();
        assertThat(awaitAllRunIt(driver)).startsWith("Saved as version ");

        driver.findElement(By.linkText("Settings")).click();
        var throttle = driver.findElement(By.cssSelector("form[action='/settings/throttles']"));
        throttle.findElement(By.name("domain")).sendKeys("browser.example");
        throttle.findElement(By.name("maxConnections")).sendKeys("3");
        throttle.findElement(By.tagName("button")).click();
        var saved = SAVED.matcher(awaitAllRunIt(driver));
        assertThat(saved.find()).as(driver.getCurrentUrl()).isTrue();
        long version = Long.parseLong(saved.group(1));
        assertThat(driver.getCurrentUrl()).endsWith("/settings?saved=" + version);
        assertThat(cells(driver, "h2#throttles + .scroll tr")).contains(List.of("", "browser.example", "3", "", "", "", "", "Edit Delete"));
        browser.screenshot("05-settings-saved");
        return version;
    }

    /** Sends a message to browser.example and an invalid one through A; A's results page lists both. */
    private void seeResults(HeadlessChromium browser, TestCluster cluster, TestCluster.Instance a, SmtpSink sink) throws Exception {
        var driver = browser.driver();
        cluster.publish(a, List.of(TestCluster.message("ann@browser.example", "from the browser test", "127.0.0.2"),
                Map.of("envelope", "sender@ferry.test", "mime", "Subject: no recipient\r\n\r\nhello\r\n")));
        sink.awaitMessages(1, Duration.ofSeconds(20));
        driver.findElement(By.linkText("Results")).click();
        await().atMost(PAGE_WAIT).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            driver.navigate().refresh();
            var rows = cells(driver, "main table tr");
            return rows.stream().anyMatch(row -> row.subList(1, 4).equals(List.of("delivered", "ann@browser.example", "127.0.0.2")))
                    && rows.stream().anyMatch(row -> row.get(1).equals("invalid"));
        });
        browser.screenshot("06-results");
    }

    /** Opens B's console (its own login: cookies are per server id) and finds B on the new version, not lagging. */
    private void seeItRunOnB(HeadlessChromium browser, TestCluster.Instance a, TestCluster.Instance b, long version) throws Exception {
        var driver = browser.driver();
        driver.get(console(b) + "/cluster");
        assertThat(heading(driver)).isEqualTo("Log in");
        logIn(driver, PASSWORD);
        assertThat(driver.getCurrentUrl()).endsWith("/cluster");
        assertThat(driver.findElement(By.tagName("header")).getText()).contains("Ferry browser-b");

        var self = row(driver, "browser-b (this one)").findElements(By.tagName("td"));
        var settingsVersion = self.get(4);
        assertThat(settingsVersion.getText()).isEqualTo(Long.toString(version));
        assertThat(settingsVersion.getDomAttribute("class")).as("B's settings version is not marked as lagging").isNullOrEmpty();
        assertThat(self.get(2).getText()).isEqualTo("127.0.0.3");
        browser.screenshot("07-cluster-b");

        driver.findElement(By.linkText("Settings")).click();
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("Version " + version + ".");
        assertThat(cells(driver, "h2#throttles + .scroll tr")).contains(List.of("", "browser.example", "3", "", "", "", "", "Edit Delete"));
        browser.screenshot("08-settings-b");

        // A's session on its own console is still there: the two cookies do not overwrite each other.
        driver.get(console(a) + "/cluster");
        assertThat(heading(driver)).isEqualTo("Cluster");
    }

    private static void logIn(WebDriver driver, String password) {
        var form = driver.findElement(By.cssSelector("form[action='/login']"));
        form.findElement(By.name("password")).sendKeys(password);
        form.findElement(By.tagName("button")).click();
        // A click does not wait for the answer: wait until the browser has left the form's page.
        await().atMost(PAGE_WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            try {
                form.isEnabled();
                return false;
            } catch (org.openqa.selenium.StaleElementReferenceException gone) {
                return true;
            }
        });
    }

    /**
     * Waits on the note the settings page shows after a save, refreshing itself while an instance
     * lags, until both instances run the saved version; the note's text.
     */
    private static String awaitAllRunIt(WebDriver driver) {
        return await().atMost(PAGE_WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> driver.findElement(By.cssSelector(".note p")).getText(), text -> text.contains("All 2 instances run it."));
    }

    private static String heading(WebDriver driver) {
        return driver.findElement(By.tagName("h1")).getText();
    }

    /** The cells' texts of each row (but a heading row) that {@code selector} finds. */
    private static List<List<String>> cells(WebDriver driver, String selector) {
        return driver.findElements(By.cssSelector(selector)).stream()
                .map(row -> row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
                .filter(row -> !row.isEmpty()).toList();
    }

    /** The row of the cluster table whose first cell is {@code server}. */
    private static WebElement row(WebDriver driver, String server) {
        return driver.findElements(By.cssSelector("main table tr")).stream()
                .filter(row -> !row.findElements(By.tagName("td")).isEmpty()
                        && row.findElements(By.tagName("td")).getFirst().getText().equals(server))
                .findFirst().orElseThrow(() -> new AssertionError("no row for " + server + " in:\n"
                        + driver.findElement(By.tagName("main")).getText()));
    }

    private static String console(TestCluster.Instance instance) {
        return "http://127.0.0.1:" + instance.consolePort();
    }
}
