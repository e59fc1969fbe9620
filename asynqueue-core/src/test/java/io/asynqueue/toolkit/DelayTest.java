package io.asynqueue.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Behaviours 39 and 40 of the original, with its {@code None}-on-shutdown bug fixed. Timing assertions are
 * lower bounds or generous upper bounds: the build machine is shared.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
final class DelayTest {

  static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  // ---------------------------------------------------------------- after

  @Test
  void after_200ms_completesNoEarlier(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx);
    long start = System.nanoTime();
    delay.after(Duration.ofMillis(200)).onComplete(tc.succeeding(v -> tc.verify(() -> {
      assertThat(millisSince(start)).isBetween(200L, 1_000L);
      tc.completeNow();
    })));
  }

  @Test
  void after_zero_completesOnNextTurnOfCallersContext(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx);
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> {
      Future<Void> f = delay.after(Duration.ZERO);
      tc.verify(() -> assertThat(f.isComplete()).isFalse());
      f.onComplete(tc.succeeding(x -> tc.verify(() -> {
        assertThat(Vertx.currentContext()).isSameAs(ctx);
        tc.completeNow();
      })));
    });
  }

  @Test
  void after_negative_throws(Vertx vertx) {
    Delay delay = Delay.create(vertx);
    assertThatThrownBy(() -> delay.after(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
  }

  // ---------------------------------------------------------------- untilEvent

  @Test
  void untilEvent_eventAt300ms_completesTrueAfterIt(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx);
    AtomicLong happenedAt = new AtomicLong();
    long start = System.nanoTime();
    vertx.setTimer(300, id -> happenedAt.set(System.nanoTime()));
    delay.untilEvent(() -> happenedAt.get() != 0).onComplete(tc.succeeding(happened -> tc.verify(() -> {
      assertThat(happened).isTrue();
      assertThat(millisSince(start)).isBetween(300L, 1_500L);
      assertThat(millisSince(happenedAt.get())).isLessThan(1_000L);
      tc.completeNow();
    })));
  }

  @Test
  void untilEvent_checksAtOnceThenOnContext(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx);
    Context ctx = vertx.getOrCreateContext();
    AtomicInteger checks = new AtomicInteger();
    ctx.runOnContext(v -> {
      Future<Boolean> f = delay.untilEvent(() -> checks.incrementAndGet() == 3);
      tc.verify(() -> assertThat(checks.get()).isEqualTo(1));
      f.onComplete(tc.succeeding(happened -> tc.verify(() -> {
        assertThat(happened).isTrue();
        assertThat(checks.get()).isEqualTo(3);
        assertThat(Vertx.currentContext()).isSameAs(ctx);
        tc.completeNow();
      })));
    });
  }

  @Test
  void untilEvent_trueAtOnce_returnsCompletedFuture(Vertx vertx) {
    Future<Boolean> f = Delay.create(vertx).untilEvent(() -> true);
    assertThat(f.isComplete()).isTrue();
    assertThat(f.result()).isTrue();
  }

  @Test
  void untilEvent_checkThrows_failsTheFuture(Vertx vertx, VertxTestContext tc) {
    IllegalStateException boom = new IllegalStateException("boom");
    AtomicInteger checks = new AtomicInteger();
    Delay.create(vertx).untilEvent(() -> {
      if (checks.incrementAndGet() == 4) {
        throw boom;
      }
      return false;
    }).onComplete(tc.failing(err -> tc.verify(() -> {
      assertThat(err).isSameAs(boom);
      tc.completeNow();
    })));
  }

  @Test
  void untilEvent_timeout300ms_neverTrue_completesFalse(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx, new DelayOptions().setTimeout(Duration.ofMillis(300)));
    long start = System.nanoTime();
    delay.untilEvent(() -> false).onComplete(tc.succeeding(happened -> tc.verify(() -> {
      assertThat(happened).isFalse();
      assertThat(millisSince(start)).isBetween(300L, 2_000L);
      tc.completeNow();
    })));
  }

  @Test
  void untilEvent_timeoutShorterThanTheInterval_endsAtTheTimeout(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx, new DelayOptions().setInterval(Duration.ofSeconds(3))
        .setTimeout(Duration.ofMillis(100)));
    long start = System.nanoTime();
    delay.untilEvent(() -> false).onComplete(tc.succeeding(happened -> tc.verify(() -> {
      assertThat(happened).isFalse();
      assertThat(millisSince(start)).isBetween(100L, 2_000L);
      tc.completeNow();
    })));
  }

  @Test
  void untilEvent_timeoutArgument_overridesOptions(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx, new DelayOptions().setTimeout(Duration.ofSeconds(30)));
    long start = System.nanoTime();
    delay.untilEvent(() -> false, Duration.ofMillis(100)).onComplete(tc.succeeding(happened -> tc.verify(() -> {
      assertThat(happened).isFalse();
      assertThat(millisSince(start)).isBetween(100L, 5_000L);
      tc.completeNow();
    })));
  }

  @Test
  void untilEvent_oneSecondWait_takesFewChecks(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx);
    AtomicInteger checks = new AtomicInteger();
    long start = System.nanoTime();
    delay.untilEvent(() -> {
      checks.incrementAndGet();
      return millisSince(start) >= 1_000;
    }).onComplete(tc.succeeding(happened -> tc.verify(() -> {
      // The original measured 51; 1 ms polling would take about 1000.
      assertThat(checks.get()).isBetween(10, 99);
      tc.completeNow();
    })));
  }

  // ---------------------------------------------------------------- shutdown

  @Test
  void shutdown_midWait_endsEveryWaitPromptly(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx);
    Checkpoint ended = tc.checkpoint(2);
    AtomicInteger checks = new AtomicInteger();
    AtomicLong shutdownAt = new AtomicLong();
    delay.untilEvent(() -> checks.incrementAndGet() < 0).onComplete(tc.succeeding(happened -> tc.verify(() -> {
      assertThat(happened).isFalse(); // the original gave None here
      assertThat(millisSince(shutdownAt.get())).isLessThan(500L);
      ended.flag();
    })));
    delay.after(Duration.ofSeconds(10)).onComplete(tc.succeeding(v -> tc.verify(() -> {
      assertThat(millisSince(shutdownAt.get())).isLessThan(5_000L);
      ended.flag();
    })));
    vertx.setTimer(200, id -> {
      shutdownAt.set(System.nanoTime());
      delay.shutdown();
    });
  }

  @Test
  void shutdown_cancelsEveryTimer(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx);
    long mark = LiveTimers.mark(vertx);
    AtomicInteger checks = new AtomicInteger();
    delay.untilEvent(() -> checks.incrementAndGet() < 0);
    delay.after(Duration.ofSeconds(10));
    vertx.setTimer(100, id -> {
      delay.shutdown();
      int atShutdown = checks.get();
      tc.verify(() -> assertThat(LiveTimers.since(vertx, mark, id)).isEmpty());
      vertx.setTimer(300, id2 -> tc.verify(() -> {
        assertThat(checks.get()).isEqualTo(atShutdown);
        tc.completeNow();
      }));
    });
  }

  @Test
  void shutdown_byTheCheckItself_schedulesNoMoreChecks(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx);
    long mark = LiveTimers.mark(vertx);
    AtomicInteger checks = new AtomicInteger();
    delay.untilEvent(() -> {
      if (checks.incrementAndGet() == 5) {
        delay.shutdown();
      }
      return false;
    }).onComplete(tc.succeeding(happened -> vertx.setTimer(100, id -> tc.verify(() -> {
      assertThat(happened).isFalse();
      assertThat(checks.get()).isEqualTo(5);
      assertThat(LiveTimers.since(vertx, mark, id)).isEmpty();
      tc.completeNow();
    }))));
  }

  @Test
  void untilEvent_timedOut_leavesNoTimer(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx);
    long mark = LiveTimers.mark(vertx);
    delay.untilEvent(() -> false, Duration.ofMillis(50)).onComplete(tc.succeeding(happened -> tc.verify(() -> {
      assertThat(happened).isFalse();
      assertThat(LiveTimers.since(vertx, mark)).isEmpty();
      tc.completeNow();
    })));
  }

  @Test
  void shutdown_fromAnotherThread_completesWaitsOnTheirOwnContext(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx);
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> {
      delay.untilEvent(() -> false).onComplete(tc.succeeding(happened -> tc.verify(() -> {
        assertThat(happened).isFalse();
        assertThat(Vertx.currentContext()).isSameAs(ctx);
        tc.completeNow();
      })));
      new Thread(delay::shutdown, "not-vertx").start();
    });
  }

  @Test
  void afterShutdown_callsDoNotWait(Vertx vertx, VertxTestContext tc) {
    Delay delay = Delay.create(vertx);
    delay.shutdown().onComplete(tc.succeeding(v -> tc.verify(() -> {
      assertThat(delay.isShutdown()).isTrue();
      Future<Void> after = delay.after(Duration.ofSeconds(10));
      AtomicInteger checks = new AtomicInteger();
      Future<Boolean> no = delay.untilEvent(() -> checks.incrementAndGet() < 0);
      Future<Boolean> yes = delay.untilEvent(() -> true);
      assertThat(after.succeeded()).isTrue();
      assertThat(no.result()).isFalse();
      assertThat(checks.get()).isEqualTo(1);
      assertThat(yes.result()).isTrue();
      tc.completeNow();
    })));
  }

  // ---------------------------------------------------------------- options

  @Test
  void options_backoffOutOfRange_throwsAtOnce() {
    assertThatThrownBy(() -> new DelayOptions().setBackoff(1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DelayOptions().setBackoff(0.99)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DelayOptions().setBackoff(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DelayOptions(new JsonObject().put("backoff", 1.5)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new DelayOptions().setBackoff(1.0).getBackoff()).isEqualTo(1.0);
    assertThat(new DelayOptions().setBackoff(1.3).getBackoff()).isEqualTo(1.3);
  }

  @Test
  void options_invalidDurations_throw() {
    assertThatThrownBy(() -> new DelayOptions().setInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DelayOptions().setTimeout(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new DelayOptions().setTimeout(Duration.ofSeconds(1)).setTimeout(null).getTimeout()).isNull();
  }

  @Test
  void options_defaultsCopyAndJson() {
    DelayOptions defaults = new DelayOptions();
    assertThat(defaults.getInterval()).isEqualTo(Duration.ofMillis(1));
    assertThat(defaults.getBackoff()).isEqualTo(1.10);
    assertThat(defaults.getTimeout()).isNull();
    assertThat(defaults.toJson().containsKey("timeoutMillis")).isFalse();

    DelayOptions options = new DelayOptions().setInterval(Duration.ofMillis(5)).setBackoff(1.2)
        .setTimeout(Duration.ofSeconds(3));
    DelayOptions fromJson = new DelayOptions(options.toJson());
    DelayOptions copy = new DelayOptions(options);
    for (DelayOptions o : new DelayOptions[] {fromJson, copy}) {
      assertThat(o.getInterval()).isEqualTo(Duration.ofMillis(5));
      assertThat(o.getBackoff()).isEqualTo(1.2);
      assertThat(o.getTimeout()).isEqualTo(Duration.ofSeconds(3));
    }
    assertThat(new DelayOptions(new JsonObject()).toJson()).isEqualTo(defaults.toJson());
    assertThat(new DelayOptions().setInterval(Duration.ofNanos(10)).toJson().getLong("intervalMillis"))
        .isEqualTo(1L);
  }

  @Test
  void create_copiesTheOptions(Vertx vertx) {
    DelayOptions options = new DelayOptions().setBackoff(1.2);
    Delay delay = Delay.create(vertx, options);
    options.setBackoff(1.0);
    assertThat(delay.options().getBackoff()).isEqualTo(1.2);
  }
}
