package io.asynqueue.mandelbrot.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.asynqueue.mandelbrot.QueueRowSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real headless Chromium: it loads, shows the image, and a click zooms in 5x on the click.
 *
 * <p>Uses the system's {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (Debian's
 * {@code chromium} and {@code chromium-driver}); nothing is downloaded. Skipped when they are missing: a condition
 * on the class, so that the test is reported skipped (an assumption failing in {@code @BeforeAll} is reported as no
 * test run at all).
 */
@EnabledIf(value = "browserInstalled", disabledReason = "no browser: install Debian's chromium and chromium-driver"
    + " (/usr/bin/chromium, /usr/bin/chromedriver) to run the browser test")
final class MandelbrotPageBrowserTest {

  private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");

  private static Vertx vertx;
  private static QueueRowSource source;
  private static MandelbrotServer server;
  private static ChromeDriver driver;
  /** Held, so the level sticks: Selenium warns that it has no CDP for this chromium; the test uses none. */
  private static final java.util.logging.Logger SELENIUM = java.util.logging.Logger.getLogger("org.openqa.selenium");

  static boolean browserInstalled() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  @BeforeAll
  static void start(@TempDir Path profile) throws Exception {
    SELENIUM.setLevel(java.util.logging.Level.SEVERE);
    vertx = Vertx.vertx();
    source = QueueRowSource.threads(vertx, 2);
    server = await(MandelbrotServer.start(vertx, source, "threads", "127.0.0.1", 0));
    // The system's driver, named explicitly: Selenium Manager is never asked to find or fetch one.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // Headless, and nothing that reaches for the (closed) network: without these chromium stalls.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1000,800");
    driver = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (driver != null) {
        driver.quit();
      }
    } finally {
      if (vertx != null) {
        await(server.close().eventually(source::close));
        vertx.close(); // not awaited: its shutdown is no part of what this test checks
      }
    }
  }

  @Test
  void clickZoomsIn5xOnTheClickedPoint() throws Exception {
    driver.get("http://127.0.0.1:" + server.port() + "/");
    WebElement img = driver.findElement(By.id("view"));
    waitForImage(img);
    double cr = value("cr");
    double ci = value("ci");
    double crpm = value("crpm");
    assertThat(cr).isCloseTo(-0.63, within(1e-9));
    assertThat(crpm).isCloseTo(1.4, within(1e-9));
    assertThat(driver.findElement(By.id("scale")).getText()).isEqualTo("scale 1.00:1");
    screenshot("mcm-serve.png");

    String before = img.getAttribute("src");
    long width = img.getRect().getWidth();
    long height = img.getRect().getHeight();
    // A quarter of the way in from the top-left corner (Selenium's offsets are from the centre).
    new Actions(driver).moveToElement(img, (int) (-width / 4), (int) (-height / 4)).click().perform();
    waitForImage(img);

    assertThat(img.getAttribute("src")).isNotEqualTo(before);
    assertThat(value("crpm")).isCloseTo(crpm / 5, within(1e-12));
    double pixel = 2 * crpm / width;
    assertThat(value("cr")).isCloseTo(cr - crpm / 2, within(3 * pixel));
    double cipm = crpm * height / width;
    assertThat(value("ci")).isCloseTo(ci + cipm / 2, within(3 * pixel));
    assertThat(driver.findElement(By.id("scale")).getText()).isEqualTo("scale 5.00:1");
    assertThat(driver.getCurrentUrl()).contains("crpm=" + value("crpm"));
    assertThat(driver.findElement(By.id("hd")).getAttribute("href")).contains("N=2048");
    screenshot("mcm-serve-zoomed.png");

    // The server rendered both images, whole, on the queue.
    assertThat(server.stats().getJsonObject("renders").getLong("served")).isGreaterThanOrEqualTo(2);
  }

  /** Waits until the image's current source has loaded whole and decoded. */
  private void waitForImage(WebElement img) {
    new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> (Boolean) ((JavascriptExecutor) d)
        .executeScript("var i = arguments[0]; return i.dataset.loaded === 'true' && i.complete"
            + " && i.naturalWidth > 0;", img));
  }

  private double value(String field) {
    return Double.parseDouble(driver.findElement(By.id(field)).getAttribute("value"));
  }

  private void screenshot(String name) throws Exception {
    File shot = driver.getScreenshotAs(OutputType.FILE);
    Path target = Paths.get("target", name);
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
