package io.asynqueue.toolkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.DrivenVertx;
import io.asynqueue.Rounds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stress test, in the style of jcstress, of {@link DeferredLockImpl} on real Vert.x event loops: acquires
 * (regular and VIP), the release of a holder and {@code stop()} racing.
 *
 * <p>Each round the main thread takes a new lock ({@link LockProbe#hold}), then releases three threads at once
 * ({@link Rounds}): two acquire it (each use holds the lock in its callback, on an event loop, and releases it)
 * while the third releases the first holding, or stops the lock. The main thread then waits, at most {@value
 * #WAIT_SECONDS} s, for every acquire and the stop to complete (a waiter left hanging shows as one that never
 * completed), and {@link LockProbe#verify()} checks the outcome: mutual exclusion, VIPs first and first come
 * first served at every hand-over, the stopper once and after every real holder, passes only after them. A
 * failure names the round and shows every acquire with the logical times it began and returned. Rounds per test:
 * at least {@value Rounds#MIN_ROUNDS}, then until {@code -Dasynqueue.stress.millis} (default
 * {@value Rounds#DEFAULT_MILLIS}) have passed.
 */
final class DeferredLockStressTest {

  static final int WAIT_SECONDS = 10;

  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().await();
  }

  private static void race(List<Consumer<LockProbe>> actors) {
    Rounds.run(Rounds.MIN_ROUNDS, Rounds.MAX_ROUNDS, Rounds.budget(), () -> {
      LockProbe probe = new LockProbe(vertx);
      probe.hold("h");
      return probe;
    }, actors, (probe, round) -> {
      awaitAll(probe);
      List<String> violations = probe.verify();
      assertThat(violations).as("round %d: %s", round, probe.describe()).isEmpty();
    });
  }

  /** Waits a while for every acquire and the stop; what is still pending then, verify reports. */
  private static void awaitAll(LockProbe probe) {
    try {
      Future.join(probe.pending()).toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // reported by verify()
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void acquireAndRelease_mutualExclusionVipsFirst() {
    race(List.of(
        probe -> {
          probe.use("a", false);
          probe.use("b", false);
        },
        probe -> {
          probe.use("V", true);
          probe.use("W", true);
        },
        LockProbe::releaseHold));
  }

  @Test
  void stopWhileHeld_noWaiterHangs_stopperRunsLast() {
    race(List.of(
        probe -> {
          probe.use("a", false);
          probe.use("V", true);
        },
        LockProbe::stop,
        LockProbe::releaseHold));
  }
}
