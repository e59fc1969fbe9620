package io.asynqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.spi.Job;
import io.asynqueue.spi.Worker;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The queue's side of failures, with test doubles for workers that lose, refuse, hang or resign: logging,
 * lost jobs, detaching, shutdown (behaviours 15-25 with the original's bugs fixed). What every worker kind does
 * is in the contract suite, {@link io.asynqueue.contract.WorkerContractTest}.
 */
@ExtendWith(VertxExtension.class)
final class TaskQueueFailureTest {

  static int divide(int a, int b) {
    return a / b;
  }

  static int timesTwo(int x) {
    return x * 2;
  }

  /* --------------------------------------------------------------- logging */

  @Test
  void spew_logsEveryCallWithItsResult(Vertx vertx, VertxTestContext test) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    TaskQueue q = ThreadQueue.create(vertx, 1, new TaskQueueOptions().setSpew(true));
    List<Future<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(q.call(TaskQueueFailureTest::timesTwo, i));
    }
    Future.all(calls).onComplete(ar -> {
      System.setErr(original);
      test.verify(() -> {
        assertThat(ar.succeeded()).isTrue();
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("timesTwo(3) -> 6");
        assertThat(log.lines().filter(l -> l.contains("timesTwo(")).count()).isEqualTo(10);
        test.completeNow();
      });
    });
  }

  /* --------------------------------------------------------------- lost workers */

  /** A worker that crashes the first time it is given a job; the queue sees the job lost. */
  static class FlakyWorker implements Worker {
    final AtomicInteger runs = new AtomicInteger();
    WorkerSupervisor supervisor;

    @Override
    public int capacity() {
      return 1;
    }

    @Override
    public Future<Void> start(WorkerSupervisor s) {
      supervisor = s;
      return Future.succeededFuture();
    }

    @Override
    public void run(Job job) {
      if (runs.incrementAndGet() == 1) {
        job.fail(new WorkerLostException("child died"));
      } else {
        job.complete("ran on attempt " + runs.get());
      }
    }

    @Override
    public void cancel(Job job) {
    }

    @Override
    public Future<Void> stop() {
      return Future.succeededFuture();
    }

    @Override
    public List<Job> crash() {
      return List.of();
    }
  }

  @Test
  void lostJob_failsWithWorkerLost_withoutRetries(Vertx vertx, VertxTestContext test) {
    TaskQueue q = TaskQueue.create(vertx);
    q.attachWorker(new FlakyWorker());
    q.call(() -> "x").onComplete(test.failing(e -> test.verify(() -> {
      assertThat(e).isInstanceOf(WorkerLostException.class);
      test.completeNow();
    })));
  }

  @Test
  void lostJob_isRetried_whenTheCallAllows(Vertx vertx, VertxTestContext test) {
    TaskQueue q = TaskQueue.create(vertx);
    q.attachWorker(new FlakyWorker());
    q.call(() -> "x", new CallOptions().setRetries(1)).onComplete(test.succeeding(r -> test.verify(() -> {
      assertThat(r).isEqualTo("ran on attempt 2");
      test.completeNow();
    })));
  }

  @Test
  void resign_detachesTheWorker_andItsJobsGoElsewhereWhenAllowed(Vertx vertx, VertxTestContext test)
      throws Exception {
    TaskQueue q = TaskQueue.create(vertx);
    HangingWorker hanging = new HangingWorker();
    q.attachWorker(hanging);
    Future<String> retried = q.call(() -> "retried", new CallOptions().setRetries(1));
    Future<String> failed = q.call(() -> "failed", new CallOptions().setSeries("only-hanging"));
    assertThat(hanging.received.await(10, TimeUnit.SECONDS)).isTrue();
    hanging.supervisor.resign(new IllegalStateException("connection lost"));
    assertThat(q.size()).isZero();
    q.attachWorker(Workers.thread(1, Set.of("other")));
    Future.join(retried, failed).onComplete(v -> test.verify(() -> {
      assertThat(retried.result()).isEqualTo("retried");
      assertThat(failed.cause()).isInstanceOf(WorkerLostException.class);
      assertThat(failed.cause().getCause()).hasMessage("connection lost");
      test.completeNow();
    }));
  }

  /** Takes jobs and never finishes them. */
  static final class HangingWorker implements Worker {
    final CountDownLatch received = new CountDownLatch(2);
    final List<Job> held = new CopyOnWriteArrayList<>();
    final AtomicInteger crashes = new AtomicInteger();
    WorkerSupervisor supervisor;

    @Override
    public Set<String> series() {
      return Set.of("only-hanging");
    }

    @Override
    public int capacity() {
      return 2;
    }

    @Override
    public Future<Void> start(WorkerSupervisor s) {
      supervisor = s;
      return Future.succeededFuture();
    }

    @Override
    public void run(Job job) {
      held.add(job);
      received.countDown();
    }

    @Override
    public void cancel(Job job) {
    }

    @Override
    public Future<Void> stop() {
      return Promise.<Void>promise().future();
    }

    @Override
    public List<Job> crash() {
      crashes.incrementAndGet();
      return held;
    }
  }

  /** Fails every job at once, inside run(), as a worker does for an argument it cannot send. */
  static final class RefusingWorker extends FlakyWorker {
    @Override
    public void run(Job job) {
      job.fail(new IllegalArgumentException("cannot serialize " + job.describe()));
    }
  }

  @Test
  void jobsFailingInsideRun_manyQueued_doNotOverflowTheStack(Vertx vertx, VertxTestContext test) {
    TaskQueue q = TaskQueue.create(vertx);
    List<Future<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      calls.add(q.call(TaskQueueFailureTest::timesTwo, i));
    }
    q.attachWorker(new RefusingWorker());
    Future.join(calls).onComplete(v -> test.verify(() -> {
      assertThat(calls).allMatch(f -> f.cause() instanceof TaskException
          && f.cause().getCause() instanceof IllegalArgumentException);
      test.completeNow();
    }));
  }

  /** Holds the first job it is given; fails every later one inside run(), as a worker that cannot send it. */
  static class HoldsFirstFailsTheRest implements Worker {
    final CountDownLatch received = new CountDownLatch(1);
    volatile Job first;

    @Override
    public int capacity() {
      return 1;
    }

    @Override
    public Future<Void> start(WorkerSupervisor s) {
      return Future.succeededFuture();
    }

    @Override
    public void run(Job job) {
      if (first == null) {
        first = job;
        received.countDown();
      } else {
        job.fail(new IllegalArgumentException("cannot send " + job.describe()));
      }
    }

    @Override
    public void cancel(Job job) {
    }

    @Override
    public Future<Void> stop() {
      return Future.succeededFuture();
    }

    @Override
    public List<Job> crash() {
      return List.of();
    }
  }

  /**
   * The start of one queue's job, deferred while another queue's start was on the thread (a job failed inside
   * run(), and its caller made a call of the second queue from the failure's handler), was launched as the
   * first queue's: its timeout timer settled it through the wrong queue, whose running count went negative,
   * while the second queue counted it running for ever and its shutdown waited out the stop timeout.
   */
  @Test
  void aStartDeferredOnTheThread_isLaunchedByItsOwnQueue(Vertx vertx, VertxTestContext test) throws Exception {
    TaskQueue a = TaskQueue.create(vertx);
    TaskQueue b = TaskQueue.create(vertx, new TaskQueueOptions().setStopTimeout(Duration.ofSeconds(60)));
    HoldsFirstFailsTheRest first = new HoldsFirstFailsTheRest();
    a.attachWorker(first).await(10, TimeUnit.SECONDS);
    HoldsFirstFailsTheRest holds = new HoldsFirstFailsTheRest(); // holds b's call until its timeout
    b.attachWorker(holds).await(10, TimeUnit.SECONDS);
    Promise<Throwable> bOutcome = Promise.promise();
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    CountDownLatch held = new CountDownLatch(1);
    ctx.runOnContext(v -> {
      a.call(() -> 1);
      a.call(() -> 1).onComplete(ar -> b.call(() -> 2, new CallOptions().setTimeout(Duration.ofMillis(50)))
          .onComplete(br -> bOutcome.complete(br.cause())));
      held.countDown();
    });
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(first.received.await(10, TimeUnit.SECONDS)).isTrue();
    ctx.runOnContext(v -> first.first.complete(0)); // frees a's slot: a starts its queued call on this thread
    bOutcome.future().compose(cause -> {
      test.verify(() -> assertThat(cause).isInstanceOf(TaskTimeoutException.class));
      test.verify(() -> assertThat(a.load().running()).as("a's running calls").isZero());
      test.verify(() -> assertThat(b.load().running()).as("b's running calls").isZero());
      return b.shutdown();
    }).onComplete(test.succeedingThenComplete());
  }

  /* --------------------------------------------------------------- detaching */

  @Test
  void detachCrash_failsHeldTasks_neverLeavesThemHanging(Vertx vertx, VertxTestContext test) throws Exception {
    TaskQueue q = TaskQueue.create(vertx);
    HangingWorker hanging = new HangingWorker();
    int id = q.attachWorker(hanging).await(10, TimeUnit.SECONDS);
    Future<String> a = q.call(() -> "a");
    Future<String> b = q.call(() -> "b");
    assertThat(hanging.received.await(10, TimeUnit.SECONDS)).isTrue();
    q.detachWorker(id, DetachMode.CRASH).onComplete(test.succeeding(count -> test.verify(() -> {
      assertThat(count).isEqualTo(2);
      assertThat(hanging.crashes).hasValue(1);
      assertThat(a.cause()).isInstanceOf(WorkerLostException.class);
      assertThat(b.cause()).isInstanceOf(WorkerLostException.class);
      test.completeNow();
    })));
  }

  @Test
  void detachReassign_runsHeldTasksElsewhere(Vertx vertx, VertxTestContext test) throws Exception {
    TaskQueue q = TaskQueue.create(vertx);
    HangingWorker hanging = new HangingWorker();
    int id = q.attachWorker(hanging).await(10, TimeUnit.SECONDS);
    Future<String> a = q.call(() -> "a");
    Future<String> b = q.call(() -> "b");
    assertThat(hanging.received.await(10, TimeUnit.SECONDS)).isTrue();
    q.attachWorker(Workers.thread());
    q.detachWorker(id, DetachMode.REASSIGN).compose(count -> Future.all(a, b).map(count))
        .onComplete(test.succeeding(count -> test.verify(() -> {
          assertThat(count).isEqualTo(2);
          assertThat(a.result()).isEqualTo("a");
          assertThat(b.result()).isEqualTo("b");
          test.completeNow();
        })));
  }

  @Test
  void detachGraceful_crashesAWorkerThatWillNotStopInTime(Vertx vertx, VertxTestContext test) throws Exception {
    TaskQueue q = TaskQueue.create(vertx, new TaskQueueOptions().setStopTimeout(Duration.ofMillis(200)));
    HangingWorker hanging = new HangingWorker();
    int id = q.attachWorker(hanging).await(10, TimeUnit.SECONDS);
    Future<String> a = q.call(() -> "a");
    q.detachWorker(id, DetachMode.GRACEFUL).onComplete(test.succeeding(count -> test.verify(() -> {
      assertThat(count).isEqualTo(1);
      assertThat(a.cause()).isInstanceOf(WorkerLostException.class);
      test.completeNow();
    })));
  }

  @Test
  void detachUnknownId_isANoOp(Vertx vertx, VertxTestContext test) {
    TaskQueue.create(vertx).detachWorker(42, DetachMode.CRASH).onComplete(test.succeeding(n -> test.verify(() -> {
      assertThat(n).isZero();
      test.completeNow();
    })));
  }

  /* --------------------------------------------------------------- shutdown */

  @Test
  void shutdown_runsQueuedTasks_thenEndsTheThreads(Vertx vertx, VertxTestContext test) {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    List<Future<Integer>> calls = new ArrayList<>();
    AtomicReference<Thread> worker = new AtomicReference<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      calls.add(q.call(() -> {
        worker.set(Thread.currentThread());
        Thread.sleep(20);
        return n;
      }));
    }
    q.shutdown().onComplete(test.succeeding(v -> test.verify(() -> {
      for (int i = 0; i < 5; i++) {
        assertThat(calls.get(i).result()).isEqualTo(i);
      }
      assertThat(worker.get().isAlive()).as("the worker's thread is alive").isFalse();
      assertThat(q.isRunning()).isFalse();
      test.completeNow();
    })));
  }

  @Test
  void shutdown_withNoWorkers_failsQueuedAndCompletes(Vertx vertx, VertxTestContext test) {
    TaskQueue q = TaskQueue.create(vertx);
    Future<Integer> orphan = q.call(TaskQueueFailureTest::timesTwo, 1);
    q.shutdown().onComplete(test.succeeding(v -> test.verify(() -> {
      assertThat(orphan.cause()).isInstanceOf(QueueShutdownException.class).hasMessageContaining("timesTwo(1)");
      test.completeNow();
    })));
  }

  @Test
  void callAfterShutdown_failsAtOnce_describingTheCall(Vertx vertx, VertxTestContext test) {
    TaskQueue q = ThreadQueue.create(vertx, 1);
    q.shutdown().onComplete(test.succeeding(v -> test.verify(() -> {
      Future<Integer> late = q.call(TaskQueueFailureTest::timesTwo, 3);
      assertThat(late.failed()).isTrue();
      assertThat(late.cause()).isInstanceOf(QueueShutdownException.class).hasMessageContaining("timesTwo(3)");
      assertThat(q.update(() -> 1).failed()).isTrue();
      assertThat(q.attachWorker(Workers.thread()).failed()).isTrue();
      assertThat(q.shutdown().succeeded()).isTrue();
      test.completeNow();
    })));
  }

  @Test
  void shutdown_withHangingWorker_completesAfterStopTimeout(Vertx vertx, VertxTestContext test) throws Exception {
    TaskQueue q = TaskQueue.create(vertx, new TaskQueueOptions().setStopTimeout(Duration.ofMillis(200)));
    HangingWorker hanging = new HangingWorker();
    q.attachWorker(hanging).await(10, TimeUnit.SECONDS);
    Future<String> a = q.call(() -> "a", new CallOptions().setTimeout(Duration.ofMillis(100)));
    q.shutdown().onComplete(test.succeeding(v -> test.verify(() -> {
      assertThat(a.cause()).isInstanceOf(TaskTimeoutException.class);
      test.completeNow();
    })));
  }
}
