package io.asynqueue.toolkit;

import static io.asynqueue.toolkit.DelayTest.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Behaviours 41 and 42 of the original, event-driven instead of polled. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
final class DeferredTrackerTest {

  /** A Future completed by a timer after {@code millis}. */
  static Future<Void> timed(Vertx vertx, long millis) {
    Promise<Void> promise = Promise.promise();
    vertx.setTimer(millis, id -> promise.complete());
    return promise.future();
  }

  // ---------------------------------------------------------------- untilFewer, all, any

  @Test
  void untilFewer50_of100RampingOverOneSecond_completesWhenFewer(Vertx vertx, VertxTestContext tc) {
    DeferredTracker tracker = DeferredTracker.create(vertx);
    vertx.getOrCreateContext().runOnContext(v -> {
      long start = System.nanoTime();
      for (int i = 1; i <= 100; i++) {
        tracker.put(timed(vertx, i * 10L));
      }
      tracker.untilFewer(50).onComplete(tc.succeeding(fewer -> tc.verify(() -> {
        assertThat(fewer).isTrue();
        assertThat(tracker.count()).isBetween(1, 49);
        assertThat(millisSince(start)).isGreaterThanOrEqualTo(510L); // the 51st timer
        tc.completeNow();
      })));
    });
  }

  @Test
  void all_nothingTracked_completesAtOnce(Vertx vertx) {
    Future<Boolean> all = DeferredTracker.create(vertx).all();
    assertThat(all.isComplete()).isTrue();
    assertThat(all.result()).isTrue();
  }

  @Test
  void all_completesWhenTheLastOneDoes(Vertx vertx, VertxTestContext tc) {
    DeferredTracker tracker = DeferredTracker.create(vertx);
    long start = System.nanoTime();
    tracker.put(timed(vertx, 50));
    tracker.put(timed(vertx, 150));
    tracker.put(timed(vertx, 100));
    tracker.all().onComplete(tc.succeeding(all -> tc.verify(() -> {
      assertThat(all).isTrue();
      assertThat(tracker.count()).isZero();
      assertThat(millisSince(start)).isGreaterThanOrEqualTo(150L);
      tc.completeNow();
    })));
  }

  @Test
  void all_timeout_completesFalse(Vertx vertx, VertxTestContext tc) {
    DeferredTracker tracker = DeferredTracker.create(vertx);
    tracker.put(Promise.promise().future()); // never completes
    long start = System.nanoTime();
    tracker.all(Duration.ofMillis(300)).onComplete(tc.succeeding(all -> tc.verify(() -> {
      assertThat(all).isFalse();
      assertThat(tracker.count()).isEqualTo(1);
      assertThat(millisSince(start)).isBetween(300L, 2_000L);
      tc.completeNow();
    })));
  }

  @Test
  void all_satisfiedBeforeTimeout_completesTrueAndCancelsTheTimeout(Vertx vertx, VertxTestContext tc) {
    DeferredTracker tracker = DeferredTracker.create(vertx);
    tracker.put(timed(vertx, 20));
    long mark = LiveTimers.mark(vertx);
    long start = System.nanoTime();
    tracker.all(Duration.ofSeconds(5)).onComplete(tc.succeeding(all -> tc.verify(() -> {
      assertThat(all).isTrue();
      assertThat(millisSince(start)).isLessThan(4_000L);
      assertThat(LiveTimers.since(vertx, mark)).isEmpty(); // the timeout's timer is cancelled
      tc.completeNow();
    })));
  }

  @Test
  void any_completesWhenOneOfThePendingDoes(Vertx vertx, VertxTestContext tc) {
    DeferredTracker tracker = DeferredTracker.create(vertx);
    assertThat(tracker.any().result()).isTrue(); // nothing pending
    vertx.getOrCreateContext().runOnContext(v -> {
      long start = System.nanoTime();
      tracker.put(timed(vertx, 300));
      tracker.put(timed(vertx, 100));
      tracker.put(timed(vertx, 200));
      tracker.any().onComplete(tc.succeeding(any -> tc.verify(() -> {
        assertThat(any).isTrue();
        assertThat(tracker.count()).isEqualTo(2);
        assertThat(millisSince(start)).isGreaterThanOrEqualTo(100L);
        tc.completeNow();
      })));
    });
  }

  @Test
  void failedFutures_countAsDone_andPutReturnsTheFuture(Vertx vertx, VertxTestContext tc) {
    DeferredTracker tracker = DeferredTracker.create(vertx);
    Promise<String> promise = Promise.promise();
    Future<String> put = tracker.put(promise.future());
    assertThat(put).isSameAs(promise.future());
    assertThat(tracker.count()).isEqualTo(1);
    tracker.all().onComplete(tc.succeeding(all -> tc.verify(() -> {
      assertThat(all).isTrue();
      assertThat(put.failed()).isTrue();
      tc.completeNow();
    })));
    promise.fail("boom");
  }

  // ---------------------------------------------------------------- quitWaiting, manual waits

  @Test
  void quitWaiting_releasesWaitersAtOnce(Vertx vertx, VertxTestContext tc) {
    DeferredTracker tracker = DeferredTracker.create(vertx);
    Checkpoint released = tc.checkpoint(3);
    long start = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      tracker.put(timed(vertx, 5_000 + i * 100L));
    }
    tracker.all().onComplete(tc.succeeding(all -> tc.verify(() -> {
      assertThat(all).isTrue();
      assertThat(tracker.count()).isEqualTo(5);
      assertThat(millisSince(start)).isBetween(200L, 3_000L);
      released.flag();
    })));
    long mark = LiveTimers.mark(vertx);
    tracker.untilFewer(2, Duration.ofSeconds(30)).onComplete(tc.succeeding(fewer -> tc.verify(() -> {
      assertThat(fewer).isTrue();
      released.flag();
    })));
    vertx.setTimer(200, id -> {
      tracker.quitWaiting();
      tc.verify(() -> assertThat(LiveTimers.since(vertx, mark, id)).isEmpty());
      released.flag();
    });
  }

  @Test
  void manualWaits_countLikeFutures(Vertx vertx, VertxTestContext tc) {
    DeferredTracker tracker = DeferredTracker.create(vertx);
    tracker.addWait();
    tracker.addWait();
    Future<Boolean> all = tracker.all();
    tracker.removeWait();
    assertThat(all.isComplete()).isFalse();
    all.onComplete(tc.succeeding(ok -> tc.verify(() -> {
      assertThat(ok).isTrue();
      assertThatThrownBy(tracker::removeWait).isInstanceOf(IllegalStateException.class);
      tc.completeNow();
    })));
    tracker.removeWait();
  }

  @Test
  void invalidArguments_throw(Vertx vertx) {
    DeferredTracker tracker = DeferredTracker.create(vertx);
    assertThatThrownBy(() -> tracker.untilFewer(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tracker.all(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tracker.put(null)).isInstanceOf(NullPointerException.class);
  }

  // ---------------------------------------------------------------- threading

  @Test
  void waiter_completesOnItsCallersContext_whateverThreadCompletesTheFuture(Vertx vertx,
      VertxTestContext tc) {
    DeferredTracker tracker = DeferredTracker.create(vertx);
    Context ctx = vertx.getOrCreateContext();
    Promise<Void> promise = Promise.promise();
    tracker.put(promise.future());
    ctx.runOnContext(v -> {
      tracker.all().onComplete(tc.succeeding(all -> tc.verify(() -> {
        assertThat(Vertx.currentContext()).isSameAs(ctx);
        tc.completeNow();
      })));
      new Thread(promise::complete, "not-vertx").start();
    });
  }
}
