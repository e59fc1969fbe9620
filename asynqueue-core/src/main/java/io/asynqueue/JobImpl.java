package io.asynqueue;

import io.asynqueue.spi.Job;
import io.vertx.core.Context;
// Vert.x internal API (listed in InternalImportsTest): the caller's context's promise, which every attempt of a call
// shares and completes on that context whatever thread settles it; no public API makes such a promise.
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
 * ({@link #worker}, {@link #prev}, {@link #next}, {@link #index}) are guarded by the queue's lock; {@link
 * #tokenIndex} by its token's monitor.
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
  /** The call's Future; it also holds the caller's context (see {@link #context()}). */
  final PromiseInternal<Object> promise;

  /**
   * Links in the queue's lock-free stacks of submitted calls and of settled attempts (see Dispatcher). {@link
   * #nextIncoming} also links a scheduled job in a {@link Handoff}'s list of jobs to start (it has left the
   * stack of submitted calls by then).
   */
  JobImpl nextIncoming;
  JobImpl nextSettled;
  /** Why a settled attempt is to be retried, on its way to the queue's bookkeeping; else null. */
  Throwable retryCause;
  /** A new call's options, set before it is submitted and read when it is scheduled. */
  boolean last;
  int niceness;
  /** Its priority within its series; ties go by {@link #id}, the order the calls were made. */
  double priority;
  /** Its series' queue and scheduling record, set when it is scheduled; under the lock. */
  SeriesQueue queue;
  /**
   * When it was handed to its worker, and the worker time (microseconds) its series was charged then (see
   * SeriesScheduler); under the lock.
   */
  long startNanos;
  int chargedMicros;
  /** The token that cancels the call, or null; set before the call is submitted. */
  CancelToken token;
  /** The attempt's index in its token's list of calls, or -1; guarded by the token's monitor. */
  int tokenIndex = -1;
  /** @protectedby queue lock */
  WorkerSlot worker;
  /**
   * Neighbours in a list, under the lock: while queued, in its series' in-order lane (see SeriesQueue); while
   * held, in its slot's list of held jobs (see WorkerSlot#hold).
   */
  JobImpl prev;
  JobImpl next;
  /**
   * Where it waits: its index in its series' heap, {@link SeriesQueue#IN_LANE} in the in-order lane, {@link
   * SeriesQueue#HELD} held by its {@link #worker} (see WorkerSlot#hold), or {@link SeriesQueue#NOWHERE} in no
   * series' queue (submitted and not scheduled yet, or no longer queued). Under the lock.
   */
  int index = SeriesQueue.NOWHERE;
  volatile long timerId = -1;
  /** System.nanoTime() when the call was made and when this attempt started; 0 unless metrics are recorded. */
  long queuedAt;
  long startedAt;
  private volatile int state;

  JobImpl(Dispatcher dispatcher, long id, Task<?> task, Object[] args, ResultKind resultKind, boolean update,
      boolean ephemeral, String series, Duration timeout, int retries, int attempt, boolean urgent,
      PromiseInternal<Object> promise) {
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
    this.promise = promise;
  }

  /** The next attempt of this call: urgent, so it runs before everything not urgent. */
  JobImpl retry() {
    JobImpl retry = new JobImpl(dispatcher, id, task, args, resultKind, update, ephemeral, series, timeout,
        retries, attempt + 1, true, promise);
    retry.token = token;
    if (token != null) {
      token.replace(this, retry);
    }
    return retry;
  }

  /** The call ended (its Future is about to complete): its token, if any, forgets it. */
  void untoken() {
    CancelToken t = token;
    if (t != null) {
      t.remove(this);
    }
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
    return c != 0 ? c : Long.compare(id, o.id);
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
    return CallDescriber.describe(task, args);
  }

  @Override
  public Context context() {
    return promise.context();
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
