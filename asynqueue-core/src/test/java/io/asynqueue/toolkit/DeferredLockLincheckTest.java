package io.asynqueue.toolkit;

import io.asynqueue.DrivenVertx;
import io.asynqueue.Rounds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Model checking (Lincheck) of {@link DeferredLockImpl}: acquires (regular and VIP), releases and {@code stop()}
 * from several threads.
 *
 * <p>Lincheck generates small scenarios of the operations of {@link Lock} and explores their interleavings on
 * two or three threads. Each operation binds its thread to a driven context ({@link DrivenVertx}): the lock
 * completes an acquire through the context's task queue, which the operation's own thread runs, spinning, until
 * its use of the lock is over. So no Vert.x thread takes part and a waiter left hanging spins for ever, which
 * Lincheck reports with the interleaving that led to it. {@link LockProbe} checks mutual exclusion, VIPs first
 * and first come first served at each hand-over, the stopper once and after every real holder, and passes only
 * after them. Checks inside the explored code report with AssertJ's static {@code fail} (see
 * {@code io.asynqueue.TaskQueueIntakeLincheckTest}). Scenarios and interleavings: the same properties as there.
 */
final class DeferredLockLincheckTest {

  static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = DrivenVertx.create();
  }

  @AfterAll
  static void closeVertx() {
    vertx.close(); // not awaited: see io.asynqueue.TaskQueueIntakeLincheckTest
  }

  @Test
  void acquireReleaseStop_exclusiveVipsFirstNoneHangs() {
    DrivenVertx.lincheck(2, 25).threads(3).actorsPerThread(2).actorsBefore(1).actorsAfter(1)
        .check(Lock.class);
  }

  /** The operations: a use of the lock (acquire, hold, release), as a regular or a VIP waiter, and a stop. */
  public static final class Lock {
    private final LockProbe probe = new LockProbe(vertx);
    private final AtomicInteger uses = new AtomicInteger();

    @Operation
    public void use() {
      use(false);
    }

    @Operation
    public void useAsVip() {
      use(true);
    }

    private void use(boolean vip) {
      DrivenVertx.Tasks tasks = DrivenVertx.bind();
      int n = uses.incrementAndGet();
      Future<Void> done = probe.use((vip ? "V" : "r") + n, vip);
      tasks.runUntil(done::isComplete);
    }

    @Operation
    public void stop() {
      DrivenVertx.Tasks tasks = DrivenVertx.bind();
      Future<Void> stopped = probe.stop();
      tasks.runUntil(stopped::isComplete);
    }

    @Validate
    public void verify() {
      List<String> violations = probe.verify();
      if (!violations.isEmpty()) {
        Assertions.fail(String.join("\n", violations) + "\noutcome: " + probe.describe());
      }
    }
  }
}
