package io.asynqueue.mandelbrot.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.mandelbrot.QueueRowSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /events}: the queue's load as server-sent events, for a bounded number of listeners. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
final class EventFeedTest {

  private QueueRowSource source;
  private MandelbrotServer server;
  private HttpClient http;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    source = QueueRowSource.threads(vertx, 2);
    http = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(32));
    ServerLimits roomy = new ServerLimits(64, 64, Long.MAX_VALUE, 256, Duration.ofSeconds(30), false);
    MandelbrotServer.start(vertx, source, "threads", "127.0.0.1", 0, roomy, null)
        .onComplete(ctx.succeeding(s -> {
          server = s;
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    http.close().eventually(server::close).eventually(source::close).onComplete(ctx.succeedingThenComplete());
  }

  private Future<HttpClientResponse> listen() {
    return http.request(HttpMethod.GET, server.port(), "127.0.0.1", "/events").compose(req -> req.send());
  }

  @Test
  void aListener_getsTheLoadEvery250Ms_andTheTimerStopsWhenItGoes(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    StringBuilder text = new StringBuilder();
    listen().onComplete(ctx.succeeding(resp -> {
      ctx.verify(() -> {
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.getHeader("Content-Type")).isEqualTo("text/event-stream");
      });
      resp.handler(chunk -> {
        text.append(chunk.toString());
        int end;
        while ((end = text.indexOf("\n\n")) >= 0) {
          String event = text.substring(0, end);
          text.delete(0, end + 2);
          for (String line : event.split("\n")) {
            if (line.startsWith("data: ")) {
              events.add(new JsonObject(line.substring(6)));
            }
          }
        }
        if (events.size() == 2) {
          ctx.verify(() -> {
            for (JsonObject e : events) {
              assertThat(e.getString("workerKind")).isEqualTo("threads");
              assertThat(e.getInteger("workerCount")).isEqualTo(2);
              assertThat(e.getInteger("queued")).isNotNull();
              assertThat(e.getInteger("running")).isNotNull();
              assertThat(e.getJsonObject("workers").fieldNames()).hasSize(2);
              assertThat(e.getJsonObject("workers").getJsonObject("1").fieldNames())
                  .contains("running", "done");
              assertThat(e.getJsonObject("tiles").fieldNames())
                  .contains("served", "cancelled", "cacheHits", "cacheBytes");
              assertThat(e.getJsonObject("renders").getLong("active")).isZero();
              assertThat(e.getInteger("listeners")).isEqualTo(1);
            }
          });
          resp.request().connection().close();
          MandelbrotServerTest.eventually(vertx, () -> server.stats().getInteger("listeners") == 0)
              .onComplete(ctx.succeedingThenComplete());
        }
      });
    }));
  }

  @Test
  void aSeventeenthListener_gets503(Vertx vertx, VertxTestContext ctx) {
    List<Future<HttpClientResponse>> sixteen = new ArrayList<>();
    for (int i = 0; i < EventFeed.MAX_LISTENERS; i++) {
      sixteen.add(listen());
    }
    Future.all(sixteen)
        .compose(all -> {
          ctx.verify(() -> {
            for (Future<HttpClientResponse> f : sixteen) {
              assertThat(f.result().statusCode()).isEqualTo(200);
            }
          });
          return listen();
        })
        .compose(extra -> extra.body().map(body -> {
          ctx.verify(() -> {
            assertThat(extra.statusCode()).isEqualTo(503);
            assertThat(extra.getHeader("Retry-After")).isNotNull();
            assertThat(body.toString()).contains("at most 16");
          });
          return body;
        }))
        .compose(v -> {
          // one goes; there is room for another
          sixteen.get(0).result().request().connection().close();
          return MandelbrotServerTest.eventually(vertx, () -> server.stats().getInteger("listeners") == 15);
        })
        .compose(v -> listen())
        .onComplete(ctx.succeeding(again -> ctx.verify(() -> {
          assertThat(again.statusCode()).isEqualTo(200);
          ctx.completeNow();
        })));
  }
}
