package io.asynqueue.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Behaviour 43 of the original, with its hang of {@code stop()} while held fixed. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
final class DeferredLockTest {

  /** Waits for the lock, records {@code name}, and releases it. */
  static Future<Void> takeTurn(DeferredLock lock, boolean vip, String name, List<String> order) {
    return lock.acquire(vip).map(v -> {
      order.add(name);
      lock.release();
      return null;
    });
  }

  static Future<Void> timed(Vertx vertx, long millis) {
    Promise<Void> promise = Promise.promise();
    vertx.setTimer(millis, id -> promise.complete());
    return promise.future();
  }

  // ---------------------------------------------------------------- order

  @Test
  void waiters_getTheLockVipsFirst_thenFirstComeFirstServed(Vertx vertx, VertxTestContext tc) {
    DeferredLock lock = DeferredLock.create(vertx);
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    vertx.getOrCreateContext().runOnContext(v -> lock.acquire().onSuccess(held -> {
      Future<Void> all = Future.all(List.of(
          takeTurn(lock, false, "a", order),
          takeTurn(lock, false, "b", order),
          takeTurn(lock, true, "V1", order),
          takeTurn(lock, false, "c", order),
          takeTurn(lock, true, "V2", order))).mapEmpty();
      tc.verify(() -> assertThat(lock.isLocked()).isTrue());
      lock.release();
      all.onComplete(tc.succeeding(x -> tc.verify(() -> {
        assertThat(order).containsExactly("V1", "V2", "a", "b", "c");
        assertThat(lock.isLocked()).isFalse();
        tc.completeNow();
      })));
    }));
  }

  @Test
  void release_notHeld_throws(Vertx vertx) {
    DeferredLock lock = DeferredLock.create(vertx);
    assertThatThrownBy(lock::release).isInstanceOf(IllegalStateException.class);
    assertThat(lock.acquire().isComplete()).isTrue(); // free: at once
    assertThat(lock.isLocked()).isTrue();
    lock.release();
    assertThatThrownBy(lock::release).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void handOver_completesOnTheWaitersContext_notInsideRelease(Vertx vertx, VertxTestContext tc) {
    DeferredLock lock = DeferredLock.create(vertx);
    Context ctx = vertx.getOrCreateContext();
    AtomicBoolean released = new AtomicBoolean();
    lock.acquire(); // held by this test's thread
    ctx.runOnContext(v -> {
      lock.acquire().onComplete(tc.succeeding(x -> tc.verify(() -> {
        assertThat(released.get()).isTrue();
        assertThat(Vertx.currentContext()).isSameAs(ctx);
        tc.completeNow();
      })));
      ctx.runOnContext(v2 -> {
        lock.release(); // on the waiter's own context: must not run its callback inline
        released.set(true);
      });
    });
  }

  // ---------------------------------------------------------------- withLock

  @Test
  void withLock_excludesAndAlwaysReleases(Vertx vertx, VertxTestContext tc) {
    DeferredLock lock = DeferredLock.create(vertx);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      boolean fail = i % 2 == 0;
      results.add(lock.withLock(i == 3, () -> {
        mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
        return timed(vertx, 20).compose(v -> {
          inside.decrementAndGet();
          return fail ? Future.failedFuture("boom") : Future.succeededFuture("ok");
        });
      }));
    }
    Future<String> thrown = lock.withLock(false, () -> {
      throw new IllegalStateException("thrown");
    });
    Future.join(new ArrayList<Future<?>>(results)).eventually(() -> thrown).onComplete(ar -> tc.verify(() -> {
      assertThat(mostInside.get()).isEqualTo(1);
      assertThat(results).extracting(Future::succeeded).containsExactly(false, true, false, true, false);
      assertThat(thrown.cause()).hasMessage("thrown");
      assertThat(lock.isLocked()).isFalse();
      tc.completeNow();
    }));
  }

  // ---------------------------------------------------------------- stop

  @Test
  void stop_whileHeld_completesAfterRelease_withStoppersInOrder(Vertx vertx, VertxTestContext tc) {
    DeferredLock lock = DeferredLock.create(vertx);
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    lock.addStopper(() -> timed(vertx, 50).onSuccess(v -> events.add("s1")));
    lock.addStopper(() -> {
      events.add("s2");
      return Future.succeededFuture();
    });
    lock.acquire();
    Future<Void> stopped = lock.stop();
    assertThat(lock.isStopped()).isTrue();
    vertx.setTimer(200, id -> {
      tc.verify(() -> {
        assertThat(stopped.isComplete()).isFalse(); // still held
        assertThat(events).isEmpty();
      });
      events.add("released");
      lock.release();
    });
    stopped.onComplete(tc.succeeding(v -> tc.verify(() -> {
      assertThat(events).containsExactly("released", "s1", "s2");
      assertThat(lock.isLocked()).isFalse();
      tc.completeNow();
    })));
  }

  @Test
  void stop_letsTheWaitersQueuedBeforeItGoFirst(Vertx vertx, VertxTestContext tc) {
    DeferredLock lock = DeferredLock.create(vertx);
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    lock.addStopper(() -> {
      order.add("stopper");
      return Future.succeededFuture();
    });
    vertx.getOrCreateContext().runOnContext(x -> { // one context: the order of completions is defined
      lock.acquire();
      takeTurn(lock, false, "a", order);
      takeTurn(lock, true, "V", order);
      Future<Void> stopped = lock.stop();
      Future<Void> late = lock.acquire(true).onSuccess(v -> order.add("late"));
      lock.release();
      stopped.onComplete(tc.succeeding(v -> tc.verify(() -> {
        assertThat(late.succeeded()).isTrue();
        assertThat(order).containsExactly("V", "a", "late", "stopper");
        tc.completeNow();
      })));
    });
  }

  @Test
  void acquire_afterStop_completesAtOnceWithoutTheLock(Vertx vertx, VertxTestContext tc) {
    DeferredLock lock = DeferredLock.create(vertx);
    AtomicInteger stoppers = new AtomicInteger();
    lock.addStopper(() -> {
      stoppers.incrementAndGet();
      return lock.acquire(); // a stopper may use the lock: no deadlock
    });
    lock.stop().onComplete(tc.succeeding(v -> tc.verify(() -> {
      assertThat(stoppers.get()).isEqualTo(1);
      Future<Void> acquired = lock.acquire();
      assertThat(acquired.succeeded()).isTrue();
      assertThat(lock.isLocked()).isFalse();
      lock.release(); // a no-op once stopped
      assertThat(lock.stop()).isSameAs(lock.stop());
      assertThatThrownBy(() -> lock.addStopper(Future::succeededFuture))
          .isInstanceOf(IllegalStateException.class);
      tc.completeNow();
    })));
  }

  @Test
  void stop_failingStoppers_stillAllRun_andStopFailsWithTheFirst(Vertx vertx, VertxTestContext tc) {
    DeferredLock lock = DeferredLock.create(vertx);
    AtomicBoolean lastRan = new AtomicBoolean();
    lock.addStopper(() -> Future.failedFuture(new IllegalStateException("first")));
    lock.addStopper(() -> {
      throw new IllegalStateException("second");
    });
    lock.addStopper(() -> {
      lastRan.set(true);
      return Future.succeededFuture();
    });
    lock.stop().onComplete(tc.failing(err -> tc.verify(() -> {
      assertThat(err).hasMessage("first");
      assertThat(err.getSuppressed()).extracting(Throwable::getMessage).containsExactly("second");
      assertThat(lastRan.get()).isTrue();
      assertThat(lock.isLocked()).isFalse();
      tc.completeNow();
    })));
  }

  @Test
  void stop_completesOnTheStopCallersContext(Vertx vertx, VertxTestContext tc) {
    DeferredLock lock = DeferredLock.create(vertx);
    Context ctx = vertx.getOrCreateContext();
    lock.addStopper(() -> {
      tc.verify(() -> assertThat(Vertx.currentContext()).isSameAs(ctx));
      Promise<Void> done = Promise.promise();
      new Thread(done::complete, "not-vertx").start(); // completes off the context
      return done.future();
    });
    lock.addStopper(() -> {
      tc.verify(() -> assertThat(Vertx.currentContext()).isSameAs(ctx));
      return Future.succeededFuture();
    });
    lock.acquire();
    ctx.runOnContext(v -> {
      lock.stop().onComplete(tc.succeeding(x -> tc.verify(() -> {
        assertThat(Vertx.currentContext()).isSameAs(ctx);
        tc.completeNow();
      })));
      new Thread(lock::release, "not-vertx").start();
    });
  }
}
