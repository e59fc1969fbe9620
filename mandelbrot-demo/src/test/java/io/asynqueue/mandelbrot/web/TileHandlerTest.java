package io.asynqueue.mandelbrot.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.CallOptions;
import io.asynqueue.Task0;
import io.asynqueue.mandelbrot.QueueRowSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code GET /tile/{z}/{x}/{y}.png}: its pixels, its parameters, the cache, priority and cancellation. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
final class TileHandlerTest {

  private QueueRowSource source;
  private MandelbrotServer server;
  private WebClient client;

  /** Starts a server of this many thread workers and this tile cache. */
  private Future<MandelbrotServer> start(Vertx vertx, int workers, long cacheBytes) {
    source = QueueRowSource.threads(vertx, workers);
    ServerLimits roomy = new ServerLimits(64, 64, Long.MAX_VALUE, 256, Duration.ofSeconds(30), false);
    return MandelbrotServer.start(vertx, source, "threads", "127.0.0.1", 0, roomy, null, cacheBytes)
        .onSuccess(s -> {
          server = s;
          client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
              .setDefaultPort(s.port()));
        });
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    (server == null ? Future.<Void>succeededFuture() : server.close())
        .eventually(() -> source == null ? Future.succeededFuture() : source.close())
        .onComplete(ctx.succeedingThenComplete());
  }

  private Future<HttpResponse<Buffer>> get(String uri) {
    return client.get(uri).send();
  }

  static BufferedImage png(Buffer body) throws Exception {
    return ImageIO.read(new ByteArrayInputStream(body.getBytes()));
  }

  static int[] pixels(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }

  /** The query of /image.png for the same bounds as tile (z, x, y), at 256x256. */
  static String imageQueryOf(int z, long x, long y, int n) {
    double s = 4.0 / (1L << z);
    return "N=256&cr=" + (-2.5 + (x + 0.5) * s) + "&ci=" + (2 - (y + 0.5) * s) + "&crpm=" + (s / 2)
        + "&cipm=" + (s / 2) + "&values=" + n;
  }

  @ParameterizedTest
  @CsvSource({"0, 0, 0, 300", "2, 1, 1, 300", "12, 1000, 1580, 800", "40, 439804651110, 549755813888, 300"})
  void tile_isTheImageOfTheSameBounds_pixelForPixel(int z, long x, long y, int n, Vertx vertx,
      VertxTestContext ctx) {
    start(vertx, 2, 1 << 20)
        .compose(s -> Future.all(get("/tile/" + z + "/" + x + "/" + y + ".png?values=" + n),
            get("/image.png?" + imageQueryOf(z, x, y, n))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          HttpResponse<Buffer> tile = all.resultAt(0);
          HttpResponse<Buffer> image = all.resultAt(1);
          assertThat(tile.statusCode()).as(tile.bodyAsString()).isEqualTo(200);
          assertThat(image.statusCode()).as(image.bodyAsString()).isEqualTo(200);
          assertThat(tile.getHeader("Content-Type")).isEqualTo("image/png");
          assertThat(tile.getHeader("X-Tile-Cache")).isEqualTo("miss");
          BufferedImage t = png(tile.body());
          BufferedImage i = png(image.body());
          assertThat(t.getWidth()).isEqualTo(256);
          assertThat(t.getHeight()).isEqualTo(256);
          assertThat(pixels(t)).isEqualTo(pixels(i));
          ctx.completeNow();
        })));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "/tile/45/0/0.png          | z must be 0 to 44",
      "/tile/-1/0/0.png          | z must be a whole number",
      "/tile/a/0/0.png           | z must be a whole number",
      "/tile/2/4/0.png           | x must be 0 to 3",
      "/tile/2/0/4.png           | y must be 0 to 3",
      "/tile/2/0/99999999999999999999999.png | y must be a whole number",
      "/tile/2/0/0.png?values=1       | values must be 2 to",
      "/tile/2/0/0.png?values=100000001 | values must be 2 to",
      "/tile/2/0/0.png?values=x       | values must be a whole number",
      "/tile/2/0/0.png?p=21      | p must be 0 to 20",
      "/tile/2/0/0.png?p=-1      | p must be a whole number",
      "/tile/2/0/0.png?c=a%20b   | c must be 1 to 64 of",
      "/tile/2/0/0.png?c=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | c must be 1 to 64"})
  void badParameters_are400WithAReason(String uri, String reason, Vertx vertx, VertxTestContext ctx) {
    start(vertx, 1, 1 << 20).compose(s -> get(uri)).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.bodyAsString()).contains(reason).endsWith("\n");
      assertThat(r.bodyAsString().strip()).doesNotContain("\n");
      assertThat(server.stats().getJsonObject("tiles").getLong("rejected")).isEqualTo(1);
      ctx.completeNow();
    })));
  }

  @Test
  void secondRequest_isACacheHit_andComputesNoRow(Vertx vertx, VertxTestContext ctx) {
    String uri = "/tile/3/2/2.png?values=500";
    long[] doneAfterFirst = {0};
    start(vertx, 2, 1 << 20)
        .compose(s -> get(uri))
        .compose(first -> {
          ctx.verify(() -> assertThat(first.getHeader("X-Tile-Cache")).isEqualTo("miss"));
          doneAfterFirst[0] = server.stats().getLong("rowsDone");
          return get(uri).map(second -> List.of(first, second));
        })
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          assertThat(both.get(1).statusCode()).isEqualTo(200);
          assertThat(both.get(1).getHeader("X-Tile-Cache")).isEqualTo("hit");
          assertThat(both.get(1).body().getBytes()).isEqualTo(both.get(0).body().getBytes());
          JsonObject stats = server.stats();
          assertThat(doneAfterFirst[0]).isGreaterThanOrEqualTo(256);
          assertThat(stats.getLong("rowsDone")).isEqualTo(doneAfterFirst[0]);
          assertThat(stats.getJsonObject("tiles").getLong("cacheHits")).isEqualTo(1);
          assertThat(stats.getJsonObject("tiles").getLong("served")).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void theCache_staysUnderItsBound_evictingTheOldestFirst(Vertx vertx, VertxTestContext ctx) {
    long bound = 40_000; // a few of these tiles (each some kB)
    List<String> uris = new CopyOnWriteArrayList<>();
    for (int x = 0; x < 16; x++) {
      uris.add("/tile/4/" + x + "/7.png?values=300");
    }
    Future<Void> chain = start(vertx, 2, bound).mapEmpty();
    for (String uri : uris) {
      chain = chain.compose(v -> get(uri)).compose(r -> {
        ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(server.stats().getJsonObject("tiles").getLong("cacheBytes")).isLessThanOrEqualTo(bound);
        });
        return Future.succeededFuture();
      });
    }
    chain.compose(v -> get(uris.get(uris.size() - 1)))
        .compose(last -> get(uris.get(0)).map(first -> List.of(last, first)))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject tiles = server.stats().getJsonObject("tiles");
          assertThat(tiles.getLong("evicted")).isPositive();
          assertThat(tiles.getLong("cacheBytes")).isPositive().isLessThanOrEqualTo(bound);
          assertThat(r.get(0).getHeader("X-Tile-Cache")).isEqualTo("hit"); // the newest stays
          assertThat(r.get(1).getHeader("X-Tile-Cache")).isEqualTo("miss"); // the oldest went first
          ctx.completeNow();
        })));
  }

  /** Opens a tile request and returns it once sent (its connection is then there to close). */
  static Future<HttpClientRequest> open(HttpClient http, int port, String uri) {
    return http.request(HttpMethod.GET, port, "127.0.0.1", uri).compose(req -> {
      req.send().onFailure(e -> {
        // closed by the test
      });
      return Future.succeededFuture(req);
    });
  }

  /** Holds the one worker until the gate opens: a call in a series of its own. */
  private void hold(CountDownLatch gate) {
    source.queue().call((Task0<String>) () -> {
      gate.await(60, TimeUnit.SECONDS);
      return "held";
    }, new CallOptions().setSeries("hog"));
  }

  @Test
  void withTheWorkerBusy_aP0TileOvertakesAP20TileRequestedBefore(Vertx vertx, VertxTestContext ctx) {
    CountDownLatch gate = new CountDownLatch(1);
    List<String> completed = new CopyOnWriteArrayList<>();
    int window = QueueRowSource.ROWS_PER_WORKER;
    start(vertx, 1, 1 << 20)
        .compose(s -> {
          hold(gate);
          return MandelbrotServerTest.eventually(vertx, () -> server.stats().getInteger("running") == 1);
        })
        .compose(v -> {
          get("/tile/3/0/0.png?values=100&p=20&c=me").onSuccess(r -> completed.add("p20 " + r.statusCode()));
          return MandelbrotServerTest.eventually(vertx, () -> server.stats().getInteger("queued") == window);
        })
        .compose(v -> {
          get("/tile/3/1/0.png?values=100&p=0&c=me").onSuccess(r -> completed.add("p0 " + r.statusCode()));
          return MandelbrotServerTest.eventually(vertx, () -> server.stats().getInteger("queued") == 2 * window);
        })
        .compose(v -> {
          gate.countDown();
          return MandelbrotServerTest.eventually(vertx, () -> completed.size() == 2);
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          gate.countDown();
          assertThat(completed).containsExactly("p0 200", "p20 200");
          ctx.completeNow();
        })));
  }

  /**
   * Clients share the workers: a visitor's one tile, asked for while a greedy client has 32 tiles rendering, is
   * done long before the greedy client's tiles, each client's rows being a series of its own. Were the rows served
   * first come first served, the visitor's rows would wait behind the greedy client's (each tile keeps a window of
   * rows queued), and its tile would end with theirs, some 32 tiles' rows later.
   */
  @Test
  void aVisitorsTile_isNotHeldUpByAGreedyClientsTiles(Vertx vertx, VertxTestContext ctx) {
    HttpClient http = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(40));
    List<String> greedyDone = new CopyOnWriteArrayList<>();
    long[] rowsBefore = new long[1];
    start(vertx, 2, 1 << 20)
        .compose(s -> {
          for (int x = 4; x < 12; x++) {
            for (int y = 5; y < 9; y++) {
              String uri = "/tile/4/" + x + "/" + y + ".png?values=3000&c=greedy";
              http.request(HttpMethod.GET, s.port(), "127.0.0.1", uri)
                  .compose(req -> req.send().compose(r -> r.body()))
                  .onSuccess(b -> greedyDone.add(uri));
            }
          }
          return MandelbrotServerTest.eventually(vertx,
              () -> server.stats().getJsonObject("tiles").getLong("started") == 32);
        })
        .compose(v -> {
          rowsBefore[0] = server.stats().getLong("rowsDone");
          return get("/tile/4/6/7.png?values=3001&c=visitor");
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          long greedyRows = server.stats().getLong("rowsDone") - rowsBefore[0] - TileHandler.SIZE;
          assertThat(r.statusCode()).isEqualTo(200);
          // the rows done meanwhile: about as many of the greedy client's as of the visitor's, not 32 tiles' worth
          assertThat(greedyRows).isLessThan(8L * TileHandler.SIZE);
          assertThat(greedyDone).hasSizeLessThan(8);
          http.close();
          ctx.completeNow();
        })));
  }

  @Test
  void closingTheConnection_takesTheTilesQueuedRowsOffTheQueue(Vertx vertx, VertxTestContext ctx) {
    CountDownLatch gate = new CountDownLatch(1);
    HttpClient http = vertx.createHttpClient();
    int window = QueueRowSource.ROWS_PER_WORKER;
    start(vertx, 1, 1 << 20)
        .compose(s -> {
          hold(gate);
          return open(http, s.port(), "/tile/3/2/2.png?values=500&c=gone");
        })
        .compose(req -> MandelbrotServerTest.eventually(vertx, () -> server.stats().getInteger("queued") == window)
            .compose(v -> req.connection().close()))
        .compose(v -> MandelbrotServerTest.eventually(vertx, () -> {
          JsonObject s = server.stats();
          return s.getJsonObject("tiles").getLong("cancelled") == 1 && s.getInteger("queued") == 0;
        }))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          JsonObject stats = server.stats();
          gate.countDown();
          JsonObject tiles = stats.getJsonObject("tiles");
          assertThat(tiles.getLong("rowsCancelled")).isEqualTo(window);
          assertThat(tiles.getLong("served")).isZero();
          assertThat(tiles.getLong("active")).isZero();
          assertThat(stats.getLong("rowsDone")).isZero(); // not one of the tile's rows ran
          ctx.completeNow();
        })));
  }

  @Test
  void requestsForATileUnderWay_shareItsRender_whichOneLeavingDoesNotCancel(Vertx vertx, VertxTestContext ctx) {
    CountDownLatch gate = new CountDownLatch(1);
    HttpClient http = vertx.createHttpClient();
    String uri = "/tile/3/2/2.png?values=500";
    List<HttpResponse<Buffer>> answers = new CopyOnWriteArrayList<>();
    start(vertx, 1, 1 << 20)
        .compose(s -> {
          hold(gate);
          get(uri + "&p=5&c=one").onSuccess(answers::add);
          return MandelbrotServerTest.eventually(vertx, () -> server.stats().getJsonObject("tiles").getLong("started") == 1);
        })
        .compose(v -> {
          get(uri + "&p=0&c=two").onSuccess(answers::add);
          return open(http, server.port(), uri + "&c=three");
        })
        .compose(three -> MandelbrotServerTest.eventually(vertx, () -> server.stats().getJsonObject("tiles").getLong("shared") == 2)
            .compose(v -> three.connection().close()))
        .compose(v -> {
          gate.countDown();
          return MandelbrotServerTest.eventually(vertx, () -> answers.size() == 2);
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          JsonObject stats = server.stats();
          JsonObject tiles = stats.getJsonObject("tiles");
          assertThat(tiles.getLong("started")).isEqualTo(1);
          assertThat(tiles.getLong("served")).isEqualTo(1);
          assertThat(tiles.getLong("cancelled")).isZero();
          assertThat(tiles.getLong("active")).isZero();
          assertThat(stats.getLong("rowsDone")).isEqualTo(256 + 1); // one render, and the call that held the worker
          assertThat(answers).extracting(r -> r.getHeader("X-Tile-Cache")).containsExactlyInAnyOrder("miss", "shared");
          assertThat(answers.get(0).body().getBytes()).isEqualTo(answers.get(1).body().getBytes());
          ctx.completeNow();
        })));
  }
}
