package io.asynqueue;

import io.asynqueue.spi.Job;
import io.asynqueue.spi.Worker;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link TaskQueueImpl} with one {@link RecordingWorker}, the calls made on it by racing threads (call
 * {@code i} returns {@code i}), and the checks of the intake's invariants once those threads are done; shared
 * by {@link TaskQueueIntakeLincheckTest} and {@link TaskQueueIntakeStressTest}.
 *
 * <p>{@link #verify()} checks the quiescent state first (no call waits while the worker has a free slot: a call
 * lost by the intake; no job handed over twice; a shutdown not complete while the worker holds a job), then
 * settles whatever the worker holds and checks the outcome: every call completed, either with its own value
 * after reaching the worker once, or, only when a shutdown raced with it, with a {@link QueueShutdownException}
 * without reaching the worker; a call begun after {@code shutdown()} returned is refused, one that returned
 * before a graceful shutdown began runs; load back to 0/0; the shutdown complete. The calls have no callbacks,
 * so their promises complete in the settling thread without a Vert.x thread; a promise completed twice throws
 * there.
 */
final class IntakeProbe {

  private static final int MAX_CALLS = 32;

  final TaskQueueImpl queue;
  final RecordingWorker worker;
  private final AtomicInteger made = new AtomicInteger();
  private final Future<?>[] calls = new Future<?>[MAX_CALLS];
  /** Ticks of a logical clock: when each call began and returned, when the shutdown began and returned. */
  private final AtomicLong clock = new AtomicLong();
  private final long[] callBegan = new long[MAX_CALLS];
  private final long[] callReturned = new long[MAX_CALLS];
  private volatile long shutdownBegan = Long.MAX_VALUE;
  private volatile long shutdownReturned = Long.MAX_VALUE;
  private volatile Future<Void> shutdown;
  private volatile boolean now;
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());

  IntakeProbe(Vertx vertx, int capacity, boolean settleOddInRun) {
    queue = new TaskQueueImpl(vertx, new TaskQueueOptions());
    worker = new RecordingWorker(capacity, settleOddInRun);
    queue.attachWorker(worker);
  }

  /** Makes the next call; returns its number. */
  int call() {
    int i = made.getAndIncrement();
    long began = clock.incrementAndGet();
    Future<?> f = queue.call((Integer x) -> x, i);
    long returned = clock.incrementAndGet();
    synchronized (calls) {
      calls[i] = f;
      callBegan[i] = began;
      callReturned[i] = returned;
    }
    return i;
  }

  /** Completes the job of call {@code i}, which the worker must hold. */
  void settle(int i) {
    for (Job job : worker.handed()) {
      if ((Integer) job.args()[0] == i) {
        job.complete(i);
        return;
      }
    }
    violations.add("the worker was not handed call " + i + " to settle");
  }

  /** Completes the oldest job the worker holds, if any. */
  void settleOldest() {
    Job job = firstHeld();
    if (job != null) {
      job.complete(job.args()[0]);
    }
  }

  void shutdown(boolean now) {
    this.now = now;
    shutdownBegan = clock.incrementAndGet();
    shutdown = now ? queue.shutdownNow() : queue.shutdown();
    shutdownReturned = clock.incrementAndGet();
  }

  /** Something a racing thread threw (such as a promise completed twice). */
  void thrown(Throwable t) {
    violations.add("a thread threw " + t);
  }

  /** Once the racing threads are done: checks, settles what the worker holds, checks again. */
  List<String> verify() {
    checkHanded();
    checkQuiescent("once the threads were done");
    for (Job job; (job = firstHeld()) != null; ) {
      job.complete(job.args()[0]);
      checkHanded();
      checkQuiescent("after settling call " + job.args()[0]);
    }
    checkOutcomes();
    return new ArrayList<>(violations);
  }

  private Job firstHeld() {
    for (Job job : worker.handed()) {
      if (!job.isDone()) {
        return job;
      }
    }
    return null;
  }

  private List<Future<?>> calls() {
    synchronized (calls) {
      List<Future<?>> list = new ArrayList<>();
      for (int i = 0; i < made.get(); i++) {
        list.add(calls[i]);
      }
      return list;
    }
  }

  private void checkHanded() {
    Set<Long> ids = new HashSet<>();
    for (Job job : worker.handed()) {
      if (!ids.add(job.id())) {
        violations.add("call " + job.args()[0] + " was handed to the worker twice");
      }
    }
  }

  /** A call neither complete nor held must only wait for the busy worker; a shutdown waits for held jobs. */
  private void checkQuiescent(String when) {
    int held = 0;
    for (Job job : worker.handed()) {
      if (!job.isDone()) {
        held++;
      }
    }
    int waiting = -held;
    for (Future<?> f : calls()) {
      if (!f.isComplete()) {
        waiting++;
      }
    }
    if (waiting > 0 && held < worker.capacity) {
      violations.add(when + ": " + waiting + " call(s) wait while the worker holds " + held + " of "
          + worker.capacity);
    }
    Future<Void> s = shutdown;
    if (held > 0 && s != null && s.isComplete()) {
      violations.add(when + ": the shutdown completed while the worker held " + held + " job(s)");
    }
  }

  private void checkOutcomes() {
    Set<Integer> handed = new HashSet<>();
    for (Job job : worker.handed()) {
      handed.add((Integer) job.args()[0]);
    }
    List<Future<?>> calls = calls();
    for (int i = 0; i < calls.size(); i++) {
      Future<?> f = calls.get(i);
      if (!f.isComplete()) {
        violations.add("call " + i + " did not complete");
      } else if (f.succeeded()) {
        if (!Integer.valueOf(i).equals(f.result())) {
          violations.add("call " + i + " completed with " + f.result());
        }
        if (!handed.contains(i)) {
          violations.add("call " + i + " succeeded without reaching the worker");
        }
        if (callBegan[i] > shutdownReturned) {
          violations.add("call " + i + " was accepted although it began after shutdown() returned");
        }
      } else if (!(f.cause() instanceof QueueShutdownException) || shutdown == null) {
        violations.add("call " + i + " failed: " + f.cause());
      } else if (handed.contains(i)) {
        violations.add("call " + i + " reached the worker but failed: " + f.cause());
      } else if (!now && callReturned[i] < shutdownBegan) {
        violations.add("call " + i + " returned before a graceful shutdown began but was refused");
      }
    }
    QueueLoad load = queue.load();
    if (load.queued() != 0 || load.running() != 0) {
      violations.add("load is " + load.queued() + " queued, " + load.running() + " running once all settled");
    }
    Future<Void> s = shutdown;
    if (s != null && !(s.isComplete() && s.succeeded())) {
      violations.add("the shutdown did not complete once all was settled: " + s);
    }
  }

  /** What each call came to, what the worker was handed, and the shutdown's state. */
  String describe() {
    StringBuilder sb = new StringBuilder();
    List<Future<?>> calls = calls();
    for (int i = 0; i < calls.size(); i++) {
      Future<?> f = calls.get(i);
      sb.append("call ").append(i).append(" [began ").append(callBegan[i]).append(", returned ")
          .append(callReturned[i]).append("]: ").append(!f.isComplete() ? "pending"
              : f.succeeded() ? "-> " + f.result() : "failed " + f.cause().getClass().getSimpleName())
          .append("; ");
    }
    List<Object> handed = new ArrayList<>();
    for (Job job : worker.handed()) {
      handed.add(job.args()[0]);
    }
    sb.append("handed to the worker: ").append(handed);
    Future<Void> s = shutdown;
    if (s != null) {
      sb.append("; ").append(now ? "shutdownNow" : "shutdown").append(" [began ").append(shutdownBegan)
          .append(", returned ").append(shutdownReturned).append("]: ").append(s.isComplete() ? "complete" : "pending");
    }
    return sb.toString();
  }

  /** A worker that records the jobs handed to it and leaves them to the test, or settles odd calls inside run. */
  static final class RecordingWorker implements Worker {
    final int capacity;
    private final boolean settleOddInRun;
    private final List<Job> handed = new ArrayList<>();

    RecordingWorker(int capacity, boolean settleOddInRun) {
      this.capacity = capacity;
      this.settleOddInRun = settleOddInRun;
    }

    @Override
    public int capacity() {
      return capacity;
    }

    @Override
    public Future<Void> start(WorkerSupervisor supervisor) {
      return Future.succeededFuture();
    }

    @Override
    public void run(Job job) {
      synchronized (this) {
        handed.add(job);
      }
      int i = (Integer) job.args()[0];
      if (settleOddInRun && i % 2 == 1) {
        job.complete(i);
      }
    }

    synchronized List<Job> handed() {
      return new ArrayList<>(handed);
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
}
