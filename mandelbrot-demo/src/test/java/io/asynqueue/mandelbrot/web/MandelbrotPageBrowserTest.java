package io.asynqueue.mandelbrot.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.asynqueue.mandelbrot.QueueRowSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.WheelInput;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real headless Chromium: it loads and shows the image; a click zooms in 5x on the click, the wheel
 * zooms about the pointer, a drag pans, a shift-drag zooms to its box, keys zoom, pan and reset; Back and Forward go
 * through the views; the iterations field changes the image; a failed image's error goes with the next good one; a
 * 1200x900 window shows the default set whole. The view is read from the page (the image's {@code data-}
 * attributes, the fields, the URL), waiting on conditions.
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

  /** A smaller iteration budget than the default's, for quicker images where the budget does not matter. */
  private static final String QUICK = "?values=250";

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
    View before = open();
    assertThat(value("cr")).isCloseTo(-0.63, within(1e-9));
    assertThat(value("crpm")).isCloseTo(1.4, within(1e-9));
    assertThat(value("values")).isEqualTo(2000);
    assertThat(driver.findElement(By.id("scale")).getText()).isEqualTo("scale 1.00:1");
    screenshot("mcm-serve.png");

    // A quarter of the way in from the top-left corner (Selenium's offsets are from the centre).
    int dx = -before.w() / 4;
    int dy = -before.h() / 4;
    double[] at = framePoint(dx, dy);
    new Actions(driver).moveToElement(frame(), dx, dy).click().perform();
    View after = waitForImageOtherThan(before.src());

    assertThat(value("crpm")).isCloseTo(1.4 / 5, within(1e-12));
    assertThat(after.crpm()).isCloseTo(before.crpm() / 5, within(before.crpm() * 1e-5));
    assertThat(after.cr()).isCloseTo(before.re(at[0]), within(2 * before.pitchX()));
    assertThat(after.ci()).isCloseTo(before.im(at[1]), within(2 * before.pitchY()));
    assertThat(driver.findElement(By.id("scale")).getText()).isEqualTo("scale 5.00:1");
    assertThat(driver.getCurrentUrl()).contains("crpm=" + value("crpm"));
    assertThat(driver.findElement(By.id("hd")).getAttribute("href")).contains("N=2048");
    screenshot("mcm-serve-zoomed.png");

    // The server rendered both images, whole, on the queue.
    assertThat(server.stats().getJsonObject("renders").getLong("served")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void wheelZoomsAboutThePointer() {
    View before = open(QUICK);
    int dx = -before.w() / 5;
    int dy = before.h() / 6;
    double[] at = framePoint(dx, dy);
    new Actions(driver).scrollFromOrigin(WheelInput.ScrollOrigin.fromElement(frame(), dx, dy), 0, -300).perform();
    View after = waitForImageOtherThan(before.src());

    assertThat(after.crpm()).isLessThan(before.crpm() * 0.9);
    // the complex point under the pointer is where it was, within a pixel
    assertThat(after.re(at[0])).isCloseTo(before.re(at[0]), within(before.pitchX()));
    assertThat(after.im(at[1])).isCloseTo(before.im(at[1]), within(before.pitchY()));
    assertThat(driver.getCurrentUrl()).contains("crpm=" + value("crpm"));
  }

  @Test
  void dragPans() {
    View before = open(QUICK);
    new Actions(driver).moveToElement(frame(), -100, -50).clickAndHold().moveByOffset(150, 80).release().perform();
    View after = waitForImageOtherThan(before.src());

    // the view moved with the pointer: the centre by the drag's distance, in complex units
    assertThat(after.crpm()).isEqualTo(before.crpm());
    assertThat(after.cr()).isCloseTo(before.cr() - 150 * before.pitchX(), within(before.pitchX()));
    assertThat(after.ci()).isCloseTo(before.ci() + 80 * before.pitchY(), within(before.pitchY()));
    assertThat(value("cr")).isEqualTo(after.cr());
    assertThat(value("ci")).isEqualTo(after.ci());
  }

  @Test
  void shiftDragZoomsToTheBox() {
    View before = open(QUICK);
    double[] from = framePoint(-120, -60);
    double[] to = framePoint(80, 40);
    new Actions(driver).moveToElement(frame(), -120, -60).keyDown(Keys.SHIFT).clickAndHold().moveByOffset(200, 100)
        .release().keyUp(Keys.SHIFT).perform();
    View after = waitForImageOtherThan(before.src());

    double halfWidth = 100 * before.pitchX();
    double halfHeight = 50 * before.pitchY();
    assertThat(after.cr()).isCloseTo(before.re((from[0] + to[0]) / 2), within(1.5 * before.pitchX()));
    assertThat(after.ci()).isCloseTo(before.im((from[1] + to[1]) / 2), within(1.5 * before.pitchY()));
    // the box shows whole, and no more is asked for than the default view's shape around it
    assertThat(after.crpm()).isGreaterThanOrEqualTo(halfWidth * 0.999);
    assertThat(after.cipm()).isGreaterThanOrEqualTo(halfHeight * 0.999);
    assertThat(value("crpm")).isCloseTo(Math.max(halfWidth, halfHeight * 1.4 / 1.2), withinPercentage(0.1));
  }

  @Test
  void keysZoomPanAndResetButNotInTheFields() {
    View start = open(QUICK);
    View in = press("+", start);
    assertThat(value("crpm")).isCloseTo(0.7, within(1e-12));
    assertThat(in.cr()).isEqualTo(start.cr());
    assertThat(in.ci()).isEqualTo(start.ci());

    View out = press("-", in);
    assertThat(value("crpm")).isCloseTo(1.4, within(1e-12));
    View right = press(Keys.ARROW_RIGHT, out);
    assertThat(right.cr()).isCloseTo(out.cr() + out.crpm() / 2, within(out.pitchX()));
    assertThat(right.ci()).isEqualTo(out.ci());
    View up = press(Keys.ARROW_UP, right);
    assertThat(up.ci()).isCloseTo(right.ci() + right.cipm() / 2, within(right.pitchY()));
    press("0", up);
    // the default view, its iteration budget included
    assertThat(driver.getCurrentUrl()).endsWith("/?cr=-0.63&ci=0&crpm=1.4&values=2000");
    assertThat(value("cr")).isCloseTo(-0.63, within(1e-12));

    // Typed into a field, a key is the field's. The page handles keys as they are dispatched, so had it taken this
    // one, the URL would have changed by the time sendKeys returns.
    String url = driver.getCurrentUrl();
    driver.findElement(By.id("crpm")).sendKeys("-");
    driver.findElement(By.id("values")).sendKeys("+" + Keys.ARROW_LEFT);
    assertThat(driver.getCurrentUrl()).isEqualTo(url);
    assertThat(driver.findElement(By.id("frame")).getAttribute("data-state")).isEqualTo("loaded");
    assertThat(driver.findElement(By.id("crpm")).getAttribute("value")).isEqualTo("1.4-");
  }

  @Test
  void backAndForwardGoThroughTheViews() {
    View start = open(QUICK);
    String startUrl = driver.getCurrentUrl();
    new Actions(driver).moveToElement(frame(), 60, -40).click().perform();
    View zoomed = waitForImageOtherThan(start.src());
    String zoomedUrl = driver.getCurrentUrl();
    View panned = press(Keys.ARROW_LEFT, zoomed);
    assertThat(driver.getCurrentUrl()).isNotEqualTo(zoomedUrl);

    driver.navigate().back();
    View back = waitForImageOtherThan(panned.src());
    assertThat(driver.getCurrentUrl()).isEqualTo(zoomedUrl);
    assertThat(back.src()).isEqualTo(zoomed.src());
    assertThat(value("cr")).isEqualTo(zoomed.cr());
    assertThat(value("crpm")).isCloseTo(0.28, within(1e-12));

    driver.navigate().back();
    View first = waitForImageOtherThan(zoomed.src());
    assertThat(driver.getCurrentUrl()).isEqualTo(startUrl);
    assertThat(first.src()).isEqualTo(start.src());
    assertThat(value("crpm")).isCloseTo(1.4, within(1e-12));

    driver.navigate().forward();
    View again = waitForImageOtherThan(start.src());
    assertThat(driver.getCurrentUrl()).isEqualTo(zoomedUrl);
    assertThat(again.src()).isEqualTo(zoomed.src());
    assertThat(value("ci")).isEqualTo(zoomed.ci());
  }

  @Test
  void theIterationsFieldChangesTheImage() {
    View start = open(QUICK);
    assertThat(start.src()).contains("values=250");
    setField("values", "500");
    driver.findElement(By.id("reload")).click();
    View after = waitForImageOtherThan(start.src());

    assertThat(after.values()).isEqualTo(500);
    assertThat(after.src()).contains("values=500");
    assertThat(driver.getCurrentUrl()).contains("values=500");
    assertThat(driver.findElement(By.id("permalink")).getAttribute("href")).contains("values=500");
    assertThat(after.cr()).isEqualTo(start.cr());
    assertThat(after.crpm()).isEqualTo(start.crpm());
  }

  @Test
  void anErrorIsClearedByTheNextGoodImage() {
    View start = open(QUICK);
    // Above the server's limit (100000) the field is clamped to it; at this size that is more work than the
    // server takes, so it answers 400 and the image fails.
    assertThat((long) start.w() * start.h() * 100_000).isGreaterThan(ServerLimits.DEFAULT_MAX_WORK);
    setField("values", "1000000");
    driver.findElement(By.id("reload")).click();
    WebElement error = driver.findElement(By.id("error"));
    until(d -> "failed".equals(frame().getAttribute("data-state")));
    assertThat(value("values")).isEqualTo(100_000);
    assertThat(driver.getCurrentUrl()).contains("values=100000");
    assertThat(error.isDisplayed()).isTrue();
    assertThat(error.getText()).isEqualTo("the image failed");

    setField("values", "300");
    driver.findElement(By.id("reload")).click();
    View after = waitForImageOtherThan(start.src());
    assertThat(after.values()).isEqualTo(300);
    assertThat(error.isDisplayed()).isFalse();
    assertThat(error.getText()).isEmpty();
    assertThat(driver.findElement(By.id("loading")).isDisplayed()).isFalse();
  }

  /** The queue on screen: the panel shows the server's queue from {@code /events}, and follows it as it works. */
  @Test
  void theQueuePanelShowsTheServersQueueLive() {
    View before = open();
    WebElement panel = driver.findElement(By.id("queue"));
    until(d -> panel.isDisplayed() && rowsDone(panel) > 0);
    assertThat(panel.getText()).contains("queue: 2 workers (threads)").contains("done");
    long done = rowsDone(panel);
    driver.findElement(By.id("zoom-out")).click();
    waitForImageOtherThan(before.src());
    // a new image's rows, done on the queue, reach the panel by the event stream: no reload of the page
    until(d -> rowsDone(panel) >= done + before.h());
    assertThat(panel.getText()).contains("served");
  }

  private static long rowsDone(WebElement panel) {
    String done = panel.getAttribute("data-rows-done");
    return done == null ? -1 : Long.parseLong(done);
  }

  @Test
  void a1200x900WindowShowsTheDefaultSetWhole() {
    Dimension size = driver.manage().window().getSize();
    driver.manage().window().setSize(new Dimension(1200, 900));
    try {
      View view = open();
      // what the image shows covers the default view's half-spans, 1.4 by 1.2 (to a millionth of a pixel)
      assertThat(param(view.src(), "crpm")).isGreaterThanOrEqualTo(1.4 - 1e-6 * view.pitchX());
      assertThat(param(view.src(), "cipm")).isGreaterThanOrEqualTo(1.2 - 1e-6 * view.pitchY());
      assertThat(param(view.src(), "cr")).isEqualTo(-0.63);
      assertThat(param(view.src(), "ci")).isEqualTo(0.0);
      // and all of the image is in the window, at one image pixel per CSS pixel
      @SuppressWarnings("unchecked")
      List<Number> box = (List<Number>) js().executeScript("var r = document.getElementById('view')"
          + ".getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, window.innerWidth,"
          + " window.innerHeight];");
      assertThat(box.get(0).doubleValue()).isGreaterThanOrEqualTo(0);
      assertThat(box.get(1).doubleValue()).isGreaterThanOrEqualTo(0);
      assertThat(box.get(2).doubleValue()).isLessThanOrEqualTo(box.get(4).doubleValue());
      assertThat(box.get(3).doubleValue()).isLessThanOrEqualTo(box.get(5).doubleValue());
      assertThat(box.get(2).doubleValue() - box.get(0).doubleValue()).isCloseTo(view.w(), within(0.01));
      assertThat(box.get(3).doubleValue() - box.get(1).doubleValue()).isCloseTo(view.h(), within(0.01));
      assertThat(view.w()).isGreaterThanOrEqualTo(1000);
    } finally {
      driver.manage().window().setSize(size);
    }
  }

  /** The view an image shows: what the page asked the server for, and the image's size. */
  private record View(double cr, double ci, double crpm, double cipm, int values, int w, int h, String src) {

    /** The distance between two columns' centres. */
    double pitchX() {
      return 2 * crpm / (w - 1);
    }

    /** The distance between two rows' centres. */
    double pitchY() {
      return 2 * cipm / (h - 1);
    }

    /** The real part at x pixels from the image's left edge. */
    double re(double x) {
      return cr + (x - w / 2.0) * pitchX();
    }

    /** The imaginary part at y pixels from the image's top edge. */
    double im(double y) {
      return ci - (y - h / 2.0) * pitchY();
    }
  }

  /** Opens the page afresh at the default view and waits for its image. */
  private View open() {
    return open("");
  }

  /** Opens the page afresh at a permalink's query and waits for its image. */
  private View open(String query) {
    driver.get("http://127.0.0.1:" + server.port() + "/" + query);
    return waitForImageOtherThan(null);
  }

  /** Presses a key on the page (not in a field) and waits for the image of the view it leads to. */
  private View press(CharSequence key, View before) {
    new Actions(driver).sendKeys(key).perform();
    return waitForImageOtherThan(before.src());
  }

  /** Waits until the page shows an image other than the one of this source, loaded whole and decoded. */
  private View waitForImageOtherThan(String src) {
    until(d -> (Boolean) js().executeScript("var i = document.getElementById('view');"
        + " return !!i && document.getElementById('frame').dataset.state === 'loaded'"
        + " && i.dataset.loaded === 'true' && i.complete && i.naturalWidth > 0"
        + " && i.getAttribute('src') !== arguments[0];", src));
    @SuppressWarnings("unchecked")
    Map<String, Object> v = (Map<String, Object>) js().executeScript("var i = document.getElementById('view');"
        + " return {cr: i.dataset.cr, ci: i.dataset.ci, crpm: i.dataset.crpm, cipm: i.dataset.cipm,"
        + " values: i.dataset.values, w: i.naturalWidth, h: i.naturalHeight, src: i.getAttribute('src')};");
    return new View(Double.parseDouble((String) v.get("cr")), Double.parseDouble((String) v.get("ci")),
        Double.parseDouble((String) v.get("crpm")), Double.parseDouble((String) v.get("cipm")),
        Integer.parseInt((String) v.get("values")), ((Number) v.get("w")).intValue(),
        ((Number) v.get("h")).intValue(), (String) v.get("src"));
  }

  private void until(java.util.function.Function<org.openqa.selenium.WebDriver, Boolean> condition) {
    new WebDriverWait(driver, Duration.ofSeconds(60)).until(condition);
  }

  /**
   * Where the pointer lands, in pixels from the frame's (and so the image's) top-left corner, when Selenium moves
   * it by an offset from the frame: WebDriver's offsets are from the element's in-view centre point, whose
   * coordinates are floored.
   */
  private double[] framePoint(int dx, int dy) {
    @SuppressWarnings("unchecked")
    List<Number> r = (List<Number>) js().executeScript("var r = document.getElementById('frame')"
        + ".getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, window.innerWidth,"
        + " window.innerHeight];");
    double left = r.get(0).doubleValue();
    double top = r.get(1).doubleValue();
    double x = Math.floor((Math.max(0, left) + Math.min(r.get(4).doubleValue(), r.get(2).doubleValue())) / 2);
    double y = Math.floor((Math.max(0, top) + Math.min(r.get(5).doubleValue(), r.get(3).doubleValue())) / 2);
    return new double[] {x + dx - left, y + dy - top};
  }

  private WebElement frame() {
    return driver.findElement(By.id("frame"));
  }

  private JavascriptExecutor js() {
    return driver;
  }

  private double value(String field) {
    return Double.parseDouble(driver.findElement(By.id(field)).getAttribute("value"));
  }

  private void setField(String field, String text) {
    WebElement input = driver.findElement(By.id(field));
    input.clear();
    input.sendKeys(text);
  }

  /** A number in a URL's query. */
  private static double param(String url, String name) {
    for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
      if (pair.startsWith(name + "=")) {
        return Double.parseDouble(pair.substring(name.length() + 1));
      }
    }
    throw new AssertionError("no " + name + " in " + url);
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
