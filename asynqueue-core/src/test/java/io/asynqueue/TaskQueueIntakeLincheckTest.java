package io.asynqueue;

import io.vertx.core.Vertx;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Model checking (Lincheck) of the lock-free intake of {@link TaskQueueImpl}: calls pushed on {@code incoming},
 * attempts settled onto {@code settledJobs}, the {@code wip} election of the thread that does the bookkeeping,
 * and the pairing of {@code idleCount} with {@code submit}.
 *
 * <p>Lincheck generates small scenarios of the operations of {@link Intake} (submit a call, settle the oldest
 * job the worker holds; the worker settles some calls itself inside {@code run}), runs them on two or three of
 * its own threads, and explores their interleavings: every read and write of shared memory in the queue is a
 * possible switch point. Vert.x (contexts, promises) is treated as atomic steps. The operations return nothing
 * (a call may legitimately still wait for another thread's bookkeeping when {@code submit} returns, so results
 * are not linearizable); what is checked is the state once the threads are done, in
 * {@link IntakeProbe#verify()}: no call waits while the worker has a free slot (a call lost by the intake), no
 * job handed over twice, and then, settling what the worker still holds, every call's Future completed with its
 * own value, and load back to 0/0. A promise completed twice throws in the thread that does it, which fails the
 * scenario too. The Future's callbacks are not involved: none is registered.
 *
 * <p>Shutdown is left to {@link TaskQueueIntakeStressTest}: its stop timer runs on a Netty event-loop thread,
 * which Lincheck does not control (see that class). The queue's contexts are driven ones ({@link DrivenVertx})
 * and the calls have no callbacks, so no Vert.x thread runs any code here. Checks inside the explored code
 * collect violations and report them with AssertJ's static {@code fail}: Lincheck 3.7 calls {@code equals} on
 * the receiver of each call it intercepts, which an AssertJ assertion object refuses.
 *
 * <p>The build explores {@value #DEFAULT_ITERATIONS} scenarios in {@value #DEFAULT_INVOCATIONS} interleavings
 * each (model checking costs tens of milliseconds an interleaving here); a deeper run:
 * {@code mvn -pl asynqueue-core verify -Dtest='*LincheckTest' -Dasynqueue.lincheck.iterations=30
 * -Dasynqueue.lincheck.invocations=200}.
 */
final class TaskQueueIntakeLincheckTest {

  static final int DEFAULT_ITERATIONS = 4;
  static final int DEFAULT_INVOCATIONS = 25;

  static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = DrivenVertx.create();
  }

  @AfterAll
  static void closeVertx() {
    // Not awaited: after Lincheck's runs, which snapshot and restore the state they touch (this instance's
    // included), its close never completes. No Vert.x thread was started, so nothing is left running.
    vertx.close();
  }

  static ModelCheckingOptions options() {
    return DrivenVertx.lincheck(DEFAULT_ITERATIONS, DEFAULT_INVOCATIONS);
  }

  @Test
  void submitAndSettle_noCallLostOrRunTwice() {
    options().threads(3).actorsPerThread(2).actorsBefore(2).actorsAfter(1).check(Intake.class);
  }

  static IntakeProbe probe() {
    DrivenVertx.bind();
    return new IntakeProbe(vertx, 1, true);
  }

  /** Fails with every violation and the outcome; AssertJ's static fail, as its assertion objects refuse equals. */
  static void check(IntakeProbe probe) {
    List<String> violations = probe.verify();
    if (!violations.isEmpty()) {
      Assertions.fail(String.join("\n", violations) + "\noutcome: " + probe.describe());
    }
  }

  /**
   * The operations: a worker of capacity 1 that settles the odd calls inside {@code run} (so the settling
   * thread is the one that offered the job) and leaves the even ones to {@link #settle()}.
   */
  public static final class Intake {
    private final IntakeProbe in = probe();

    @Operation
    public void call() {
      in.call();
    }

    @Operation
    public void settle() {
      in.settleOldest();
    }

    @Validate
    public void verify() {
      check(in);
    }
  }
}
