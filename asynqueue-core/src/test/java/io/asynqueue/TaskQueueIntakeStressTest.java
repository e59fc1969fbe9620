package io.asynqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stress test, in the style of jcstress, of the lock-free intake of {@link TaskQueueImpl} racing with settling
 * and with {@code shutdown()}/{@code shutdownNow()}. The shutdown races are here rather than in
 * {@link TaskQueueIntakeLincheckTest} because a shutdown sets (and cancels) a stop timer on a Netty event-loop
 * thread that Lincheck does not control: started inside a Lincheck run, that thread is taken for one of the
 * test's and waited for, for ever ("Concurrent test has hung"); started before the run, runs still hung now
 * and then.
 *
 * <p>Each round makes a new queue whose one worker ({@link IntakeProbe.RecordingWorker}) holds call 0, then
 * releases three threads at once ({@link Rounds}) that submit calls, settle and shut the queue down; once they
 * are done, {@link IntakeProbe#verify()} checks every outcome (no call lost or run twice, every Future completed
 * once with its own value or refused by the shutdown, load 0/0, the shutdown complete only once nothing is held).
 * A failure names the round and shows every call's outcome with the logical times it began and returned. Rounds
 * per test: at least {@value Rounds#MIN_ROUNDS}, then until {@code -Dasynqueue.stress.millis} (default {@value
 * Rounds#DEFAULT_MILLIS}) have passed, at most {@value Rounds#MAX_ROUNDS}.
 */
final class TaskQueueIntakeStressTest {


  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().await();
  }

  private static void race(int capacity, boolean settleOddInRun, List<Consumer<IntakeProbe>> actors) {
    Rounds.run(Rounds.MIN_ROUNDS, Rounds.MAX_ROUNDS, Rounds.budget(), () -> {
      IntakeProbe probe = new IntakeProbe(vertx, capacity, settleOddInRun);
      probe.call(); // call 0: held by the worker
      return probe;
    }, actors.stream().map(TaskQueueIntakeStressTest::guarded).toList(), (probe, round) -> {
      List<String> violations = probe.verify();
      assertThat(violations).as("round %d: %s", round, probe.describe()).isEmpty();
    });
  }

  private static Consumer<IntakeProbe> guarded(Consumer<IntakeProbe> actor) {
    return probe -> {
      try {
        actor.accept(probe);
      } catch (Throwable t) {
        probe.thrown(t);
      }
    };
  }

  @Test
  void submitAndSettle_noCallLostOrRunTwice() {
    // Odd calls are settled by the worker inside run, even ones (call 0 among them) wait for the test.
    race(2, true, List.of(
        probe -> {
          probe.call();
          probe.call();
        },
        probe -> {
          probe.call();
          probe.call();
        },
        probe -> {
          probe.settle(0);
          probe.settleOldest();
        }));
  }

  @Test
  void submitSettleShutdown_everyFutureCompletesOnce() {
    race(1, false, List.of(
        probe -> {
          probe.call();
          probe.call();
        },
        probe -> probe.settle(0),
        probe -> probe.shutdown(false)));
  }

  @Test
  void submitSettleShutdownNow_everyFutureCompletesOnce() {
    race(1, false, List.of(
        probe -> {
          probe.call();
          probe.call();
        },
        probe -> probe.settle(0),
        probe -> probe.shutdown(true)));
  }
}
