package io.asynqueue.toolkit;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * A probe for timer leaks. Vert.x gives timers sequential ids and {@code cancelTimer} tells whether a timer
 * was still live, so the live timers set between two marks can be found (and are cancelled by finding them).
 */
final class LiveTimers {

  private LiveTimers() {
  }

  /** @return an id no later timer has */
  static long mark(Vertx vertx) {
    long id = vertx.setTimer(1, x -> { });
    vertx.cancelTimer(id);
    return id;
  }

  /**
   * @param since a {@link #mark(Vertx) mark}
   * @param except ids not to count (the test's own timers)
   * @return the ids of the timers set since the mark that are still live
   */
  static List<Long> since(Vertx vertx, long since, long... except) {
    long until = mark(vertx);
    List<Long> live = new ArrayList<>();
    for (long id = since + 1; id < until; id++) {
      if (!contains(except, id) && vertx.cancelTimer(id)) {
        live.add(id);
      }
    }
    return live;
  }

  private static boolean contains(long[] ids, long id) {
    for (long x : ids) {
      if (x == id) {
        return true;
      }
    }
    return false;
  }
}
