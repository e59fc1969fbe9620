package io.asynqueue.mandelbrot.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.mandelbrot.QueueRowSource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code mcm serve}'s limits ({@link ServerLimits}), with small numbers. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, timeUnit = TimeUnit.MINUTES)
final class MandelbrotServerLimitsTest {

  private static final String HEAVY = "/image.png?N=4000&crpm=1.4&cipm=1.4";
  private static final Duration IDLE = Duration.ofSeconds(30);

  private QueueRowSource source;
  private MandelbrotServer server;
  private WebClient client;
  private HttpClient http;

  private Future<Void> start(Vertx vertx, ServerLimits limits) {
    source = QueueRowSource.threads(vertx, 2);
    http = vertx.createHttpClient();
    return MandelbrotServer.start(vertx, source, "threads", "127.0.0.1", 0, limits, null).map(s -> {
      server = s;
      client = WebClient.create(vertx);
      return null;
    });
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    http.close().eventually(server::close).eventually(source::close).onComplete(ctx.succeedingThenComplete());
  }

  private Future<HttpResponse<Buffer>> get(String uri) {
    return client.get(server.port(), "127.0.0.1", uri).send();
  }

  /** A heavy render whose client reads nothing: it holds its slot. */
  private Future<HttpClientResponse> heavy() {
    return http.request(HttpMethod.GET, server.port(), "127.0.0.1", HEAVY)
        .compose(req -> req.send())
        .map(resp -> {
          resp.pause();
          return resp;
        });
  }

  private static Future<Void> eventually(Vertx vertx, Supplier<Future<Boolean>> condition) {
    Promise<Void> p = Promise.promise();
    vertx.setPeriodic(50, id -> condition.get().onSuccess(ok -> {
      if (ok && p.tryComplete()) {
        vertx.cancelTimer(id);
      }
    }));
    return p.future();
  }

  @Test
  void aSmallImage_comesBackWhileHeavyRendersRun(Vertx vertx, VertxTestContext ctx) {
    start(vertx, new ServerLimits(3, 3, Long.MAX_VALUE, 100, IDLE, false))
        .compose(v -> Future.all(heavy(), heavy()))
        .compose(v -> get("/image.png?N=640"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          BufferedImage png = ImageIO.read(new ByteArrayInputStream(r.body().getBytes()));
          assertThat(png.getWidth()).isEqualTo(640);
          assertThat(server.stats().getJsonObject("renders").getLong("active")).isEqualTo(2);
          ctx.completeNow();
        })));
  }

  @Test
  void overTheWorkBudget_is400SayingSo(Vertx vertx, VertxTestContext ctx) {
    long budget = 640L * 640 * 3000 - 1; // a 640 x 640 image at 3000 values, less one
    start(vertx, new ServerLimits(3, 3, budget, 100, IDLE, false))
        .compose(v -> Future.all(get("/image.png?N=640&crpm=1"), get("/image.png?N=640&crpm=1&values=2999")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          HttpResponse<Buffer> over = all.resultAt(0);
          assertThat(over.statusCode()).isEqualTo(400);
          assertThat(over.bodyAsString()).contains("pixel-iterations", "--max-work", String.valueOf(budget));
          HttpResponse<Buffer> under = all.resultAt(1);
          assertThat(under.statusCode()).isEqualTo(200);
          assertThat(server.stats().getJsonObject("renders").getLong("rejected")).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void overTheRendersOfOneClient_is429WithRetryAfter_untilItsRenderEnds(Vertx vertx, VertxTestContext ctx) {
    start(vertx, new ServerLimits(3, 1, Long.MAX_VALUE, 100, IDLE, false))
        .compose(v -> heavy())
        .compose(h -> get("/image.png?N=240").map(r -> {
          ctx.verify(() -> {
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.getHeader("Retry-After")).isNotBlank();
            assertThat(r.bodyAsString()).contains("too many renders");
          });
          h.request().connection().close(); // the heavy one goes: its slot is free again
          return r;
        }))
        .compose(r -> eventually(vertx, () -> get("/image.png?N=240").map(s -> s.statusCode() == 200)))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(server.stats().getJsonObject("renders").getLong("refused")).isGreaterThanOrEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void overTheRendersOfTheServer_is503WithRetryAfter(Vertx vertx, VertxTestContext ctx) {
    start(vertx, new ServerLimits(1, 5, Long.MAX_VALUE, 100, IDLE, false))
        .compose(v -> heavy())
        .compose(h -> get("/image.png?N=240"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(503);
          assertThat(r.getHeader("Retry-After")).isNotBlank();
          assertThat(r.bodyAsString()).contains("busy");
          ctx.completeNow();
        })));
  }

  /** A request head that never ends (a byte now and then, or nothing at all) does not hold the connection. */
  @Test
  void anIdleConnection_isClosed(Vertx vertx, VertxTestContext ctx) {
    start(vertx, new ServerLimits(3, 3, Long.MAX_VALUE, 100, Duration.ofSeconds(1), false))
        .compose(v -> Future.all(openSocket(vertx, "GET /stats HTTP/1.1\r\nHost: x\r\n"), openSocket(vertx, "")))
        .compose(all -> Future.all(all.<Future<Void>>resultAt(0), all.<Future<Void>>resultAt(1)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void connectionsBeyondTheCap_areClosed(Vertx vertx, VertxTestContext ctx) {
    start(vertx, new ServerLimits(3, 3, Long.MAX_VALUE, 2, IDLE, false))
        .compose(v -> Future.all(openSocket(vertx, ""), openSocket(vertx, "")))
        .compose(two -> eventually(vertx, () -> Future.succeededFuture(server.stats().getInteger("connections") == 2)))
        .compose(v -> openSocket(vertx, ""))
        .compose(third -> third)
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(server.stats().getInteger("connections")).isEqualTo(2);
          ctx.completeNow();
        })));
  }

  /** Connects, writes {@code bytes}, and gives a Future completed when the server closes the connection. */
  private Future<Future<Void>> openSocket(Vertx vertx, String bytes) {
    return vertx.createNetClient().connect(server.port(), "127.0.0.1").compose(s -> {
      Promise<Void> closed = Promise.promise();
      s.closeHandler(v -> closed.tryComplete());
      s.handler(b -> {
        // whatever the server says, it must close
      });
      return (bytes.isEmpty() ? Future.<Void>succeededFuture() : s.write(bytes)).map(closed.future());
    });
  }
}
