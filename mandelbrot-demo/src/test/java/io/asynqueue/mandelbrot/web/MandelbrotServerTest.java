package io.asynqueue.mandelbrot.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.mandelbrot.CpuHog;
import io.asynqueue.mandelbrot.QueueRowSource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
final class MandelbrotServerTest {

  private static final int WORKERS = 2;

  private QueueRowSource source;
  private MandelbrotServer server;
  private WebClient client;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    source = QueueRowSource.threads(vertx, WORKERS);
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
    // room for the many renders at once of one client (127.0.0.1) below; MandelbrotServerLimitsTest tests the limits
    ServerLimits roomy = new ServerLimits(64, 64, Long.MAX_VALUE, 256, Duration.ofSeconds(30), false);
    MandelbrotServer.start(vertx, source, "threads", "127.0.0.1", 0, roomy, null)
        .onComplete(ctx.succeeding(s -> {
          server = s;
          client = WebClient.create(vertx,
              new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(s.port()));
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    server.close().eventually(source::close).onComplete(ctx.succeedingThenComplete());
  }

  private Future<HttpResponse<Buffer>> get(String uri) {
    return client.get(uri).send();
  }

  private static BufferedImage png(Buffer body) throws Exception {
    return ImageIO.read(new ByteArrayInputStream(body.getBytes()));
  }

  @Test
  void page_andItsAssets(VertxTestContext ctx) {
    Future.all(get("/"), get("/mcm.js"), get("/mcm.css")).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      HttpResponse<Buffer> page = all.resultAt(0);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.getHeader("Content-Type")).startsWith("text/html");
      assertThat(page.bodyAsString()).contains("<main id=\"frame\"", "mcm.js", "Zoom out", "Reload");
      HttpResponse<Buffer> js = all.resultAt(1);
      assertThat(js.statusCode()).isEqualTo(200);
      assertThat(js.getHeader("Content-Type")).contains("javascript");
      assertThat(js.bodyAsString()).contains("image.png?");
      HttpResponse<Buffer> css = all.resultAt(2);
      assertThat(css.statusCode()).isEqualTo(200);
      assertThat(css.getHeader("Content-Type")).startsWith("text/css");
      ctx.completeNow();
    })));
  }

  @Test
  void image_isAStreamedPngOfTheRequestedSize(VertxTestContext ctx) {
    get("/image.png?N=300&cr=-0.63&ci=0&crpm=1.4&cipm=1.2").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.getHeader("Content-Type")).isEqualTo("image/png");
      assertThat(r.getHeader("Transfer-Encoding")).isEqualTo("chunked");
      BufferedImage image = png(r.body());
      assertThat(image.getWidth()).isEqualTo(300);
      assertThat(image.getHeight()).isEqualTo(257); // floor(300 * 1.2 / 1.4)
      ctx.completeNow();
    })));
  }

  @Test
  void image_widthIsClampedAndCipmDefaultsToCrpm(VertxTestContext ctx) {
    get("/image.png?N=10&cr=-0.63&ci=0&crpm=1.4").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(200);
      BufferedImage image = png(r.body());
      assertThat(image.getWidth()).isEqualTo(MandelbrotServer.MIN_WIDTH);
      assertThat(image.getHeight()).isEqualTo(MandelbrotServer.MIN_WIDTH);
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "N=wide", "cr=abc", "ci=NaN", "crpm=0", "crpm=-1", "cipm=Infinity", "values=1", "values=1000000",
      "N=10000&crpm=1e-3&cipm=1"})
  void image_badParameters_are400WithAMessage(String query, Vertx vertx, VertxTestContext ctx) {
    get("/image.png?" + query).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).as(query).isEqualTo(400);
      assertThat(r.getHeader("Content-Type")).startsWith("text/plain");
      assertThat(r.bodyAsString()).as(query).isNotBlank().doesNotContain("Exception");
      ctx.completeNow();
    })));
  }

  /**
   * Issue 15: under load a 200 response now and then held only the PNG's 33-byte header. The pipe's end (a Future
   * completed on the encoding thread) ran the response's end on the context ahead of the last bytes the encoder
   * had posted there. Small renders, many at once, while busy loops keep every core busy, hit that window in a
   * few dozen renders; 480 of them found it every time before the fix.
   */
  @Test
  @Timeout(value = 5, timeUnit = TimeUnit.MINUTES)
  void manySmallRendersUnderLoad_eachBodyIsTheWholePng(Vertx vertx) throws Exception {
    String uri = "/image.png?N=240&values=50";
    byte[] expected = get(uri).await(60, TimeUnit.SECONDS).body().getBytes();
    assertThat(png(Buffer.buffer(expected)).getHeight()).isEqualTo(240);
    List<String> wrong = new ArrayList<>();
    try (CpuHog hog = new CpuHog()) {
      for (int round = 0; round < 60; round++) {
        List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          all.add(get(uri));
        }
        Future.join(all).await(120, TimeUnit.SECONDS);
        for (Future<HttpResponse<Buffer>> f : all) {
          Buffer body = f.result().body();
          if (f.result().statusCode() != 200 || body == null || !Arrays.equals(body.getBytes(), expected)) {
            wrong.add(f.result().statusCode() + ": " + (body == null ? 0 : body.length()) + " bytes");
          }
        }
      }
    }
    assertThat(wrong).as("responses that are not the whole PNG (of %d bytes)", expected.length).isEmpty();
  }

  @Test
  void stats_countsRendersAndWorkers(VertxTestContext ctx) {
    get("/image.png?N=240").compose(r -> get("/image.png?N=bad")).compose(r -> get("/stats"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(r.getHeader("Content-Type")).startsWith("application/json");
          JsonObject stats = r.bodyAsJsonObject();
          assertThat(stats.getString("workerKind")).isEqualTo("threads");
          assertThat(stats.getInteger("workerCount")).isEqualTo(WORKERS);
          assertThat(stats.getInteger("queued")).isZero();
          assertThat(stats.getInteger("running")).isZero();
          assertThat(stats.getLong("rowsDone")).isEqualTo(240);
          assertThat(stats.getJsonObject("workers").size()).isEqualTo(WORKERS);
          JsonObject renders = stats.getJsonObject("renders");
          assertThat(renders.getLong("served")).isEqualTo(1);
          assertThat(renders.getLong("rejected")).isEqualTo(1);
          assertThat(renders.getLong("active")).isZero();
          ctx.completeNow();
        })));
  }

  /** Polls (on timers, not by sleeping) until the condition holds; the test class's timeout bounds it. */
  static Future<Void> eventually(Vertx vertx, java.util.function.Supplier<Boolean> condition) {
    Promise<Void> p = Promise.promise();
    vertx.setPeriodic(20, id -> {
      if (condition.get()) {
        vertx.cancelTimer(id);
        p.tryComplete();
      }
    });
    return p.future();
  }

  /** Opens a big render, reads its first bytes, and calls {@code then} while it is still streaming. */
  private Future<HttpClientResponse> openBigRender(HttpClient http, String query) {
    return http.request(HttpMethod.GET, server.port(), "127.0.0.1", "/image.png?" + query)
        .compose(req -> req.send());
  }

  /**
   * The client goes away after {@code bytes} bytes: 1 is usually before the rows are piped (only the PNG
   * header has been sent), 70000 after the first compressed chunk, so while rows are being computed.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 70_000})
  void disconnect_cancelsTheRestOfTheRender(int bytes, Vertx vertx, VertxTestContext ctx) {
    int rows = 4000;
    HttpClient http = vertx.createHttpClient();
    openBigRender(http, "N=" + rows + "&crpm=1.4&cipm=1.4").onComplete(ctx.succeeding(resp -> {
      ctx.verify(() -> assertThat(resp.statusCode()).isEqualTo(200));
      long[] received = {0};
      resp.handler(chunk -> {
        received[0] += chunk.length();
        if (received[0] < bytes) {
          return;
        }
        resp.handler(null);
        resp.request().connection().close(); // the browser went away
        eventually(vertx, () -> {
          JsonObject s = server.stats();
          return s.getJsonObject("renders").getLong("cancelled") == 1
              && s.getInteger("queued") + s.getInteger("running") == 0;
        }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          long done = server.stats().getLong("rowsDone");
          assertThat(done).isLessThan(rows / 2);
          // After the disconnect, at most the window (5 rows per worker) runs on, for nobody. (Plus one
          // row per worker: the load's counts are read one after the other, not atomically.)
          int window = QueueRowSource.ROWS_PER_WORKER * WORKERS;
          JsonObject atDisconnect = server.stats().getJsonObject("lastDisconnect");
          if (!atDisconnect.isEmpty()) { // empty: gone before the rows were piped, so none ran
            assertThat(atDisconnect.getInteger("rowsInFlight")).isLessThanOrEqualTo(window + WORKERS);
            assertThat(done - atDisconnect.getLong("rowsDone")).isLessThanOrEqualTo(window + WORKERS);
          }
          assertThat(server.stats().getJsonObject("renders").getLong("served")).isZero();
          ctx.completeNow();
        })));
      });
    }));
  }

  /**
   * Issue 15: a client that hangs up left its render's queued rows to be computed for nobody (the window: 5 per
   * worker). Now they leave the queue at once: after many hit-and-run heavy requests, only the rows running at each
   * hang-up are computed.
   */
  @Test
  @Timeout(value = 3, timeUnit = TimeUnit.MINUTES)
  void hitAndRunRequests_leaveNothingQueued(Vertx vertx, VertxTestContext ctx) {
    int requests = 30;
    HttpClient http = vertx.createHttpClient();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < requests; i++) {
      // inside the set: every pixel takes all 100,000 iterations, a row a good fraction of a second
      chain = chain.compose(v -> openBigRender(http, "N=1000&cr=-0.2&ci=0&crpm=0.05&values=100000").compose(resp -> {
        Promise<Void> gone = Promise.promise();
        resp.handler(chunk -> {
          // the PNG's header has come; the rows are (about to be) queued: hang up
        });
        resp.request().connection().closeHandler(x -> gone.tryComplete());
        resp.request().connection().close();
        return gone.future();
      }));
    }
    chain.compose(v -> eventually(vertx, () -> server.stats().getJsonObject("renders").getLong("cancelled")
            == requests))
        .compose(v -> eventually(vertx, () -> server.stats().getInteger("queued") + server.stats().getInteger("running")
            == 0))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          // after the last hang-up reached the server, only the rows running then (one per worker) were computed;
          // without cancelling, the rows queued then (up to 10 a render) ran on too
          JsonObject stats = server.stats();
          long afterLastHangUp = stats.getLong("rowsDone") - stats.getJsonObject("lastDisconnect").getLong("rowsDone");
          assertThat(afterLastHangUp).isLessThanOrEqualTo(2 * WORKERS);
          assertThat(server.stats().getJsonObject("renders").getLong("served")).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  void aSmallRender_isNotStarvedByAHugeOne(Vertx vertx, VertxTestContext ctx) {
    HttpClient http = vertx.createHttpClient();
    openBigRender(http, "N=4000&crpm=1.4&cipm=1.4").onComplete(ctx.succeeding(huge -> {
      huge.pause();
      get("/image.png?N=240&crpm=1.4").onComplete(ctx.succeeding(small -> ctx.verify(() -> {
        assertThat(small.statusCode()).isEqualTo(200);
        assertThat(png(small.body()).getWidth()).isEqualTo(240);
        JsonObject renders = server.stats().getJsonObject("renders");
        assertThat(renders.getLong("served")).isEqualTo(1);
        assertThat(renders.getLong("active")).isEqualTo(1); // the huge one is still going
        huge.request().connection().close();
        ctx.completeNow();
      })));
    }));
  }
}
