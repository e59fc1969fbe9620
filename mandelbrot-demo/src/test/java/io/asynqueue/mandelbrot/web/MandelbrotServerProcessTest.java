package io.asynqueue.mandelbrot.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.mandelbrot.QueueRowSource;
import io.asynqueue.process.ProcessQueue;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The server on a ProcessQueue ({@code mcm serve --processes 2}): same PNGs, same cancellation. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
final class MandelbrotServerProcessTest {

  private QueueRowSource processes;
  private QueueRowSource threads;
  private MandelbrotServer onProcesses;
  private MandelbrotServer onThreads;
  private WebClient client;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    processes = QueueRowSource.processes(vertx, 2);
    threads = QueueRowSource.threads(vertx, 2);
    client = WebClient.create(vertx);
    Future.all(
            MandelbrotServer.start(vertx, processes, "processes", "127.0.0.1", 0),
            MandelbrotServer.start(vertx, threads, "threads", "127.0.0.1", 0))
        .onComplete(ctx.succeeding(all -> {
          onProcesses = all.resultAt(0);
          onThreads = all.resultAt(1);
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    Future.join(onProcesses.close(), onThreads.close())
        .eventually(() -> Future.join(processes.close(), threads.close()))
        .onComplete(ctx.succeedingThenComplete());
  }

  private Future<HttpResponse<Buffer>> get(MandelbrotServer server, String uri) {
    return client.get(server.port(), "127.0.0.1", uri).send();
  }

  @Test
  void processPng_isTheThreadPng_byteForByte(VertxTestContext ctx) {
    String uri = "/image.png?N=320&cr=-0.73249&ci=0.21653&crpm=0.0112&cipm=0.008";
    Future.all(get(onProcesses, uri), get(onThreads, uri)).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      HttpResponse<Buffer> p = all.resultAt(0);
      HttpResponse<Buffer> t = all.resultAt(1);
      assertThat(p.statusCode()).isEqualTo(200);
      assertThat(t.statusCode()).isEqualTo(200);
      assertThat(p.body().length()).isGreaterThan(1000);
      assertThat(p.body().getBytes()).isEqualTo(t.body().getBytes());
      assertThat(onProcesses.stats().getString("workerKind")).isEqualTo("processes");
      ctx.completeNow();
    })));
  }

  /** Issue 15: kill -9 of a child mid-render; its rows are computed again and the image is whole. */
  @Test
  @Timeout(value = 4, timeUnit = TimeUnit.MINUTES)
  void aChildKilledMidRender_theImageIsStillWhole(Vertx vertx, VertxTestContext ctx) {
    String uri = "/image.png?N=600&cr=-0.73249&ci=0.21653&crpm=0.0112&cipm=0.008";
    int rows = 428;
    ProcessQueue queue = (ProcessQueue) processes.queue();
    Future<HttpResponse<Buffer>> onKilled = queue.ready().compose(v -> get(onProcesses, uri));
    Promise<Long> killed = Promise.promise();
    vertx.setPeriodic(20, id -> {
      long done = onProcesses.stats().getLong("rowsDone");
      if (done >= 20 || onKilled.isComplete()) {
        vertx.cancelTimer(id);
        long pid = queue.processWorkers().get(0).pid();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        killed.complete(done);
      }
    });
    Future.all(onKilled, killed.future(), get(onThreads, uri)).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertThat((long) all.resultAt(1)).as("rows done when the child was killed").isLessThan(rows / 2);
      HttpResponse<Buffer> p = all.resultAt(0);
      HttpResponse<Buffer> t = all.resultAt(2);
      assertThat(p.statusCode()).isEqualTo(200);
      BufferedImage actual = ImageIO.read(new ByteArrayInputStream(p.body().getBytes()));
      BufferedImage expected = ImageIO.read(new ByteArrayInputStream(t.body().getBytes()));
      assertThat(actual.getHeight()).isEqualTo(rows);
      int w = expected.getWidth();
      assertThat(actual.getRGB(0, 0, w, rows, null, 0, w)).isEqualTo(expected.getRGB(0, 0, w, rows, null, 0, w));
      assertThat(queue.processWorkers().get(0).restarts()).as("the killed child was replaced").isEqualTo(1);
      assertThat(onProcesses.stats().getJsonObject("renders").getLong("served")).isEqualTo(1);
      ctx.completeNow();
    })));
  }

  @Test
  void disconnect_drainsTheProcessQueue(Vertx vertx, VertxTestContext ctx) {
    int rows = 4000;
    HttpClient http = vertx.createHttpClient();
    http.request(HttpMethod.GET, onProcesses.port(), "127.0.0.1", "/image.png?N=" + rows + "&crpm=1.4")
        .compose(req -> req.send())
        .onComplete(ctx.succeeding(resp -> resp.handler(first -> {
          resp.handler(null);
          resp.request().connection().close();
          Promise<Void> drained = Promise.promise();
          vertx.setPeriodic(20, id -> {
            JsonObject s = onProcesses.stats();
            if (s.getJsonObject("renders").getLong("cancelled") == 1
                && s.getInteger("queued") + s.getInteger("running") == 0) {
              vertx.cancelTimer(id);
              drained.tryComplete();
            }
          });
          drained.future().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
            JsonObject stats = onProcesses.stats();
            assertThat(stats.getLong("rowsDone")).isLessThan(rows / 2);
            JsonObject atDisconnect = stats.getJsonObject("lastDisconnect");
            if (!atDisconnect.isEmpty()) { // empty: gone before the rows were piped, so none ran
              int window = QueueRowSource.ROWS_PER_WORKER * 2;
              assertThat(stats.getLong("rowsDone") - atDisconnect.getLong("rowsDone"))
                  .isLessThanOrEqualTo(window + 2);
            }
            ctx.completeNow();
          })));
        })));
  }
}
