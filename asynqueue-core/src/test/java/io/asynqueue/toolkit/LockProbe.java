package io.asynqueue.toolkit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link DeferredLock} used by racing threads, with the records and checks of its contract; shared by
 * {@link DeferredLockLincheckTest} and {@link DeferredLockStressTest}.
 *
 * <p>Each {@link #use} acquires the lock and, in the acquire's callback, holds it a moment and releases it. An
 * acquire is known to be real (it queued, or took the lock, before {@code stop()}) when the lock was not yet
 * stopped after it returned, and known to be a pass (completed without the lock) when it was stopped before it
 * began; one in between may be either. Checked as they happen: two real holders never overlap; the stopper runs
 * once, with no real holder inside or still to come; a pass completes only once every real holder has released;
 * nothing throws. Checked at the end ({@link #verify}): every acquire and the stop completed (no waiter left
 * hanging); at each hand-over the lock went to the VIP waiting longest, or, with no VIP waiting, to the regular
 * waiting longest (a waiter counts as waiting at a release once its acquire returned before the release began;
 * as queued before another once its acquire returned before the other's began); the lock free at the end, or
 * stopped. Times are ticks of a logical clock, so the checks do not depend on timing.
 */
final class LockProbe {

  private enum Kind { REAL, PASS, EITHER }

  /** One acquire: who, when it began and returned, what it was known to be, when its holder released. */
  private static final class Use {
    final String name;
    final boolean vip;
    final long began;
    final long returned;
    final Kind kind;
    volatile long released = Long.MAX_VALUE;
    final Promise<Void> done = Promise.promise();

    Use(String name, boolean vip, long began, long returned, Kind kind) {
      this.name = name;
      this.vip = vip;
      this.began = began;
      this.returned = returned;
      this.kind = kind;
    }

    @Override
    public String toString() {
      return name + (vip ? "(vip)" : "") + "[" + began + "-" + returned + (released == Long.MAX_VALUE ? "" : ", released "
          + released) + "]" + (kind == Kind.REAL ? "" : " " + kind.name().toLowerCase());
    }
  }

  final DeferredLock lock;
  private final AtomicLong clock = new AtomicLong();
  private final AtomicInteger inside = new AtomicInteger();
  /** Known-real acquires whose holder has not released yet. */
  private final AtomicInteger realOutstanding = new AtomicInteger();
  private final AtomicInteger stopperRuns = new AtomicInteger();
  private final List<Use> uses = Collections.synchronizedList(new ArrayList<>());
  /** Known-real holders in the order they got the lock. */
  private final List<Use> grants = Collections.synchronizedList(new ArrayList<>());
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private volatile Future<Void> stop;
  private Use initial;

  LockProbe(Vertx vertx) {
    lock = DeferredLock.create(vertx);
    lock.addStopper(() -> {
      stopperRuns.incrementAndGet();
      if (inside.get() != 0 || realOutstanding.get() != 0) {
        violations.add("the stopper ran while " + inside.get() + " held the lock and " + realOutstanding.get()
            + " real acquire(s) had not released");
      }
      return Future.succeededFuture();
    });
  }

  /** Takes the free lock at once, as holder {@code name}; {@link #releaseHold()} releases it. */
  void hold(String name) {
    long began = clock.incrementAndGet();
    lock.acquire();
    if (!lock.isLocked()) {
      violations.add("acquire of the free lock did not take it at once");
    }
    initial = new Use(name, false, began, clock.incrementAndGet(), Kind.REAL);
    realOutstanding.incrementAndGet();
    uses.add(initial);
    grants.add(initial);
    initial.done.complete();
  }

  void releaseHold() {
    initial.released = clock.incrementAndGet();
    realOutstanding.decrementAndGet();
    release(initial);
  }

  /** Acquires, then in the callback holds the lock a moment and releases it; the Future completes after that. */
  Future<Void> use(String name, boolean vip) {
    long began = clock.incrementAndGet();
    boolean stoppedBefore = lock.isStopped();
    Future<Void> acquired = lock.acquire(vip);
    boolean stoppedAfter = lock.isStopped();
    long returned = clock.incrementAndGet();
    Kind kind = !stoppedAfter ? Kind.REAL : stoppedBefore ? Kind.PASS : Kind.EITHER;
    Use use = new Use(name, vip, began, returned, kind);
    uses.add(use);
    if (kind == Kind.REAL) {
      realOutstanding.incrementAndGet();
    }
    // Registered once the kind is known: the callback runs on the acquire's context, maybe on another thread.
    acquired.onComplete(ar -> {
      try {
        if (ar.failed()) {
          violations.add(name + "'s acquire failed: " + ar.cause());
        } else if (kind == Kind.REAL) {
          grants.add(use);
          if (inside.incrementAndGet() != 1) {
            violations.add(name + " got the lock while another real holder had it");
          }
          inside.decrementAndGet();
          use.released = clock.incrementAndGet();
          realOutstanding.decrementAndGet();
        } else if (kind == Kind.PASS && (!lock.isStopped() || realOutstanding.get() != 0 || inside.get() != 0)) {
          violations.add(name + " was let through by the stop while " + realOutstanding.get()
              + " real acquire(s) had not released");
        }
        release(use); // a pass's release does nothing
      } finally {
        use.done.complete();
      }
    });
    return use.done.future();
  }

  private void release(Use use) {
    try {
      lock.release();
    } catch (RuntimeException e) {
      violations.add(use.name + "'s release threw " + e);
    }
  }

  Future<Void> stop() {
    Future<Void> s = lock.stop();
    stop = s;
    return s;
  }

  /** The Futures of every use so far, and of the stop. */
  List<Future<Void>> pending() {
    List<Future<Void>> all = new ArrayList<>();
    synchronized (uses) {
      for (Use use : uses) {
        all.add(use.done.future());
      }
    }
    if (stop != null) {
      all.add(stop);
    }
    return all;
  }

  /** Once every use and the stop completed or were given up on: checks the outcome. */
  List<String> verify() {
    synchronized (uses) {
      for (Use use : uses) {
        if (!use.done.future().isComplete()) {
          violations.add(use.name + "'s acquire never completed");
        }
      }
    }
    checkOrder();
    Future<Void> s = stop;
    if (s != null) {
      if (!s.isComplete()) {
        violations.add("the stop never completed");
      } else if (stopperRuns.get() != 1) {
        violations.add("the stopper ran " + stopperRuns.get() + " times");
      }
      if (!lock.isStopped() || lock.isLocked()) {
        violations.add("after the stop the lock is " + (lock.isLocked() ? "locked" : "free") + " and "
            + (lock.isStopped() ? "stopped" : "not stopped"));
      }
    } else if (lock.isLocked() || stopperRuns.get() != 0) {
      violations.add("the lock is " + (lock.isLocked() ? "still locked" : "free") + ", the stopper ran "
          + stopperRuns.get() + " times");
    }
    return new ArrayList<>(violations);
  }

  /** At each release by a known-real holder, the next one must be the best of those known to be waiting. */
  private void checkOrder() {
    List<Use> order;
    synchronized (grants) {
      order = new ArrayList<>(grants);
    }
    for (int k = 0; k + 1 < order.size(); k++) {
      long release = order.get(k).released;
      Use next = order.get(k + 1);
      for (int j = k + 2; j < order.size(); j++) {
        Use waiting = order.get(j);
        if (waiting.returned >= release) {
          continue;
        }
        if (waiting.vip && !next.vip) {
          violations.add(next.name + " got the lock from " + order.get(k).name + " while VIP " + waiting.name
              + " waited");
        } else if (waiting.vip == next.vip && waiting.returned < next.began) {
          violations.add(next.name + " got the lock from " + order.get(k).name + " before " + waiting.name
              + ", who queued first");
        }
      }
    }
  }

  /** Every acquire with its times and kind, the order of the known-real holders, the stop. */
  String describe() {
    return "uses " + new ArrayList<>(uses) + "; real holders in order " + grants.stream().map(u -> u.name).toList()
        + (stop == null ? "" : "; stop " + (stop.isComplete() ? "complete" : "pending") + ", stopper ran "
            + stopperRuns.get());
  }
}
