package io.asynqueue.mandelbrot.web;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * {@code GET /events}: server-sent events ({@code text/event-stream}), one {@code data: {json}} event every
 * {@value #PERIOD_MILLIS} ms while the client listens, the JSON being the server's {@code /stats}. At most
 * {@value #MAX_LISTENERS} listeners at once (one more gets a 503); one timer serves them all, and it stops when the
 * last listener goes. A listener whose connection cannot keep up misses events rather than queueing them.
 */
final class EventFeed {

  /** Listeners at once, at most. */
  static final int MAX_LISTENERS = 16;
  /** The time between two events. */
  static final long PERIOD_MILLIS = 250;

  private final Vertx vertx;
  private final Supplier<JsonObject> stats;
  private final Set<HttpServerResponse> listeners = ConcurrentHashMap.newKeySet();
  /** The timer while anyone listens, else -1. Guarded by this. */
  private long timer = -1;

  EventFeed(Vertx vertx, Supplier<JsonObject> stats) {
    this.vertx = vertx;
    this.stats = stats;
  }

  void handle(RoutingContext rc) {
    HttpServerResponse response = rc.response();
    synchronized (this) {
      if (listeners.size() >= MAX_LISTENERS) {
        response.setStatusCode(503).putHeader("Retry-After", "5")
            .putHeader("Content-Type", "text/plain; charset=utf-8")
            .end("too many listeners: at most " + MAX_LISTENERS + " at once\n");
        return;
      }
      listeners.add(response);
      if (timer < 0) {
        timer = vertx.setPeriodic(PERIOD_MILLIS, id -> tick());
      }
    }
    response.exceptionHandler(e -> {
      // a reset connection; the close handler removes it
    });
    response.closeHandler(v -> remove(response));
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no")
        .write("retry: 2000\n\n" + event(stats.get()));
  }

  /** @return the listeners now */
  int listeners() {
    return listeners.size();
  }

  private synchronized void remove(HttpServerResponse response) {
    if (listeners.remove(response) && listeners.isEmpty() && timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void tick() {
    String event = event(stats.get());
    for (HttpServerResponse r : listeners) {
      if (r.closed() || r.ended()) {
        remove(r);
      } else if (!r.writeQueueFull()) {
        r.write(event);
      }
    }
  }

  private static String event(JsonObject json) {
    return "data: " + json.encode() + "\n\n";
  }

  /** Stops the timer and ends every listener's stream. */
  synchronized void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    for (HttpServerResponse r : listeners) {
      if (!r.closed() && !r.ended()) {
        r.end();
      }
    }
    listeners.clear();
  }
}
