package io.asynqueue.remote.server;

import io.vertx.core.Vertx;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.slf4j.Logger;

/**
 * The server's log of the connections it turned away, bounded whatever a client does: the first rejection of each
 * kind is logged in full, the rest are counted and summed up in one line per interval (counts by kind, and the
 * addresses that sent most). While rejections keep coming, every interval gives that one line and nothing else; after
 * a quiet interval, the next rejection is logged in full again. Thread-safe.
 */
final class RejectionLog {

  /** Why a connection was turned away. */
  enum Kind {
    /** Its proof did not match the secret. */
    WRONG_SECRET("wrong secret"),
    /** It spoke another protocol, another version, or sent too much. */
    PROTOCOL("not the protocol"),
    /** It did not complete the handshake in time. */
    TIMEOUT("no handshake in time"),
    /** Its address failed too many proofs lately. */
    THROTTLED("throttled after failed proofs"),
    /** Too many connections were in their handshake. */
    STARTUPS("over the cap of unauthenticated connections"),
    /** The server had as many connections as it takes. */
    CONNECTIONS("over the cap of connections"),
    /** Its TLS handshake failed. */
    TLS("TLS handshake failed");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** At most this many addresses are counted per interval; the others go under "others". */
  private static final int MAX_ADDRESSES = 256;
  /** The summary names at most this many addresses. */
  private static final int SHOWN_ADDRESSES = 5;

  private final Vertx vertx;
  private final Logger log;
  private final long intervalMillis;
  private final EnumMap<Kind, Long> counts = new EnumMap<>(Kind.class);
  private final Map<String, Long> addresses = new LinkedHashMap<>();
  private boolean timing;
  /** Whether the last interval had rejections summed up: then none is logged in full. */
  private boolean busy;
  /** The kinds logged in full in this interval. */
  private final EnumMap<Kind, Boolean> logged = new EnumMap<>(Kind.class);
  private long total;

  RejectionLog(Vertx vertx, Logger log, long intervalMillis) {
    this.vertx = vertx;
    this.log = log;
    this.intervalMillis = intervalMillis;
  }

  /**
   * A connection turned away.
   *
   * @param kind why
   * @param host its address, or {@code null} if unknown
   * @param what who and why, for the full line: {@code 10.0.0.9:41000: wrong secret}
   */
  void rejected(Kind kind, String host, String what) {
    boolean full;
    synchronized (this) {
      total++;
      full = !busy && logged.putIfAbsent(kind, Boolean.TRUE) == null;
      if (!full) {
        counts.merge(kind, 1L, Long::sum);
        if (host != null && (addresses.size() < MAX_ADDRESSES || addresses.containsKey(host))) {
          addresses.merge(host, 1L, Long::sum);
        }
      }
      if (!timing) {
        timing = schedule();
      }
    }
    if (full) {
      log.warn("rejected {}; nothing it sent was decoded (more rejections are summed up every {})", what, interval());
    }
  }

  /** @return how many connections were turned away since the server started */
  synchronized long total() {
    return total;
  }

  // with the lock held
  private boolean schedule() {
    try {
      vertx.setTimer(intervalMillis, t -> summarise());
      return true;
    } catch (RuntimeException closing) { // Vert.x is closing: no summary, and the next rejection tries again
      return false;
    }
  }

  private String interval() {
    return intervalMillis % 1000 == 0 ? intervalMillis / 1000 + " s" : intervalMillis + " ms";
  }

  private void summarise() {
    String line;
    synchronized (this) {
      logged.clear();
      if (counts.isEmpty()) {
        timing = false;
        busy = false;
        return;
      }
      long n = 0;
      StringJoiner kinds = new StringJoiner(", ");
      for (Map.Entry<Kind, Long> e : counts.entrySet()) {
        n += e.getValue();
        kinds.add(e.getValue() + " " + e.getKey().label);
      }
      StringJoiner from = new StringJoiner(", ");
      addresses.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .limit(SHOWN_ADDRESSES).forEach(e -> from.add(e.getKey() + " " + e.getValue()));
      long shown = addresses.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .limit(SHOWN_ADDRESSES).mapToLong(Map.Entry::getValue).sum();
      if (n - shown > 0) {
        from.add("others " + (n - shown));
      }
      line = n + " more connection(s) in the last " + interval() + " (" + kinds + "; from " + from + ")";
      counts.clear();
      addresses.clear();
      busy = true;
      timing = schedule(); // the next interval: quiet again, or another line
    }
    log.warn("rejected {}; nothing they sent was decoded", line);
  }
}
