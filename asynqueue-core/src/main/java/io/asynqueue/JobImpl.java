package io.asynqueue;

import io.asynqueue.spi.Job;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * One attempt at a call. A retry is a new attempt (see {@link #retry()}) sharing the call's promise, so a
 * worker that settles a stale attempt late cannot touch the new one.
 *
 * <p>Concurrency: {@link #state} moves QUEUED -> ASSIGNED -> DONE, or QUEUED -> DONE; the move to DONE is a
 * CAS so exactly one of the worker, the timeout timer and a crash settles an attempt. Scheduling fields
 * ({@link #worker}, {@link #queueIndex}) are guarded by the queue's lock.
 */
final class JobImpl implements Job, Comparable<JobImpl> {

  static final int QUEUED = 0;
  static final int ASSIGNED = 1;
  static final int DONE = 2;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(JobImpl.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The engine the attempt reports to when settled. */
  final Dispatcher dispatcher;
  final long id;
  final Task<?> task;
  final Object[] args;
  final ResultKind resultKind;
  final boolean update;
  final boolean ephemeral;
  final String series;
  final Duration timeout;
  final int retries;
  final int attempt;
  final boolean urgent;
  final ContextInternal context;
  final PromiseInternal<Object> promise;

  /** Links in the queue's lock-free stacks of submitted calls and of settled attempts (see Dispatcher). */
  JobImpl nextIncoming;
  JobImpl nextSettled;
  /** Link in a list of jobs to start once the queue's lock is released. */
  JobImpl nextStart;
  /** Why a settled attempt is to be retried, on its way to the queue's bookkeeping; else null. */
  Throwable retryCause;
  /** A new call's options, set before it is submitted and read when it is scheduled. */
  boolean last;
  int niceness;
  double priority;
  long seq;
  /** @protectedby queue lock */
  WorkerSlot worker;
  /** The slot holding this attempt, and its neighbours in the slot's list (see WorkerSlot#hold); under lock. */
  WorkerSlot heldBy;
  JobImpl prevHeld;
  JobImpl nextHeld;
  volatile long timerId = -1;
  /** System.nanoTime() when the call was made and when this attempt started; 0 unless metrics are recorded. */
  long queuedAt;
  long startedAt;
  private volatile int state;
  private String description;

  JobImpl(Dispatcher dispatcher, long id, Task<?> task, Object[] args, ResultKind resultKind, boolean update,
      boolean ephemeral, String series, Duration timeout, int retries, int attempt, boolean urgent,
      ContextInternal context, PromiseInternal<Object> promise) {
    this.dispatcher = dispatcher;
    this.id = id;
    this.task = task;
    this.args = args;
    this.resultKind = resultKind;
    this.update = update;
    this.ephemeral = ephemeral;
    this.series = series;
    this.timeout = timeout;
    this.retries = retries;
    this.attempt = attempt;
    this.urgent = urgent;
    this.context = context;
    this.promise = promise;
  }

  /** The next attempt of this call: urgent, so it runs before everything not urgent. */
  JobImpl retry() {
    JobImpl next = new JobImpl(dispatcher, id, task, args, resultKind, update, ephemeral, series, timeout,
        retries, attempt + 1, true, context, promise);
    next.description = description;
    return next;
  }

  boolean casState(int expected, int next) {
    return STATE.compareAndSet(this, expected, next);
  }

  int state() {
    return state;
  }

  void setState(int next) {
    state = next;
  }

  /** @return whether this call may be tried again after a timeout or a lost worker */
  boolean mayRetry() {
    return attempt <= retries;
  }

  @Override
  public int compareTo(JobImpl o) {
    int c = Double.compare(priority, o.priority);
    return c != 0 ? c : Long.compare(seq, o.seq);
  }

  // ---------------------------------------------------------------- Job

  @Override
  public long id() {
    return id;
  }

  @Override
  public Task<?> task() {
    return task;
  }

  @Override
  public Object[] args() {
    return args;
  }

  @Override
  public ResultKind resultKind() {
    return resultKind;
  }

  @Override
  public boolean isUpdate() {
    return update;
  }

  @Override
  public boolean isEphemeral() {
    return ephemeral;
  }

  @Override
  public boolean isUrgent() {
    return urgent;
  }

  @Override
  public String describe() {
    String d = description;
    if (d == null) {
      d = CallDescriber.describe(task, args);
      description = d;
    }
    return d;
  }

  @Override
  public Context context() {
    return context;
  }

  @Override
  public boolean complete(Object result) {
    if (!casState(ASSIGNED, DONE)) {
      return false;
    }
    dispatcher.settled(this, result, null);
    return true;
  }

  @Override
  public boolean fail(Throwable cause) {
    if (!casState(ASSIGNED, DONE)) {
      return false;
    }
    dispatcher.settled(this, null, cause == null ? new NullPointerException("null failure") : cause);
    return true;
  }

  @Override
  public boolean isDone() {
    return state == DONE;
  }

  @Override
  public String toString() {
    return "Job#" + id + (attempt > 1 ? "/" + attempt : "") + " " + describe();
  }
}
