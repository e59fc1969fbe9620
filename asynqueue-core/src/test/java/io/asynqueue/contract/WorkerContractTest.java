package io.asynqueue.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asynqueue.CallOptions;
import io.asynqueue.CancelToken;
import io.asynqueue.stream.Deferator;
import io.asynqueue.DetachMode;
import io.asynqueue.QueueShutdownException;
import io.asynqueue.Task;
import io.asynqueue.TaskCancelledException;
import io.asynqueue.TaskException;
import io.asynqueue.TaskQueue;
import io.asynqueue.TaskQueueOptions;
import io.asynqueue.TaskTimeoutException;
import io.asynqueue.WorkerLostException;
import io.asynqueue.spi.Job;
import io.asynqueue.spi.Worker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker contract: what every worker kind (thread, event loop, child process, remote, cluster) does
 * behind a {@link TaskQueue}, written once. Each kind has one subclass that says how to make its workers
 * and what it can do; a case that needs what a kind cannot do is skipped for it, never rewritten for it.
 *
 * <p>The contract, case by case:
 * <ul>
 *   <li>a call completes with its value on the caller's context; a task's result means the same on every
 *       kind ({@code io.asynqueue.internal.TaskResults}: a Future or CompletionStage is awaited, an
 *       iterator, stream or iterable is iterated, an iterator returned to {@code call} is refused);
 *   <li>a failure carries the exception's class, message and stack trace, from any JVM;
 *   <li>the worker settles every job exactly once;
 *   <li>a timeout fails the call and stops the task (as the kind can), and the worker carries on;
 *   <li>a retry runs at the head of the queue;
 *   <li>a cancelled call fails with {@link TaskCancelledException}: a queued one never runs, a running one is
 *       stopped (as a timeout stops it) only when the cancel interrupts, and the worker carries on; a cancel
 *       counts what it cancelled, also while it races with the dispatch;
 *   <li>detaching gracefully finishes the held call; reassigning or crashing with retries runs it again
 *       elsewhere; crashing without retries fails it with {@link WorkerLostException};
 *   <li>a worker that is lost (its process killed, its connection cut) fails or retries exactly the calls
 *       it held; updates are replayed when it comes back;
 *   <li>an iteration is bounded by its prefetch window, and its source is released exactly once when it
 *       is read out, stopped, or stopped while the queue shuts down;
 *   <li>{@code shutdown()} and {@code shutdownNow()} complete, with every Future resolved, even while a
 *       task ignores interrupts.
 * </ul>
 *
 * <p>Tasks are the {@link ContractTasks} constants; they coordinate with the test through files in
 * {@link #dir}, which every kind shares. Races are run {@link #rounds()} times.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class WorkerContractTest {

  /** How long any single step may take before the case fails: generous, for a loaded machine. */
  protected static final Duration PATIENCE = Duration.ofSeconds(30);

  /** How a timed-out task is stopped by a worker kind. */
  protected enum TimeoutStop {
    /** Its thread is interrupted (thread and remote workers). */
    INTERRUPT,
    /** The process running it is killed (process workers). */
    KILL,
    /** It cannot be stopped, only dropped (event-loop workers). */
    NOTHING
  }

  protected Vertx vertx;
  @TempDir
  protected Path dir;
  private final List<TaskQueue> queues = new ArrayList<>();
  private final Map<TaskQueue, Map<Integer, Worker>> attached = new IdentityHashMap<>();

  // ---------------------------------------------------------------- what a kind provides

  /**
   * A new worker of this kind, not attached yet, that runs one task at a time.
   *
   * @return the worker
   * @throws Exception if it cannot be made
   */
  protected abstract Worker newWorker() throws Exception;

  /** @return how this kind stops a task whose timeout ran out */
  protected abstract TimeoutStop timeoutStop();

  /**
   * @return a timeout that a quick call always meets on a fresh worker of this kind, on a loaded machine (a
   *     child JVM that just replaced another runs its first call cold): for the cases where a retry must
   *     succeed within the timeout that stopped its first attempt
   */
  protected Duration quickCallTimeout() {
    return Duration.ofMillis(300);
  }

  /**
   * A queue with {@code workers} workers of this kind. By default a {@link TaskQueue} with
   * {@link #newWorker()} attached that many times.
   *
   * @param options the queue's options
   * @param workers how many workers
   * @return the queue, its workers attached
   * @throws Exception if it cannot be made
   */
  protected TaskQueue newQueue(TaskQueueOptions options, int workers) throws Exception {
    TaskQueue q = TaskQueue.create(vertx, options);
    for (int i = 0; i < workers; i++) {
      attach(q);
    }
    return q;
  }

  /** @return whether {@link #newWorker()} gives workers to attach by hand (not for a cluster queue) */
  protected boolean attachesWorkers() {
    return true;
  }

  /**
   * @return whether tasks run in this JVM, so that a task's exception object itself can be the
   *     {@link TaskException}'s cause (from another JVM there are only its class, message and stack)
   */
  protected boolean runsInThisJvm() {
    return false;
  }

  /**
   * @return how many bytes of encoded elements an iteration of this kind fetches ahead at most, or 0 for a
   *     kind whose elements are not encoded (they stay in this JVM)
   */
  protected int prefetchBytes() {
    return 0;
  }

  /** @return whether {@link #lose(TaskQueue, int)} is supported */
  protected boolean canLose() {
    return false;
  }

  /**
   * Loses a worker the way this kind can be lost: kills its process, cuts its connection.
   *
   * @param queue the queue
   * @param workerId the worker's ID in it
   * @throws Exception if it cannot
   */
  protected void lose(TaskQueue queue, int workerId) throws Exception {
    throw new UnsupportedOperationException();
  }

  /** @return whether {@link #restart(TaskQueue, int)} is supported */
  protected boolean canRestart() {
    return false;
  }

  /**
   * Makes a worker start over (a new child process, a reconnection) and waits until it takes calls again.
   *
   * @param queue the queue
   * @param workerId the worker's ID in it
   * @throws Exception if it cannot
   */
  protected void restart(TaskQueue queue, int workerId) throws Exception {
    throw new UnsupportedOperationException();
  }

  /**
   * @return how many rounds a case that checks a race runs: 50, or the system property
   *     {@code contract.rounds}; kinds whose workers are slow to make run fewer
   */
  protected int rounds() {
    return Integer.getInteger("contract.rounds", 50);
  }

  /** @return how many elements an iteration of this kind fetches ahead at most (its prefetch window) */
  protected int prefetchWindow() {
    return Deferator.DEFAULT_WINDOW;
  }

  /**
   * Called once the Vert.x instance and {@link #dir} are set, before each case: start servers here.
   *
   * @throws Exception if the kind cannot start
   */
  protected void setUpKind() throws Exception {
  }

  /**
   * Called after each case, once its queues are shut down: stop servers here.
   *
   * @throws Exception if the kind cannot stop
   */
  protected void tearDownKind() throws Exception {
  }

  // ---------------------------------------------------------------- fixture

  @BeforeEach
  final void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    setUpKind();
  }

  @AfterEach
  final void tearDown() throws Exception {
    Files.writeString(dir.resolve("over"), "the case is over");
    List<Future<Void>> downs = new ArrayList<>();
    for (TaskQueue q : queues) {
      downs.add(q.shutdownNow());
    }
    try {
      await(Future.join(downs));
    } finally {
      tearDownKind();
    }
  }

  /**
   * @param workers how many workers
   * @return a queue of this kind, shut down after the case
   * @throws Exception if it cannot be made
   */
  protected final TaskQueue queue(int workers) throws Exception {
    return queue(workers, new TaskQueueOptions());
  }

  /**
   * @param workers how many workers
   * @param options the queue's options
   * @return a queue of this kind, shut down after the case
   * @throws Exception if it cannot be made
   */
  protected final TaskQueue queue(int workers, TaskQueueOptions options) throws Exception {
    TaskQueue q = newQueue(options, workers);
    queues.add(q);
    return q;
  }

  /**
   * Attaches a new worker of this kind.
   *
   * @param q the queue
   * @return the worker's ID
   * @throws Exception if it cannot be made
   */
  protected final int attach(TaskQueue q) throws Exception {
    Worker w = newWorker();
    int id = await(q.attachWorker(w));
    attached.computeIfAbsent(q, k -> new HashMap<>()).put(id, w);
    return id;
  }

  /**
   * @param q a queue of this case
   * @param id a worker's ID in it
   * @return the worker attached with that ID by {@link #attach(TaskQueue)}
   */
  protected final Worker worker(TaskQueue q, int id) {
    return attached.getOrDefault(q, Map.of()).get(id);
  }

  // ---------------------------------------------------------------- results

  @Test
  void call_completesWithTheValue_onTheCallersContext() throws Exception {
    TaskQueue q = queue(1);
    Context caller = vertx.getOrCreateContext();
    Promise<Boolean> sameContext = Promise.promise();
    caller.runOnContext(v -> q.call(ContractTasks.TWICE, 21).onComplete(ar -> {
      if (ar.succeeded() && ar.result() == 42) {
        sameContext.complete(Vertx.currentContext() == caller);
      } else {
        sameContext.fail(ar.succeeded() ? new AssertionError("got " + ar.result()) : ar.cause());
      }
    }));
    assertThat(await(sameContext.future())).as("completed on the caller's context").isTrue();
  }

  @Test
  void failure_carriesTheClassMessageAndStackTrace() throws Exception {
    TaskQueue q = queue(1);
    Throwable failure = failure(q.call(ContractTasks.BOOM, "bad things"));
    assertThat(failure).isInstanceOf(TaskException.class).hasMessageContaining("bad things");
    TaskException e = (TaskException) failure;
    assertThat(e.exceptionClass()).isEqualTo(IllegalStateException.class.getName());
    assertThat(e.exceptionMessage()).isEqualTo("bad things");
    assertThat(e.getStackTrace()).anySatisfy(frame -> {
      assertThat(frame.getClassName()).isEqualTo(ContractTasks.class.getName());
      assertThat(frame.getMethodName()).isEqualTo("boom");
    });
    if (runsInThisJvm()) {
      assertThat(e.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("bad things");
    }
    assertThat(await(q.call(ContractTasks.TWICE, 4))).as("the worker carries on").isEqualTo(8);
  }

  @Test
  void futureAndCompletionStage_areAwaited() throws Exception {
    TaskQueue q = queue(1);
    assertThat(await(q.call(ContractTasks.FUTURE, 5))).isEqualTo(5);
    assertThat(await(q.call(ContractTasks.STAGE, 6))).isEqualTo(6);
    assertThat(await(q.callAsync(ContractTasks.FUTURE_OF_FIVE))).isEqualTo(5);
    Throwable failed = failure(q.call(ContractTasks.FAILED_FUTURE, "refused"));
    assertThat(failed).isInstanceOf(TaskException.class);
    assertThat(((TaskException) failed).exceptionClass()).isEqualTo(IllegalStateException.class.getName());
    assertThat(((TaskException) failed).exceptionMessage()).isEqualTo("refused");
  }

  @Test
  void futureResult_holdsTheWorkerUntilItCompletes() throws Exception {
    TaskQueue q = queue(1);
    String gate = gate("stage");
    Future<Object> first = q.call(ContractTasks.STAGE_AFTER, gate);
    awaitLines(Path.of(gate + ".started"), 1);
    Future<Integer> second = q.call(ContractTasks.TWICE, 2);
    assertThat(q.load().queued()).as("calls waiting for the worker its pending stage holds").isEqualTo(1);
    open(gate);
    assertThat(await(first)).isEqualTo("released");
    assertThat(await(second)).isEqualTo(4);
  }

  @Test
  void iterate_readsIteratorsStreamsAndIterables() throws Exception {
    TaskQueue q = queue(1);
    assertThat(readAll(q, ContractTasks.ITERATOR, 0)).isEmpty();
    String closed = dir.resolve("stream-closed").toString();
    assertThat(readAll(q, ContractTasks.ITERATOR, 3)).containsExactly(0, 1, 2);
    assertThat(readAll(q, ContractTasks.LIST, 3)).containsExactly(0, 1, 2);
    assertThat(readAll(q, ContractTasks.STREAM, 3, closed)).containsExactly(0, 1, 2);
    awaitLines(Path.of(closed), 1);
  }

  @Test
  void call_ofAList_isTheList_butOfAnIteratorOrStream_isRefused() throws Exception {
    TaskQueue q = queue(1);
    assertThat(await(q.call(ContractTasks.LIST, 3))).containsExactly(0, 1, 2);
    Throwable iterator = failure(q.call(ContractTasks.ITERATOR, 3));
    assertThat(iterator).isInstanceOf(TaskException.class).hasMessageContaining("use iterate()");
    assertThat(((TaskException) iterator).exceptionClass()).isEqualTo(IllegalArgumentException.class.getName());
    String closed = dir.resolve("stream-closed").toString();
    Throwable stream = failure(q.call(ContractTasks.STREAM, 3, closed));
    assertThat(stream).isInstanceOf(TaskException.class).hasMessageContaining("use iterate()");
    awaitLines(Path.of(closed), 1);
  }

  @Test
  void iterate_ofAValue_fails() throws Exception {
    TaskQueue q = queue(1);
    Throwable failure = failure(iterate(q, ContractTasks.TWICE, 3));
    assertThat(failure).isInstanceOf(TaskException.class).hasMessageContaining("not an Iterator, Iterable or Stream");
    assertThat(((TaskException) failure).exceptionClass()).isEqualTo(IllegalArgumentException.class.getName());
  }

  // ---------------------------------------------------------------- settling

  @Test
  void eachJob_isSettledExactlyOnce() throws Exception {
    assumeTrue(attachesWorkers(), "no worker to drive directly");
    Worker worker = newWorker();
    await(worker.start(new TestSupervisor(vertx, 1)));
    try {
      Context ctx = vertx.getOrCreateContext();
      List<TestJob> jobs = new ArrayList<>();
      for (int i = 0; i < 40; i++) { // one at a time, as the queue hands them to a worker of capacity 1
        TestJob job = i % 3 == 2 ? TestJob.call(ctx, ContractTasks.BOOM, "no " + i)
            : i % 5 == 4 ? TestJob.iterate(ctx, ContractTasks.ITERATOR, 2)
            : TestJob.call(ctx, ContractTasks.TWICE, i);
        jobs.add(job);
        worker.run(job);
        Future<Object> outcome = job.future();
        await(outcome.recover(e -> Future.succeededFuture()));
        if (job.resultKind() == Job.ResultKind.ITERATOR) {
          List<?> elements = await(((Deferator<?>) outcome.result()).toList());
          assertThat(elements).isEqualTo(List.of(0, 1));
        }
      }
      await(worker.stop()); // after which nothing more is settled
      for (int i = 0; i < jobs.size(); i++) {
        TestJob job = jobs.get(i);
        assertThat(job.settles()).as("settles of job %d", i).isEqualTo(1);
        if (i % 3 == 2) {
          assertThat(job.future().failed()).as("job %d failed", i).isTrue();
        } else if (i % 5 != 4) {
          assertThat(job.future().result()).isEqualTo(i * 2);
        }
      }
    } finally {
      worker.crash();
    }
  }

  @Test
  void stop_finishesTheHeldJob_thenCompletes() throws Exception {
    assumeTrue(attachesWorkers(), "no worker to drive directly");
    Worker worker = newWorker();
    await(worker.start(new TestSupervisor(vertx, 1)));
    String gate = gate("held");
    TestJob job = TestJob.call(vertx.getOrCreateContext(), ContractTasks.AWAIT, gate);
    worker.run(job);
    awaitLines(Path.of(gate + ".started"), 1);
    Future<Void> stopped = worker.stop();
    assertThat(stopped.isComplete()).as("stopped while holding a job").isFalse();
    open(gate);
    assertThat(await(job.<Object>future())).isEqualTo("released");
    await(stopped);
    assertThat(job.settles()).isEqualTo(1);
  }

  @Test
  void crash_returnsTheHeldJobs() throws Exception {
    assumeTrue(attachesWorkers(), "no worker to drive directly");
    Worker worker = newWorker();
    await(worker.start(new TestSupervisor(vertx, 1)));
    String gate = gate("held");
    TestJob job = TestJob.call(vertx.getOrCreateContext(), ContractTasks.AWAIT, gate);
    worker.run(job);
    awaitLines(Path.of(gate + ".started"), 1);
    List<Job> held = worker.crash();
    assertThat(held).containsExactly(job);
  }

  // ---------------------------------------------------------------- timeouts and retries

  @Test
  void timeout_failsTheCall_stopsTheTask_andTheWorkerCarriesOn() throws Exception {
    TaskQueue q = queue(1);
    String gate = gate("hung");
    long pid = await(q.call(ContractTasks.PID)); // the task may be stopped before it can write down its own
    Throwable failure = failure(q.call(ContractTasks.AWAIT, new CallOptions().setTimeout(Duration.ofMillis(300)), gate));
    assertThat(failure).isInstanceOf(TaskTimeoutException.class);
    assertThat(await(q.call(ContractTasks.TWICE, 21))).isEqualTo(42);
    switch (timeoutStop()) {
      case INTERRUPT -> awaitLines(Path.of(gate + ".interrupted"), 1);
      case KILL -> {
        assertThat(pid).as("a child's pid").isNotEqualTo(ProcessHandle.current().pid());
        ProcessHandle.of(pid).ifPresent(p -> await(Future.fromCompletionStage(p.onExit())));
      }
      case NOTHING -> { }
    }
  }

  @Test
  void timeout_ofATaskThatIgnoresInterrupts_failsTheCall_andTheWorkerCarriesOn() throws Exception {
    TaskQueue q = queue(1);
    Throwable failure = failure(q.call(ContractTasks.SPIN, new CallOptions().setTimeout(Duration.ofMillis(300)),
        gate("stubborn")));
    assertThat(failure).isInstanceOf(TaskTimeoutException.class);
    assertThat(await(q.call(ContractTasks.TWICE, 21))).isEqualTo(42);
  }

  @Test
  void timeout_withRetries_runsTheCallAgain_untilTheRetriesRunOut() throws Exception {
    TaskQueue q = queue(1);
    CallOptions options = new CallOptions().setTimeout(quickCallTimeout()).setRetries(1);
    assertThat(await(q.call(ContractTasks.ATTEMPT, options, dir.toString(), "a", 1))).isEqualTo(2);
    // Both attempts hang and time out. The timeout stays one a fresh worker of this kind meets: the retry may run on
    // a worker that has just replaced the timed-out one (a new child JVM), and must start there to be counted.
    Throwable failure = failure(q.call(ContractTasks.ATTEMPT, options, dir.toString(), "b", 2));
    assertThat(failure).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("2 attempts");
    assertThat(ContractTasks.lines(dir.resolve("b.attempts"))).isEqualTo(2);
  }

  /** Issue 12, defect 4: the slot a timed-out call frees goes to its retry, not to the next queued call. */
  @Test
  void retry_runsAtTheHeadOfTheQueue() throws Exception {
    TaskQueue q = queue(1);
    Future<Object> a = q.call(ContractTasks.ATTEMPT, new CallOptions().setTimeout(quickCallTimeout())
        .setRetries(1), dir.toString(), "A", 1);
    awaitLines(dir.resolve("A.attempts"), 1);
    Future<Object> b = q.call(ContractTasks.ATTEMPT, null, dir.toString(), "B", 0);
    assertThat(await(a)).isEqualTo(2);
    assertThat(await(b)).isEqualTo(1);
    assertThat(Files.readAllLines(dir.resolve("order"))).containsExactly("A", "A", "B");
  }

  // ---------------------------------------------------------------- cancelling

  @Test
  void cancel_ofQueuedCalls_failsThemTyped_andTheyNeverRun() throws Exception {
    TaskQueue q = queue(1);
    String gate = gate("busy");
    Future<Object> busy = q.call(ContractTasks.AWAIT, gate);
    awaitLines(Path.of(gate + ".started"), 1);
    CancelToken token = new CancelToken();
    CallOptions options = new CallOptions().setCancelToken(token);
    String ran = dir.resolve("ran").toString();
    List<Future<String>> cancelled = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      cancelled.add(q.call(ContractTasks.RECORD, options, ran, "cancelled " + i));
    }
    Future<String> kept = q.call(ContractTasks.RECORD, ran, "kept");
    assertThat(token.cancel()).as("calls cancelled").isEqualTo(5);
    for (Future<String> call : cancelled) {
      assertThat(failure(call)).isInstanceOf(TaskCancelledException.class).hasMessageContaining("queued");
    }
    assertThat(q.load().queued()).as("calls left in the queue").isEqualTo(1);
    assertThat(failure(q.call(ContractTasks.RECORD, options, ran, "late"))).as("a call made with a cancelled token")
        .isInstanceOf(TaskCancelledException.class);
    assertThat(busy.isComplete()).as("the running call, not interrupted").isFalse();
    open(gate);
    assertThat(await(busy)).isEqualTo("released");
    assertThat(await(kept)).isEqualTo("kept");
    assertThat(Files.readAllLines(Path.of(ran))).containsExactly("kept");
  }

  @Test
  void cancel_withoutInterrupt_letsTheRunningCallFinish() throws Exception {
    TaskQueue q = queue(1);
    String gate = gate("running");
    CancelToken token = new CancelToken();
    Future<Object> running = q.call(ContractTasks.AWAIT, new CallOptions().setCancelToken(token), gate);
    awaitLines(Path.of(gate + ".started"), 1);
    assertThat(token.cancel()).as("calls cancelled").isZero();
    open(gate);
    assertThat(await(running)).isEqualTo("released");
  }

  @Test
  void cancel_withInterrupt_stopsTheRunningCall_andTheWorkerCarriesOn() throws Exception {
    TaskQueue q = queue(1);
    String gate = gate("running");
    long pid = await(q.call(ContractTasks.PID)); // the task may be stopped before it can write down its own
    CancelToken token = new CancelToken();
    Future<Object> running = q.call(ContractTasks.AWAIT, new CallOptions().setCancelToken(token), gate);
    awaitLines(Path.of(gate + ".started"), 1);
    assertThat(token.cancel(true)).as("calls cancelled").isEqualTo(1);
    assertThat(failure(running)).isInstanceOf(TaskCancelledException.class).hasMessageContaining("running");
    assertThat(await(q.call(ContractTasks.TWICE, 21))).as("the worker carries on").isEqualTo(42);
    switch (timeoutStop()) {
      case INTERRUPT -> awaitLines(Path.of(gate + ".interrupted"), 1);
      case KILL -> {
        assertThat(pid).as("a child's pid").isNotEqualTo(ProcessHandle.current().pid());
        ProcessHandle.of(pid).ifPresent(p -> await(Future.fromCompletionStage(p.onExit())));
      }
      case NOTHING -> { }
    }
  }

  @Test
  void cancelSeries_cancelsThatSeriesOnly_andCountsWhatItCancelled() throws Exception {
    TaskQueue q = queue(1);
    String gate = gate("busy");
    Future<Object> busy = q.call(ContractTasks.AWAIT, new CallOptions().setSeries("a"), gate);
    awaitLines(Path.of(gate + ".started"), 1);
    String ran = dir.resolve("ran").toString();
    List<Future<String>> a = new ArrayList<>();
    List<Future<String>> others = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      a.add(q.call(ContractTasks.RECORD, new CallOptions().setSeries("a"), ran, "a" + i));
    }
    for (int i = 0; i < 2; i++) {
      others.add(q.call(ContractTasks.RECORD, new CallOptions().setSeries("b"), ran, "b" + i));
    }
    others.add(q.call(ContractTasks.RECORD, ran, "default"));
    assertThat(await(q.cancel("a"))).as("calls of series a cancelled").isEqualTo(3);
    assertThat(await(q.cancel("nobody's"))).as("calls of a series with none").isZero();
    for (Future<String> call : a) {
      assertThat(failure(call)).isInstanceOf(TaskCancelledException.class);
    }
    assertThat(busy.isComplete()).as("the running call of series a, not interrupted").isFalse();
    open(gate);
    assertThat(await(busy)).isEqualTo("released");
    for (Future<String> call : others) {
      await(call);
    }
    assertThat(Files.readAllLines(Path.of(ran))).containsExactlyInAnyOrder("b0", "b1", "default");

    String gate2 = gate("busy2");
    Future<Object> running = q.call(ContractTasks.AWAIT, new CallOptions().setSeries("c"), gate2);
    awaitLines(Path.of(gate2 + ".started"), 1);
    Future<String> queued = q.call(ContractTasks.RECORD, new CallOptions().setSeries("c"), ran, "c");
    assertThat(await(q.cancel("c", true))).as("calls of series c cancelled, the running one too").isEqualTo(2);
    assertThat(failure(running)).isInstanceOf(TaskCancelledException.class);
    assertThat(failure(queued)).isInstanceOf(TaskCancelledException.class);
    assertThat(await(q.call(ContractTasks.TWICE, 2))).as("the worker carries on").isEqualTo(4);
  }

  /**
   * A cancel from another thread races with the calls being made and dispatched: every Future completes once,
   * with its own result or a {@link TaskCancelledException}; the cancel counts exactly the calls it failed; a
   * call cancelled while queued never ran, and no call ran twice.
   */
  @Test
  void cancel_racingWithDispatch_completesEveryFutureOnce_andCountsRight() throws Exception {
    TaskQueue q = queue(2);
    int calls = 20;
    ExecutorService canceller = Executors.newSingleThreadExecutor();
    try {
      for (int round = 0; round < rounds(); round++) {
        boolean interrupt = round % 2 == 1;
        CancelToken token = new CancelToken();
        CallOptions options = new CallOptions().setCancelToken(token);
        String ran = dir.resolve("ran" + round).toString();
        CountDownLatch go = new CountDownLatch(1);
        int before = round * 7 % calls; // calls made before the cancel is let go
        int spins = round * 997 % 2000;
        java.util.concurrent.Future<Integer> count = canceller.submit(() -> {
          go.await();
          for (int i = 0; i < spins; i++) {
            Thread.onSpinWait();
          }
          return token.cancel(interrupt);
        });
        List<Future<String>> futures = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
          if (i == before) {
            go.countDown();
          }
          futures.add(q.call(ContractTasks.RECORD, options, ran, "r" + i));
        }
        int cancelled = count.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        await(Future.join(new ArrayList<>(futures)).otherwiseEmpty());
        int failedByTheCancel = 0;
        Set<String> succeeded = new HashSet<>();
        for (int i = 0; i < calls; i++) {
          Future<String> f = futures.get(i);
          assertThat(f.isComplete()).as("round %d: call %d complete", round, i).isTrue();
          if (f.succeeded()) {
            assertThat(f.result()).as("round %d: call %d", round, i).isEqualTo("r" + i);
            succeeded.add(f.result());
          } else {
            assertThat(f.cause()).as("round %d: call %d", round, i).isInstanceOf(TaskCancelledException.class);
            if (!f.cause().getMessage().startsWith("its token was cancelled")) {
              failedByTheCancel++;
            }
          }
        }
        assertThat(cancelled).as("round %d: what the cancel counted", round).isEqualTo(failedByTheCancel);
        List<String> lines = Files.exists(Path.of(ran)) ? Files.readAllLines(Path.of(ran)) : List.of();
        assertThat(new HashSet<>(lines)).as("round %d: no call ran twice", round).hasSize(lines.size());
        if (interrupt) {
          assertThat(lines).as("round %d: every call that succeeded ran", round).containsAll(succeeded);
        } else {
          assertThat(lines).as("round %d: the calls that ran", round).containsExactlyInAnyOrderElementsOf(succeeded);
        }
      }
    } finally {
      canceller.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- detaching

  @Test
  void detachGraceful_finishesTheHeldCall() throws Exception {
    assumeTrue(attachesWorkers(), "workers are not attached by hand");
    TaskQueue q = queue(1);
    int id = q.workerIds().iterator().next();
    String gate = gate("held");
    Future<Object> held = q.call(ContractTasks.AWAIT, gate);
    awaitLines(Path.of(gate + ".started"), 1);
    Future<Integer> detached = q.detachWorker(id, DetachMode.GRACEFUL);
    open(gate);
    assertThat(await(held)).isEqualTo("released");
    assertThat(await(detached)).as("calls left over").isEqualTo(0);
  }

  @Test
  void detachGraceful_ofAWorkerThatWillNotStop_crashesItAfterTheStopTimeout() throws Exception {
    assumeTrue(attachesWorkers(), "workers are not attached by hand");
    TaskQueue q = queue(1, new TaskQueueOptions().setStopTimeout(Duration.ofMillis(300)));
    int id = q.workerIds().iterator().next();
    String gate = gate("stubborn");
    Future<Object> held = q.call(ContractTasks.SPIN, gate);
    awaitLines(Path.of(gate + ".started"), 1);
    assertThat(await(q.detachWorker(id, DetachMode.GRACEFUL))).as("calls left over").isEqualTo(1);
    assertThat(failure(held)).isInstanceOf(WorkerLostException.class);
  }

  // ---------------------------------------------------------------- closing with a verticle (issue 14)

  /**
   * A queue closes with the verticle that made it: gracefully (the held call finishes), its threads end and its
   * children exit, while Vert.x lives on; shutting it down afterwards returns the same outcome.
   */
  @Test
  void undeployingTheVerticleThatMadeTheQueue_shutsItDownGracefully() throws Exception {
    assumeTrue(attachesWorkers(), "workers are not attached by hand");
    Set<Long> children = Leftovers.children();
    Worker worker = newWorker();
    String name = "made-in-verticle-" + NAMES.incrementAndGet();
    Promise<TaskQueue> made = Promise.promise();
    String deployment = await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        TaskQueue q = TaskQueue.create(vertx, new TaskQueueOptions().setName(name));
        made.complete(q);
        return q.attachWorker(worker);
      }
    }));
    TaskQueue q = made.future().result();
    queues.add(q);
    String gate = gate("held");
    Future<Object> held = q.call(ContractTasks.AWAIT, gate);
    awaitLines(Path.of(gate + ".started"), 1);
    Future<Void> shuttingDown = whenStopsRunning(q);
    Future<Void> undeployed = vertx.undeploy(deployment);
    await(shuttingDown);
    assertThat(undeployed.isComplete()).as("undeployed while a call runs").isFalse();
    open(gate);
    assertThat(await(held)).as("the held call finishes").isEqualTo("released");
    await(undeployed);
    assertThat(failure(q.call(ContractTasks.TWICE, 1))).isInstanceOf(QueueShutdownException.class);
    await(q.shutdown());
    Leftovers.assertThreadsEnd("asynqueue-" + name + "-");
    Leftovers.assertChildrenExit(children);
    assertThat(await(queue(1).call(ContractTasks.TWICE, 21))).as("Vert.x lives on").isEqualTo(42);
  }

  /**
   * A worker attached from inside a verticle leaves the queue gracefully when that verticle is undeployed; the queue,
   * made elsewhere, goes on with its other workers.
   */
  @Test
  void undeployingTheVerticleThatAttachedAWorker_detachesIt_andTheQueueGoesOn() throws Exception {
    assumeTrue(attachesWorkers(), "workers are not attached by hand");
    String name = "attached-in-verticle-" + NAMES.incrementAndGet();
    TaskQueue q = queue(0, new TaskQueueOptions().setName(name));
    Set<Long> children = Leftovers.children();
    Worker worker = newWorker();
    Promise<Integer> attached = Promise.promise();
    String deployment = await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        return q.attachWorker(worker).onComplete(attached);
      }
    }));
    int id = await(attached.future());
    String gate = gate("held");
    Future<Object> held = q.call(ContractTasks.AWAIT, gate);
    awaitLines(Path.of(gate + ".started"), 1);
    Future<Void> undeployed = vertx.undeploy(deployment);
    await(whenDetached(q, id));
    assertThat(undeployed.isComplete()).as("undeployed while a call runs").isFalse();
    open(gate);
    assertThat(await(held)).as("the held call finishes").isEqualTo("released");
    await(undeployed);
    Leftovers.assertThreadsEnd("asynqueue-" + name + "-");
    Leftovers.assertChildrenExit(children);
    assertThat(q.isRunning()).isTrue();
    attach(q);
    assertThat(await(q.call(ContractTasks.TWICE, 21))).as("the queue goes on").isEqualTo(42);
  }

  private static final AtomicInteger NAMES = new AtomicInteger();

  /** @return a Future completed once the queue has stopped taking calls (heard through its load handler) */
  private Future<Void> whenStopsRunning(TaskQueue q) {
    Promise<Void> stopped = Promise.promise();
    q.loadHandler(load -> {
      if (!q.isRunning()) {
        stopped.tryComplete();
      }
    });
    return stopped.future();
  }

  /** @return a Future completed once the worker has left the queue (heard through its load handler) */
  private Future<Void> whenDetached(TaskQueue q, int id) {
    Promise<Void> detached = Promise.promise();
    q.loadHandler(load -> {
      if (!q.workerIds().contains(id)) {
        detached.tryComplete();
      }
    });
    return detached.future();
  }

  /** Issue 12, defect 2: the held call is claimed before the worker is crashed, so it runs again elsewhere. */
  @Test
  void detachReassign_runsTheHeldCallAgainElsewhere() throws Exception {
    detachAndRunElsewhere(DetachMode.REASSIGN, 0);
  }

  /** Issue 12, defect 2, with a crash: a call that allows a retry is retried, not failed by the interrupt. */
  @Test
  void detachCrash_withRetries_runsTheHeldCallAgainElsewhere() throws Exception {
    detachAndRunElsewhere(DetachMode.CRASH, 1);
  }

  private void detachAndRunElsewhere(DetachMode mode, int retries) throws Exception {
    assumeTrue(attachesWorkers(), "workers are not attached by hand");
    for (int round = 0; round < rounds(); round++) {
      TaskQueue q = queue(1);
      int first = q.workerIds().iterator().next();
      String name = "call" + round;
      Future<Object> call = q.call(ContractTasks.ATTEMPT, new CallOptions().setRetries(retries), dir.toString(),
          name, 1);
      awaitLines(dir.resolve(name + ".attempts"), 1);
      attach(q);
      assertThat(await(q.detachWorker(first, mode))).as("round %d: calls the worker held", round).isEqualTo(1);
      assertThat(await(call)).as("round %d: the attempt that completed the call", round).isEqualTo(2);
      await(q.shutdown());
    }
  }

  @Test
  void detachCrash_withoutRetries_failsTheHeldCall() throws Exception {
    assumeTrue(attachesWorkers(), "workers are not attached by hand");
    TaskQueue q = queue(1);
    int first = q.workerIds().iterator().next();
    Future<Object> call = q.call(ContractTasks.ATTEMPT, null, dir.toString(), "c", 1);
    awaitLines(dir.resolve("c.attempts"), 1);
    attach(q);
    assertThat(await(q.detachWorker(first, DetachMode.CRASH))).isEqualTo(1);
    assertThat(failure(call)).isInstanceOf(WorkerLostException.class);
    assertThat(await(q.call(ContractTasks.TWICE, 2))).as("the other worker carries on").isEqualTo(4);
  }

  // ---------------------------------------------------------------- lost workers

  @Test
  void lostWorker_retriesTheCallsThatAllowIt_andFailsTheOthers() throws Exception {
    assumeTrue(canLose(), "this kind has no way to be lost but a crash");
    TaskQueue q = queue(2);
    List<Integer> ids = new ArrayList<>(q.workerIds());
    Future<Object> retried = q.call(ContractTasks.ATTEMPT, new CallOptions().setRetries(1), dir.toString(), "r", 1);
    Future<Object> failed = q.call(ContractTasks.ATTEMPT, null, dir.toString(), "f", 1);
    awaitLines(dir.resolve("r.attempts"), 1);
    awaitLines(dir.resolve("f.attempts"), 1);
    for (int id : ids) {
      lose(q, id);
    }
    assertThat(await(retried)).isEqualTo(2);
    assertThat(failure(failed)).isInstanceOf(WorkerLostException.class);
  }

  @Test
  void lostWorker_failsTheIterationsItHeldOpen() throws Exception {
    assumeTrue(canLose(), "this kind has no way to be lost but a crash");
    TaskQueue q = queue(1);
    int id = q.workerIds().iterator().next();
    Deferator<Object> d = await(iterate(q, ContractTasks.PRODUCE, dir.toString(), 100_000));
    assertThat(await(d.next())).isEqualTo(0);
    lose(q, id);
    Throwable failure = null;
    for (int i = 0; i < 100_000 && failure == null; i++) { // the elements fetched before the loss come first
      Future<Object> next = d.next();
      try {
        next.toCompletionStage().toCompletableFuture().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        failure = e.getCause();
      }
    }
    assertThat(failure).isInstanceOf(WorkerLostException.class);
    assertThat(await(q.call(ContractTasks.TWICE, 5))).as("the worker comes back").isEqualTo(10);
  }

  // ---------------------------------------------------------------- iteration

  @Test
  void iteration_readOut_givesEveryElementInOrder_andReleasesTheSourceOnce() throws Exception {
    TaskQueue q = queue(1);
    List<Object> all = readAll(q, ContractTasks.PRODUCE, dir.toString(), 500);
    assertThat(all).hasSize(500).startsWith(0, 1, 2).endsWith(498, 499);
    awaitLines(dir.resolve("closed"), 1);
    await(q.shutdown());
    assertThat(Files.readAllLines(dir.resolve("closed"))).hasSize(1);
  }

  @Test
  void iteration_isBoundedByItsWindow_andStopReleasesTheSourceOnce() throws Exception {
    TaskQueue q = queue(1);
    Deferator<Object> d = await(iterate(q, ContractTasks.PRODUCE, dir.toString(), 100_000));
    for (int i = 0; i < 5; i++) {
      assertThat(await(d.next())).isEqualTo(i);
    }
    await(d.stop());
    awaitLines(dir.resolve("closed"), 1);
    int produced = ContractTasks.lines(dir.resolve("produced"));
    assertThat(produced).as("elements produced for 5 read").isLessThanOrEqualTo(5 + 2 * prefetchWindow());
    await(q.shutdown());
    assertThat(Files.readAllLines(dir.resolve("closed"))).hasSize(1);
  }

  @Test
  void iteration_thatFails_givesTheElementsBefore_thenTheFailure() throws Exception {
    TaskQueue q = queue(1);
    Deferator<Object> d = await(iterate(q, ContractTasks.FAILING_ITERATOR, 3));
    for (int i = 0; i < 3; i++) {
      assertThat(await(d.next())).isEqualTo(i);
    }
    Throwable failure = failure(d.next());
    assertThat(failure).isInstanceOf(TaskException.class).hasMessageContaining("after 3");
    assertThat(((TaskException) failure).exceptionClass()).isEqualTo(IllegalStateException.class.getName());
    Deferator<Object> atOnce = await(iterate(q, ContractTasks.FAILING_ITERATOR, 0)); // the call itself succeeds
    assertThat(failure(atOnce.next())).isInstanceOf(TaskException.class).hasMessageContaining("after 0");
    assertThat(await(q.call(ContractTasks.TWICE, 1))).as("the worker carries on").isEqualTo(2);
  }

  @Test
  void shutdown_waitsForAnOpenIteration_untilItIsReadOut() throws Exception {
    TaskQueue q = queue(1);
    Deferator<Object> d = await(iterate(q, ContractTasks.PRODUCE, dir.toString(), 300));
    assertThat(await(d.next())).isEqualTo(0);
    Future<Void> down = q.shutdown();
    assertThat(down.isComplete()).as("shut down while an iteration is open").isFalse();
    assertThat(await(d.toList())).hasSize(299);
    await(down);
  }

  @Test
  void iteration_ofLargeElements_isBoundedByItsBytes() throws Exception {
    assumeTrue(prefetchBytes() > 0, "the elements of this kind are not encoded: only their count is bounded");
    TaskQueue q = queue(1);
    int size = 100_000;
    Deferator<Object> d = await(iterate(q, ContractTasks.PRODUCE_LARGE, dir.toString(), 10_000, size));
    assertThat(await(d.next())).asString().hasSize(size);
    await(d.stop());
    int produced = ContractTasks.lines(dir.resolve("produced"));
    // the byte window, a batch in flight (at least one element each), and the element read
    assertThat(produced).as("elements of %d bytes produced for one read", size)
        .isLessThanOrEqualTo(prefetchBytes() / size + 3);
  }

  /** Issue 12, defect 3: a stop during a graceful shutdown releases the source once, and both complete. */
  @Test
  void iteration_stoppedDuringShutdown_releasesTheSourceOnce_andTheShutdownCompletes() throws Exception {
    for (int round = 0; round < rounds(); round++) {
      Path roundDir = Files.createDirectory(dir.resolve("round" + round));
      TaskQueue q = queue(1);
      Deferator<Object> d = await(iterate(q, ContractTasks.PRODUCE, roundDir.toString(), 1000));
      assertThat(await(d.next())).isEqualTo(0);
      assertThat(await(d.next())).isEqualTo(1);
      Future<Void> down = q.shutdown();
      await(d.stop());
      await(down);
      awaitLines(roundDir.resolve("closed"), 1);
      assertThat(Files.readAllLines(roundDir.resolve("closed"))).as("round %d: closes", round).hasSize(1);
    }
  }

  // ---------------------------------------------------------------- updates

  @Test
  void update_runsOnEveryWorker_andOnWorkersAttachedLater() throws Exception {
    assumeTrue(attachesWorkers(), "workers are not attached by hand");
    TaskQueue q = queue(2);
    String file = dir.resolve("updates").toString();
    assertThat(await(q.update(ContractTasks.RECORD, file, "u"))).containsExactly("u", "u");
    attach(q);
    assertThat(Files.readAllLines(Path.of(file))).containsExactly("u", "u", "u");
  }

  @Test
  void update_isReplayedAfterARestart_beforeTheNextCall() throws Exception {
    assumeTrue(canRestart(), "this kind does not restart");
    TaskQueue q = queue(1);
    int id = q.workerIds().iterator().next();
    String file = dir.resolve("updates").toString();
    await(q.update(ContractTasks.RECORD, file, "update"));
    restart(q, id);
    assertThat(await(q.call(ContractTasks.RECORD, file, "call"))).isEqualTo("call");
    assertThat(Files.readAllLines(Path.of(file))).containsExactly("update", "update", "call");
  }

  // ---------------------------------------------------------------- shutdown

  @Test
  void shutdown_runsEveryQueuedCall_thenCompletes() throws Exception {
    TaskQueue q = queue(2);
    List<Future<Object>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(q.call(ContractTasks.SLEEP, 10L));
    }
    Future<Void> down = q.shutdown();
    assertThat(failure(q.call(ContractTasks.TWICE, 1))).isInstanceOf(QueueShutdownException.class);
    await(down);
    for (Future<Object> call : calls) {
      assertThat(call.result()).isEqualTo(10L);
    }
  }

  @Test
  void shutdown_completesOnTheCallersContext() throws Exception {
    TaskQueue q = queue(1);
    assertThat(await(q.call(ContractTasks.TWICE, 1))).isEqualTo(2);
    Context caller = vertx.getOrCreateContext();
    Promise<Boolean> sameContext = Promise.promise();
    caller.runOnContext(v -> q.shutdown().onComplete(ar -> {
      if (ar.succeeded()) {
        sameContext.complete(Vertx.currentContext() == caller);
      } else {
        sameContext.fail(ar.cause());
      }
    }));
    assertThat(await(sameContext.future())).as("completed on the caller's context").isTrue();
  }

  @Test
  void shutdownNow_failsTheQueuedCalls_andLetsTheRunningOneFinish() throws Exception {
    TaskQueue q = queue(1);
    String gate = gate("running");
    Future<Object> running = q.call(ContractTasks.AWAIT, gate);
    awaitLines(Path.of(gate + ".started"), 1);
    List<Future<Integer>> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      queued.add(q.call(ContractTasks.TWICE, i));
    }
    Future<Void> down = q.shutdownNow();
    for (Future<Integer> call : queued) {
      assertThat(failure(call)).isInstanceOf(QueueShutdownException.class);
    }
    open(gate);
    assertThat(await(running)).isEqualTo("released");
    await(down);
  }

  /**
   * A call that just timed out is not in flight any more: a shutdown right after it completes without waiting
   * for the stop timeout (a remote worker once counted the cancelled call until its cancel reached the event
   * loop, and then waited out the stop timeout).
   */
  @Test
  void shutdown_rightAfterATimeout_doesNotWaitForTheStopTimeout() throws Exception {
    Duration stopTimeout = Duration.ofSeconds(60); // longer than the patience of await: a wait for it fails
    for (int round = 0; round < rounds(); round++) {
      TaskQueue q = queue(1, new TaskQueueOptions().setStopTimeout(stopTimeout));
      Throwable failure = failure(q.call(ContractTasks.AWAIT, new CallOptions().setTimeout(Duration.ofMillis(50)),
          gate("late" + round)));
      assertThat(failure).as("round %d", round).isInstanceOf(TaskTimeoutException.class);
      await(q.shutdown());
    }
  }

  /** Issue 12, defect 1: a task that ignores interrupts cannot hold up a graceful shutdown for ever. */
  @Test
  void shutdown_whileATaskIgnoresInterrupts_completesAfterTheStopTimeout() throws Exception {
    shutdownWhileSpinning(false);
  }

  /** Issue 12, defect 1, with shutdownNow. */
  @Test
  void shutdownNow_whileATaskIgnoresInterrupts_completesAfterTheStopTimeout() throws Exception {
    shutdownWhileSpinning(true);
  }

  private void shutdownWhileSpinning(boolean now) throws Exception {
    TaskQueue q = queue(1, new TaskQueueOptions().setStopTimeout(Duration.ofMillis(300)));
    String gate = gate("spin");
    Future<Object> spinning = q.call(ContractTasks.SPIN, gate);
    awaitLines(Path.of(gate + ".started"), 1);
    Future<Integer> queued = q.call(ContractTasks.TWICE, 1);
    long start = System.nanoTime();
    await(now ? q.shutdownNow() : q.shutdown());
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(failure(spinning)).isInstanceOf(QueueShutdownException.class).hasMessageContaining("stop timeout");
    assertThat(failure(queued)).isInstanceOf(QueueShutdownException.class);
    System.out.printf("%s: %s with a spinning task completed in %d ms (stop timeout 300 ms)%n",
        getClass().getSimpleName(), now ? "shutdownNow" : "shutdown", millis);
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Queues an iteration of any task (a stream, a list, a value), which the typed forms do not take.
   *
   * @param q the queue
   * @param task the task
   * @param args its arguments
   * @return the Deferator's Future
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  protected static Future<Deferator<Object>> iterate(TaskQueue q, Task<?> task, Object... args) {
    return q.iterate((Task) task, null, args);
  }

  /**
   * Iterates a task and reads every element.
   *
   * @param q the queue
   * @param task the task
   * @param args its arguments
   * @return the elements
   */
  protected static List<Object> readAll(TaskQueue q, Task<?> task, Object... args) {
    return await(iterate(q, task, args).compose(Deferator::toList));
  }

  /**
   * @param name the gate's name
   * @return the path of a gate in {@link #dir}, closed until {@link #open(String)}
   */
  protected final String gate(String name) {
    return dir.resolve(name + ".gate").toString();
  }

  /**
   * Opens a gate: the tasks waiting for it go on.
   *
   * @param gate the gate's path
   * @throws IOException if it cannot be written
   */
  protected static void open(String gate) throws IOException {
    Files.writeString(Path.of(gate), "open");
  }

  /**
   * Waits until a file has at least {@code lines} lines: written by a task in any JVM of this machine.
   *
   * @param file the file
   * @param lines how many
   * @throws Exception if it takes longer than {@link #PATIENCE}
   */
  protected static void awaitLines(Path file, int lines) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (ContractTasks.lines(file) < lines) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(file + " has fewer than " + lines + " lines after " + PATIENCE);
      }
      Thread.sleep(5); // a file written by another process: there is no event to wait on
    }
  }

  /**
   * @param f a Future
   * @param <T> its type
   * @return its result, once it has one
   */
  protected static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no outcome within " + PATIENCE, e);
    }
  }

  /**
   * @param f a Future expected to fail
   * @return its failure, once it has one
   */
  protected static Throwable failure(Future<?> f) {
    try {
      Object result = f.toCompletionStage().toCompletableFuture().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected a failure, got " + (result instanceof Object[] a ? Arrays.toString(a) : result));
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no outcome within " + PATIENCE, e);
    }
  }
}
