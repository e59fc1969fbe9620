package io.asynqueue;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Priorities as the original computes them: a per-series serial number times a niceness factor.
 *
 * <p>Each series counts its calls; a series seen for the first time starts from the highest count of any
 * series, so a late series does not jump ahead of long-queued work, while a series that has been quiet gets
 * a short burst of precedence until it catches up. The factor is {@code 1 + ((niceness + 20) / 10)^2}.
 *
 * <p>Not thread-safe: used under the queue's lock.
 */
final class SeriesClock {

  /** Counters kept before idle series are forgotten. */
  static final int MAX_SERIES = 4096;

  private final Map<String, long[]> counters = new HashMap<>();
  /** The default series' counter, kept apart: it is never forgotten, and it saves a hash lookup per call. */
  private long[] defaultCounter;
  private long max;

  /**
   * @param series the series, {@code null} for the default
   * @return the series' next serial number
   */
  long next(String series) {
    long[] counter = series == null ? defaultCounter : counters.get(series);
    if (counter == null) {
      counter = new long[] {max};
      if (series == null) {
        defaultCounter = counter;
      } else {
        counters.put(series, counter);
      }
    }
    long serial = ++counter[0];
    if (serial > max) {
      max = serial;
    }
    return serial;
  }

  /**
   * Forgets the counters of idle series once there are too many, so that one series per request does not
   * grow without bound.
   *
   * @param busy whether a series still has queued calls
   */
  void trim(Predicate<String> busy) {
    if (counters.size() <= MAX_SERIES) {
      return;
    }
    for (Iterator<String> it = counters.keySet().iterator(); it.hasNext(); ) {
      String series = it.next();
      if (series != null && !busy.test(series)) {
        it.remove();
      }
    }
  }

  /**
   * @param niceness -20..+20
   * @return 1, 2, 5, 10, 17 for -20, -10, 0, +10, +20
   */
  static double factor(int niceness) {
    double x = (niceness + 20) / 10.0;
    return 1 + x * x;
  }

  /** @return the number of named series with a counter */
  int size() {
    return counters.size();
  }
}
