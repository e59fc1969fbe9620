package io.asynqueue.remote.server;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows down whoever guesses the secret: after {@code maxFailures} failed proofs from one address, its new
 * connections are refused at once for a while, twice as long after each further failure (up to
 * {@value #MAX_DOUBLINGS} doublings). A proof that succeeds clears the address; one that has not failed for
 * {@value #FORGET_MINUTES} minutes is forgotten. At most {@value #MAX_ADDRESSES} addresses are remembered, the
 * least recently failed ones going first. Thread-safe.
 */
final class AuthThrottle {

  static final int MAX_DOUBLINGS = 6;
  static final int FORGET_MINUTES = 10;
  static final int MAX_ADDRESSES = 10_000;

  private static final long FORGET_NANOS = FORGET_MINUTES * 60_000_000_000L;

  /** One address's failures. */
  private static final class Failures {
    int count;
    long lastNanos;
    long blockedUntilNanos;
  }

  private final int maxFailures;
  private final long blockNanos;
  /** By address, least recently failed first. */
  private final LinkedHashMap<String, Failures> byAddress = new LinkedHashMap<>();

  /**
   * @param maxFailures the failed proofs an address may make before it is throttled; 0 for no throttle
   * @param blockNanos how long it is refused after the last of those, doubling after each further one
   */
  AuthThrottle(int maxFailures, long blockNanos) {
    this.maxFailures = maxFailures;
    this.blockNanos = blockNanos;
  }

  /**
   * @param host an address
   * @param now {@link System#nanoTime()}
   * @return whether its new connections are refused now
   */
  synchronized boolean blocked(String host, long now) {
    if (maxFailures == 0 || byAddress.isEmpty()) {
      return false;
    }
    Failures f = byAddress.get(host);
    return f != null && now - f.blockedUntilNanos < 0;
  }

  /**
   * A failed proof.
   *
   * @param host from this address
   * @param now {@link System#nanoTime()}
   * @return how long the address is refused from now, in nanoseconds; 0 if it is not
   */
  synchronized long failed(String host, long now) {
    if (maxFailures == 0) {
      return 0;
    }
    Failures f = byAddress.remove(host); // put back last: the order is that of the latest failure
    if (f == null || now - f.lastNanos > FORGET_NANOS) {
      f = new Failures();
    }
    byAddress.put(host, f);
    trim(now);
    f.count++;
    f.lastNanos = now;
    if (f.count < maxFailures) {
      return 0;
    }
    long block = blockNanos << Math.min(MAX_DOUBLINGS, f.count - maxFailures);
    f.blockedUntilNanos = now + block;
    return block;
  }

  /**
   * A proof that succeeded: the address starts afresh.
   *
   * @param host the address
   */
  synchronized void succeeded(String host) {
    if (!byAddress.isEmpty()) {
      byAddress.remove(host);
    }
  }

  /** @return how many addresses it remembers */
  synchronized int size() {
    return byAddress.size();
  }

  // with the lock held: forgets what is old, then the least recently failed beyond the bound
  private void trim(long now) {
    if (byAddress.size() <= MAX_ADDRESSES) {
      return;
    }
    for (Iterator<Map.Entry<String, Failures>> it = byAddress.entrySet().iterator(); it.hasNext(); ) {
      Failures f = it.next().getValue();
      if (now - f.lastNanos > FORGET_NANOS || byAddress.size() > MAX_ADDRESSES) {
        it.remove();
      } else {
        break;
      }
    }
  }
}
