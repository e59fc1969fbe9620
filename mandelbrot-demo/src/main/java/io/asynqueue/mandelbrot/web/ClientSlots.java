package io.asynqueue.mandelbrot.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code max} things at once per client (its address): renders of {@code /image.png}, tiles. A client with
 * none holds no entry, so the map is only as large as the clients busy now. Thread-safe.
 */
final class ClientSlots {

  private final int max;
  private final Map<String, Integer> taken = new ConcurrentHashMap<>();

  /** @param max the most slots one client holds at once */
  ClientSlots(int max) {
    this.max = max;
  }

  /**
   * Takes one of a client's slots.
   *
   * @param client the client
   * @return false, taking none, if the client holds {@code max} already
   */
  boolean take(String client) {
    boolean[] ok = {false};
    taken.compute(client, (k, n) -> {
      int now = n == null ? 0 : n;
      ok[0] = now < max;
      return ok[0] ? Integer.valueOf(now + 1) : n;
    });
    return ok[0];
  }

  /**
   * Gives one of a client's slots back.
   *
   * @param client the client, which holds one
   */
  void give(String client) {
    taken.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** @return the most slots one client holds at once */
  int max() {
    return max;
  }
}
