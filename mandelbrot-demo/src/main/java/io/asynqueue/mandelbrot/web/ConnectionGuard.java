package io.asynqueue.mandelbrot.web;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's connections: at most {@code maxConnections} open (one more is closed as it opens), and each closed
 * once it has had no request under way for the idle timeout. The timer runs from the moment a connection opens
 * (so a request head that never ends, a byte now and then, is cut when it runs out) and again from the end of each
 * response; it is off while a request is being answered, however long a render takes.
 */
final class ConnectionGuard {

  private final Vertx vertx;
  private final int maxConnections;
  private final long idleMillis;
  private final AtomicInteger open = new AtomicInteger();
  /** Per open connection: its idle timer, or -1 while a request is under way. */
  private final Map<HttpConnection, Long> timers = new ConcurrentHashMap<>();

  ConnectionGuard(Vertx vertx, ServerLimits limits) {
    this.vertx = vertx;
    this.maxConnections = limits.maxConnections();
    this.idleMillis = limits.idleTimeout().toMillis();
  }

  /** A connection opened: close it if there are too many, else start its idle timer. On its context. */
  void opened(HttpConnection connection) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      connection.close();
      return;
    }
    connection.closeHandler(v -> {
      open.decrementAndGet();
      Long timer = timers.remove(connection);
      if (timer != null && timer >= 0) {
        vertx.cancelTimer(timer);
      }
    });
    idle(connection);
  }

  /** A request's head has come: no idle timer until it is answered. On the connection's context. */
  void busy(HttpConnection connection) {
    Long timer = timers.put(connection, -1L);
    if (timer != null && timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** A response ended: the connection is idle again. On the connection's context. */
  void idle(HttpConnection connection) {
    long timer = vertx.setTimer(idleMillis, id -> {
      if (timers.remove(connection, id)) {
        connection.close();
      }
    });
    Long previous = timers.put(connection, timer);
    if (previous != null && previous >= 0) {
      vertx.cancelTimer(previous);
    }
  }

  /** @return the connections open now */
  int open() {
    return open.get();
  }
}
