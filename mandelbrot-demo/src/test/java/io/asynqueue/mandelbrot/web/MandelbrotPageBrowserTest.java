package io.asynqueue.mandelbrot.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.asynqueue.mandelbrot.QueueRowSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
 * The page in a real headless Chromium: it loads and shows the view as tiles; a click zooms in 5x on the click, the
 * wheel zooms about the pointer, a drag pans, a shift-drag zooms to its box, keys zoom, pan and reset; Back and
 * Forward go through the views, Back's tiles from the cache; a pan that leaves the view cancels its tiles on the
 * server's queue; the iterations field changes the view; a failed tile's error goes with the next good view; a
 * 1200x900 window shows the default set whole, each tile where its region is; two browsers at once share the
 * workers. The view is read from the page (the frame's {@code data-} attributes, the tiles', the fields, the URL),
 * waiting on conditions.
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

  /** A smaller iteration budget than the default's, for quicker views where the budget does not matter. */
  private static final String QUICK = "?values=250";
  /** The most work of an image or tile on this test's server: a tile at 50,000 iterations, not one at 100,000. */
  private static final long MAX_WORK = 256L * 256 * 50_000;
  /**
   * A view all of whose tiles are slow (near the boundary in the seahorse valley, at a high budget): about 20 tiles
   * of 0.1 to 0.4 s each on two workers.
   */
  private static final String SLOW = "?cr=-0.745&ci=0.11&crpm=0.02&values=40000";

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
    ServerLimits d = ServerLimits.defaults();
    ServerLimits limits = new ServerLimits(d.maxRenders(), d.maxRendersPerClient(), MAX_WORK, d.maxConnections(),
        d.idleTimeout(), d.h2c());
    server = await(MandelbrotServer.start(vertx, source, "threads", "127.0.0.1", 0, limits, null));
    driver = browser(profile);
  }

  /** A headless Chromium of its own profile, its window 1000x800. */
  private static ChromeDriver browser(Path profile) {
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
    return new ChromeDriver(service, options);
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
    View after = waitForViewOtherThan(before.key());

    assertThat(value("crpm")).isCloseTo(1.4 / 5, within(1e-12));
    assertThat(after.crpm()).isCloseTo(before.crpm() / 5, within(before.crpm() * 1e-5));
    assertThat(after.cr()).isCloseTo(before.re(at[0]), within(2 * before.pitchX()));
    assertThat(after.ci()).isCloseTo(before.im(at[1]), within(2 * before.pitchY()));
    assertThat(driver.findElement(By.id("scale")).getText()).isEqualTo("scale 5.00:1");
    assertThat(driver.getCurrentUrl()).contains("crpm=" + value("crpm"));
    assertThat(driver.findElement(By.id("hd")).getAttribute("href")).contains("N=2048");
    screenshot("mcm-serve-zoomed.png");

    // The server rendered the tiles on the queue, each tile at the budget of the view.
    assertThat(server.stats().getJsonObject("tiles").getLong("served")).isGreaterThanOrEqualTo(after.tiles());
    assertThat(tiles(true)).allSatisfy(t -> assertThat(t.values()).isEqualTo(2000));
  }

  @Test
  void wheelZoomsAboutThePointer() {
    View before = open(QUICK);
    int dx = -before.w() / 5;
    int dy = before.h() / 6;
    double[] at = framePoint(dx, dy);
    new Actions(driver).scrollFromOrigin(WheelInput.ScrollOrigin.fromElement(frame(), dx, dy), 0, -300).perform();
    View after = waitForViewOtherThan(before.key());

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
    View after = waitForViewOtherThan(before.key());

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
    View after = waitForViewOtherThan(before.key());

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
  void backAndForwardGoThroughTheViewsBackFromTheCache() {
    View start = open(QUICK);
    String startUrl = driver.getCurrentUrl();
    new Actions(driver).moveToElement(frame(), 60, -40).click().perform();
    View zoomed = waitForViewOtherThan(start.key());
    String zoomedUrl = driver.getCurrentUrl();
    View panned = press(Keys.ARROW_LEFT, zoomed);
    assertThat(driver.getCurrentUrl()).isNotEqualTo(zoomedUrl);

    driver.navigate().back();
    View back = waitForViewOtherThan(panned.key());
    assertThat(driver.getCurrentUrl()).isEqualTo(zoomedUrl);
    assertThat(back.key()).isEqualTo(zoomed.key());
    assertThat(value("cr")).isEqualTo(zoomed.cr());
    assertThat(value("crpm")).isCloseTo(0.28, within(1e-12));
    // Back draws from the tiles the page kept: none asked for again
    assertThat(tiles(true)).isNotEmpty().allSatisfy(t -> assertThat(t.from()).isEqualTo("page"));

    driver.navigate().back();
    View first = waitForViewOtherThan(zoomed.key());
    assertThat(driver.getCurrentUrl()).isEqualTo(startUrl);
    assertThat(first.key()).isEqualTo(start.key());
    assertThat(value("crpm")).isCloseTo(1.4, within(1e-12));
    assertThat(tiles(true)).isNotEmpty().allSatisfy(t -> assertThat(t.from()).isEqualTo("page"));

    driver.navigate().forward();
    View again = waitForViewOtherThan(start.key());
    assertThat(driver.getCurrentUrl()).isEqualTo(zoomedUrl);
    assertThat(again.key()).isEqualTo(zoomed.key());
    assertThat(value("ci")).isEqualTo(zoomed.ci());
  }

  /**
   * A page opened afresh has no tiles of its own: every tile it shows or prefetches comes from the server's cache
   * (or the browser's), none rendered again.
   */
  @Test
  void aFreshPageGetsTheServersCachedTiles() {
    String view = "?cr=-0.1&ci=0.8&crpm=0.3&values=300";
    View first = open(view);
    until(d -> "0".equals(attribute("fetching"))); // its prefetch too
    long started = tileStats().getLong("started");
    View again = open(view);
    until(d -> "0".equals(attribute("fetching")));
    assertThat(again.key()).isEqualTo(first.key());
    assertThat(tiles(false)).hasSizeGreaterThan(tiles(true).size())
        .allSatisfy(t -> assertThat(t.from()).isIn("hit", "browser"));
    assertThat(tileStats().getLong("started")).isEqualTo(started);
  }

  /**
   * A slow view shows a coarse preview first, and counts its tiles as they come; a pan that leaves it cancels its
   * tiles: their fetches are aborted and their rows leave the server's queue.
   */
  @Test
  void aCoarsePreviewFirstAndAPanThatLeavesTheViewCancelsItsTilesOnTheQueue() {
    JsonObject before = tileStats();
    driver.get("http://127.0.0.1:" + server.port() + "/" + SLOW);
    // the slow view's tiles are on the server's queue, their rows waiting
    until(d -> "loading".equals(attribute("state")) && tileStats().getLong("active") >= 2
        && server.stats().getLong("queued") > 0);
    String slowKey = attribute("view");
    int z = Integer.parseInt(attribute("z"));
    // Its coarse preview, the tiles two levels up (fetched first), shows under the tiles to come, and the status
    // line counts them as they come (the page read at one moment).
    String[] seen = new String[1];
    until(d -> {
      seen[0] = (String) js().executeScript("var f = document.getElementById('frame');"
          + " var coarse = f.querySelectorAll('img.tile[data-z=\"' + (Number(f.dataset.z) - 2) + '\"]').length;"
          + " return f.dataset.state + '|' + coarse + '|' + document.getElementById('loading').textContent;");
      return seen[0].startsWith("loaded") || !seen[0].contains("|0|");
    });
    assertThat(seen[0]).matches("loading\\|[1-9][0-9]*\\|rendering\u2026 \\d+ of \\d+ tiles.*");
    // a drag across the frame: nearly all of the slow view has left it
    int w = frame().getRect().getWidth();
    new Actions(driver).moveToElement(frame(), w / 2 - 20, 0).clickAndHold().moveByOffset(-(w - 40), 0).release()
        .perform();
    until(d -> !slowKey.equals(attribute("view")));
    until(d -> tileStats().getLong("cancelled") > before.getLong("cancelled")
        && tileStats().getLong("rowsCancelled") > before.getLong("rowsCancelled"));
    waitForViewOtherThan(slowKey);
    // once the new view and its prefetch are done, nothing of the old one is left on the queue
    until(d -> "0".equals(attribute("fetching")));
    until(d -> tileStats().getLong("active") == 0 && server.stats().getLong("queued") == 0);
  }

  /**
   * A page refused tiles (429: the server's tiles per address are taken) waits and asks again, fetching fewer at a
   * time, and its view loads whole: a server that takes 2 tiles at once from an address, and a page that asks for 5.
   */
  @Test
  void refusedTilesAreAskedForAgainAndTheViewLoads() throws Exception {
    ServerLimits d = ServerLimits.defaults();
    MandelbrotServer strict = await(MandelbrotServer.start(vertx, source, "threads", "127.0.0.1", 0,
        new ServerLimits(d.maxRenders(), d.maxRendersPerClient(), MAX_WORK, d.maxConnections(), d.idleTimeout(),
            d.h2c()).withMaxTilesPerClient(2), null));
    try {
      driver.get("http://127.0.0.1:" + strict.port() + "/" + SLOW.replace("values=40000", "values=3000"));
      waitForViewOtherThan(null);
      assertThat(strict.stats().getJsonObject("tiles").getLong("refused")).isPositive();
      assertThat(strict.stats().getJsonObject("tiles").getLong("failed")).isZero();
      assertThat(driver.findElement(By.id("error")).isDisplayed()).isFalse();
      assertThat(tiles(true)).hasSize(Integer.parseInt(attribute("tiles")));
    } finally {
      driver.get("about:blank"); // the page's fetches and event stream go before the server does
      await(strict.close());
    }
  }

  /**
   * At the deepest level the view's own tiles are drawn at any scale: a view far below a tile pixel (half-width
   * 1e-15: one tile pixel is hundreds of screen pixels) in a tall window still shows its tile across the frame.
   */
  @Test
  void theDeepestZoomStillShowsItsTile() {
    Dimension size = driver.manage().window().getSize();
    driver.manage().window().setSize(new Dimension(1600, 2000));
    try {
      View view = open("?cr=-0.749999999999784&ci=1e-13&crpm=1e-15&values=250");
      assertThat(view.z()).isEqualTo(TileHandler.MAX_LEVEL);
      // the element at the frame's centre and at its corners is a tile of the view's level
      for (double[] at : new double[][] {{0.5, 0.5}, {0.02, 0.02}, {0.98, 0.98}}) {
        Object z = js().executeScript("var f = document.getElementById('frame').getBoundingClientRect();"
            + " var e = document.elementFromPoint(f.left + arguments[0] * f.width, f.top + arguments[1] * f.height);"
            + " return e && e.classList.contains('tile') ? e.dataset.z : (e ? e.id || e.tagName : null);", at[0], at[1]);
        assertThat(z).as("at %s", java.util.Arrays.toString(at)).isEqualTo(String.valueOf(TileHandler.MAX_LEVEL));
      }
    } finally {
      driver.manage().window().setSize(size);
    }
  }

  @Test
  void theIterationsFieldChangesTheView() {
    View start = open(QUICK);
    assertThat(start.values()).isEqualTo(250);
    setField("values", "500");
    driver.findElement(By.id("reload")).click();
    View after = waitForViewOtherThan(start.key());

    assertThat(after.values()).isEqualTo(500);
    assertThat(tiles(true)).isNotEmpty().allSatisfy(t -> assertThat(t.values()).isEqualTo(500));
    assertThat(driver.getCurrentUrl()).contains("values=500");
    assertThat(driver.findElement(By.id("permalink")).getAttribute("href")).contains("values=500");
    assertThat(after.cr()).isEqualTo(start.cr());
    assertThat(after.crpm()).isEqualTo(start.crpm());
  }

  @Test
  void anErrorIsClearedByTheNextGoodView() {
    View start = open(QUICK);
    // Above the page's limit (100000) the field is clamped to it; a tile at that budget is more work than this
    // test's server takes, so it answers 400 and the tiles fail.
    setField("values", "1000000");
    driver.findElement(By.id("reload")).click();
    WebElement error = driver.findElement(By.id("error"));
    until(d -> "failed".equals(frame().getAttribute("data-state")));
    assertThat(value("values")).isEqualTo(100_000);
    assertThat(driver.getCurrentUrl()).contains("values=100000");
    assertThat(error.isDisplayed()).isTrue();
    assertThat(error.getText()).startsWith("a tile failed: a tile at values=100000 is more than this server's");

    setField("values", "300");
    driver.findElement(By.id("reload")).click();
    View after = waitForViewOtherThan(start.key());
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
    waitForViewOtherThan(before.key());
    // a new view's tiles, their rows done on the queue, reach the panel by the event stream: no reload of the page
    until(d -> rowsDone(panel) >= done + 256);
    assertThat(panel.getText()).contains("tiles").contains("served");
  }

  private static long rowsDone(WebElement panel) {
    String done = panel.getAttribute("data-rows-done");
    return done == null ? -1 : Long.parseLong(done);
  }

  @Test
  void a1200x900WindowShowsTheDefaultSetWholeEachTileWhereItsRegionIs() {
    Dimension size = driver.manage().window().getSize();
    driver.manage().window().setSize(new Dimension(1200, 900));
    try {
      View view = open();
      // the view covers the default view's half-spans, 1.4 by 1.2 (to a millionth of a pixel), at one pixel per
      // CSS pixel of a frame that is in the window
      assertThat(view.crpm()).isGreaterThanOrEqualTo(1.4 - 1e-6 * view.pitchX());
      assertThat(view.cipm()).isGreaterThanOrEqualTo(1.2 - 1e-6 * view.pitchY());
      assertThat(view.cr()).isEqualTo(-0.63);
      assertThat(view.ci()).isEqualTo(0.0);
      assertThat(view.w()).isGreaterThanOrEqualTo(1000);
      @SuppressWarnings("unchecked")
      List<Number> box = (List<Number>) js().executeScript("var r = document.getElementById('frame')"
          + ".getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, window.innerWidth,"
          + " window.innerHeight];");
      assertThat(box.get(0).doubleValue()).isGreaterThanOrEqualTo(0);
      assertThat(box.get(1).doubleValue()).isGreaterThanOrEqualTo(0);
      assertThat(box.get(2).doubleValue()).isLessThanOrEqualTo(box.get(4).doubleValue());
      assertThat(box.get(3).doubleValue()).isLessThanOrEqualTo(box.get(5).doubleValue());
      assertThat(box.get(2).doubleValue() - box.get(0).doubleValue()).isCloseTo(view.w(), within(1.0));
      assertThat(box.get(3).doubleValue() - box.get(1).doubleValue()).isCloseTo(view.h(), within(1.0));

      // Every tile is where its region is: its first pixel's centre (-2.5 + x S, 2 - y S) where the view puts
      // that point, its pixels S / 255 apart at the view's scale.
      List<Tile> shown = tiles(true);
      int z = view.z();
      double s = 4.0 / (1L << z);
      double k = s / 255 / view.pitchX();
      assertThat(k).isBetween(0.7, 1.42); // the level nearest the view's scale
      for (Tile t : shown) {
        assertThat(t.z()).isEqualTo(z);
        double x = (-2.5 + t.x() * s - view.cr()) / view.pitchX() + view.w() / 2.0;
        double y = (view.ci() - (2 - t.y() * s)) / view.pitchY() + view.h() / 2.0;
        assertThat(t.left()).as("tile %s left", t).isCloseTo(x - k / 2, within(0.5));
        assertThat(t.top()).as("tile %s top", t).isCloseTo(y - k / 2, within(0.5));
        assertThat(t.width()).as("tile %s width", t).isCloseTo(256 * k, within(0.5));
      }
      // and together they cover the frame where the grid is (-2.5..1.5 by -2..2), the default set whole inside it
      double gridLeft = (-2.5 - view.cr()) / view.pitchX() + view.w() / 2.0 - k / 2;
      double gridRight = (1.5 - view.cr()) / view.pitchX() + view.w() / 2.0 + k / 2;
      double gridTop = (view.ci() - 2) / view.pitchY() + view.h() / 2.0 - k / 2;
      double gridBottom = (view.ci() + 2) / view.pitchY() + view.h() / 2.0 + k / 2;
      assertThat(shown.stream().mapToDouble(Tile::left).min().orElseThrow()).as("%s in %s", shown, view)
          .isLessThanOrEqualTo(Math.max(0, gridLeft) + 0.5);
      assertThat(shown.stream().mapToDouble(Tile::top).min().orElseThrow())
          .isLessThanOrEqualTo(Math.max(0, gridTop) + 0.5);
      assertThat(shown.stream().mapToDouble(t -> t.left() + t.width()).max().orElseThrow())
          .isGreaterThanOrEqualTo(Math.min(view.w(), gridRight) - 0.5);
      assertThat(shown.stream().mapToDouble(t -> t.top() + t.width()).max().orElseThrow())
          .isGreaterThanOrEqualTo(Math.min(view.h(), gridBottom) - 0.5);
      long across = shown.stream().mapToLong(Tile::x).distinct().count();
      long down = shown.stream().mapToLong(Tile::y).distinct().count();
      assertThat(shown).hasSize((int) (across * down)).hasSize(view.tiles());
    } finally {
      driver.manage().window().setSize(size);
    }
  }

  /**
   * Two browsers at once share the workers: each page's tiles are their own series on the server's queue, so two
   * views of the same work asked for at the same moment take about as long as each other. Had one page's tiles
   * gone first, the other would take about twice as long as it.
   */
  @Test
  void twoBrowsersAtOnceShareTheWorkers(@TempDir Path profile) throws Exception {
    ChromeDriver other = browser(profile);
    try {
      open(QUICK);
      other.get("http://127.0.0.1:" + server.port() + "/" + QUICK);
      new WebDriverWait(other, Duration.ofSeconds(60)).until(d -> "loaded".equals(other.executeScript(
          "return document.getElementById('frame').dataset.state;")));
      // Both go to the same region at once, one iteration apart: the same work, and no tile shared between them
      // (budgets of their own: no tile of theirs is in the server's cache from another case).
      // Each page submits at the same instant of the machine's clock, whatever the time between the two calls.
      String go = "var f = document.getElementById('controls'); var v = new URLSearchParams(arguments[0]);"
          + " ['cr', 'ci', 'crpm', 'values'].forEach(function (k) { f.elements[k].value = v.get(k); });"
          + " setTimeout(function () { f.requestSubmit(); }, Math.max(0, arguments[1] - Date.now()));";
      long at = System.currentTimeMillis() + 1500;
      js().executeScript(go, SLOW.replace("values=40000", "values=40002"), at);
      other.executeScript(go, SLOW.replace("values=40000", "values=40003"), at);
      for (ChromeDriver browser : List.of(driver, other)) {
        new WebDriverWait(browser, Duration.ofSeconds(120)).until(d -> (Boolean) browser.executeScript(
            "var f = document.getElementById('frame');"
            + " return f.dataset.state === 'loaded' && f.dataset.values.indexOf('4000') === 0;"));
      }
      double[] a = renderTime(driver, 40002);
      double[] b = renderTime(other, 40003);
      // the same tiles in both
      assertThat(a[1]).isEqualTo(b[1]).isEqualTo(Double.parseDouble(attribute("tiles")));
      assertThat(Math.max(a[0], b[0]) / Math.min(a[0], b[0]))
          .as("the two views' times, %.0f and %.0f ms", a[0], b[0]).isLessThan(1.5);
    } finally {
      other.quit();
    }
  }

  /**
   * How long a page took for the view of this budget, from its first tile's request to its last on screen's
   * response (the Resource Timing of the page's fetches: the browser's own clock, not the test's polling), and
   * how many tiles are on screen (p 1 to 15: the coarse preview is p 0, prefetch p 18).
   */
  private static double[] renderTime(ChromeDriver browser, int values) {
    @SuppressWarnings("unchecked")
    List<Number> t = (List<Number>) browser.executeScript("var v = 'values=' + arguments[0] + '&';"
        + " var all = performance.getEntriesByType('resource')"
        + "   .filter(function (e) { return e.name.indexOf(v) > 0; });"
        + " var fine = all.filter(function (e) { var p = Number(/[?&]p=([0-9]+)/.exec(e.name)[1]);"
        + "   return p >= 1 && p <= 15; });"
        + " var start = Math.min.apply(null, all.map(function (e) { return e.startTime; }));"
        + " var end = Math.max.apply(null, fine.map(function (e) { return e.responseEnd; }));"
        + " return [end - start, fine.length];", values);
    return new double[] {t.get(0).doubleValue(), t.get(1).doubleValue()};
  }

  /**
   * The view the page shows: what it asked the server for, the level of its tiles, how many tiles it is, and its
   * key ({@code data-view}).
   */
  private record View(double cr, double ci, double crpm, double cipm, int values, int w, int h, int z, int tiles,
      String key) {

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

  /** A tile on the page: its place in the grid, budget, where it came from, and its box in the frame. */
  private record Tile(int z, long x, long y, int values, String from, double left, double top, double width) {
  }

  /** Opens the page afresh at the default view and waits for its tiles. */
  private View open() {
    return open("");
  }

  /** Opens the page afresh at a permalink's query and waits for its tiles. */
  private View open(String query) {
    driver.get("http://127.0.0.1:" + server.port() + "/" + query);
    return waitForViewOtherThan(null);
  }

  /** Presses a key on the page (not in a field) and waits for the tiles of the view it leads to. */
  private View press(CharSequence key, View before) {
    new Actions(driver).sendKeys(key).perform();
    return waitForViewOtherThan(before.key());
  }

  /** Waits until the page shows a view other than the one of this key, all its tiles there and decoded. */
  private View waitForViewOtherThan(String key) {
    until(d -> (Boolean) js().executeScript("var f = document.getElementById('frame');"
        + " return f.dataset.state === 'loaded' && !!f.dataset.view && f.dataset.view !== arguments[0];", key));
    @SuppressWarnings("unchecked")
    Map<String, Object> v = (Map<String, Object>) js().executeScript("var f = document.getElementById('frame');"
        + " return Object.assign({}, f.dataset);");
    return new View(Double.parseDouble((String) v.get("cr")), Double.parseDouble((String) v.get("ci")),
        Double.parseDouble((String) v.get("crpm")), Double.parseDouble((String) v.get("cipm")),
        Integer.parseInt((String) v.get("values")), Integer.parseInt((String) v.get("w")),
        Integer.parseInt((String) v.get("h")), Integer.parseInt((String) v.get("z")),
        Integer.parseInt((String) v.get("tiles")), (String) v.get("view"));
  }

  /** The tiles on the page; onScreen: only those of the view's level that overlap the frame. */
  private List<Tile> tiles(boolean onScreen) {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> list = (List<Map<String, Object>>) js().executeScript(
        "var f = document.getElementById('frame'), fr = f.getBoundingClientRect();"
        + " return Array.from(f.querySelectorAll('img.tile')).map(function (i) {"
        + "   var r = i.getBoundingClientRect();"
        + "   return {z: i.dataset.z, x: i.dataset.x, y: i.dataset.y, values: i.dataset.values,"
        + "     from: i.dataset.from, left: r.left - fr.left, top: r.top - fr.top, width: r.width,"
        + "     height: r.height, shown: getComputedStyle(i).display !== 'none'};"
        + " });");
    String z = attribute("z");
    List<Tile> tiles = new java.util.ArrayList<>();
    for (Map<String, Object> m : list) {
      Tile t = new Tile(Integer.parseInt((String) m.get("z")), Long.parseLong((String) m.get("x")),
          Long.parseLong((String) m.get("y")), Integer.parseInt((String) m.get("values")), (String) m.get("from"),
          ((Number) m.get("left")).doubleValue(), ((Number) m.get("top")).doubleValue(),
          ((Number) m.get("width")).doubleValue());
      double w = frame().getRect().getWidth();
      double h = frame().getRect().getHeight();
      boolean inFrame = Boolean.TRUE.equals(m.get("shown")) && t.left() < w && t.top() < h
          && t.left() + t.width() > 0 && t.top() + ((Number) m.get("height")).doubleValue() > 0;
      if (!onScreen || (inFrame && String.valueOf(t.z()).equals(z))) {
        tiles.add(t);
      }
    }
    return tiles;
  }

  private String attribute(String name) {
    return (String) js().executeScript("return document.getElementById('frame').dataset[arguments[0]];", name);
  }

  private JsonObject tileStats() {
    return server.stats().getJsonObject("tiles");
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
