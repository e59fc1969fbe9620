package io.asynqueue;

import java.util.Arrays;

/**
 * A handle to cancel calls: give it to the calls in their {@link CallOptions#setCancelToken(CancelToken)
 * options}, then {@link #cancel()} them all at once. One token may cover any number of calls, on any number of
 * queues.
 *
 * <pre>{@code
 * CancelToken render = new CancelToken();
 * CallOptions options = new CallOptions().setCancelToken(render);
 * for (int y = 0; y < height; y++) {
 *   q.call(Renderer::row, options, spec, y).onSuccess(png::write);
 * }
 * render.cancel();      // the rows still queued leave the queue; the running ones finish
 * render.cancel(true);  // the running ones are stopped too
 * }</pre>
 *
 * <p>A cancelled call's Future fails with {@link TaskCancelledException}. A call still queued leaves its queue
 * at once and never runs. A running call finishes as usual (its result delivered) unless the cancel asks to
 * interrupt it: then it is stopped as its timeout would stop it (a thread worker interrupts, a process worker
 * kills and restarts its child, a remote worker cancels), and the worker carries on with other calls. A retry
 * of a call whose token is cancelled is not run. A token stays cancelled: a call made with it afterwards fails
 * at once.
 *
 * <p>Thread-safe: calls may be made with a token, and the token cancelled, from any thread. Cancelling costs
 * O(log n) per cancelled call in a queue of n calls, whatever else is queued.
 */
public final class CancelToken {

  private static final JobImpl[] NONE = new JobImpl[0];
  private static final int MIN_CAPACITY = 8;

  private volatile boolean cancelled;
  /**
   * The calls made with this token that have not ended, one entry per call (its current attempt), each
   * knowing its index ({@link JobImpl#tokenIndex}): added and removed in O(1). Guarded by this token's monitor,
   * which is only ever taken last (under a queue's lock, never the other way round).
   */
  private JobImpl[] jobs = NONE;
  private int size;

  /** A token that has not been cancelled. */
  public CancelToken() {
  }

  /** @return whether {@link #cancel()} or {@link #cancel(boolean)} was called */
  public boolean isCancelled() {
    return cancelled;
  }

  /**
   * Cancels the calls made with this token that are still queued: they leave their queues, and their Futures
   * fail with {@link TaskCancelledException}. Running calls finish. Calls made with the token from now on fail
   * at once.
   *
   * @return how many calls were cancelled
   */
  public int cancel() {
    return cancel(false);
  }

  /**
   * Cancels the calls made with this token: the queued ones, and, if {@code interrupt}, the running ones too,
   * which are stopped as their timeout would stop them. Either way their Futures fail with
   * {@link TaskCancelledException}. A token may be cancelled again, for instance with {@code interrupt} after a
   * first cancel without it.
   *
   * @param interrupt whether to stop the calls that are running
   * @return how many calls were cancelled (their Futures failed by this cancel)
   */
  public int cancel(boolean interrupt) {
    JobImpl[] snapshot;
    synchronized (this) {
      cancelled = true;
      snapshot = size == 0 ? NONE : Arrays.copyOf(jobs, size);
    }
    return snapshot.length == 0 ? 0 : Dispatcher.cancel(snapshot, interrupt);
  }

  // ---------------------------------------------------------------- the queue's side

  /**
   * Adds a new call, unless the token is cancelled.
   *
   * @return false if cancelled: the call must fail at once
   */
  synchronized boolean add(JobImpl job) {
    if (cancelled) {
      return false;
    }
    if (size == jobs.length) {
      jobs = Arrays.copyOf(jobs, Math.max(MIN_CAPACITY, size * 2));
    }
    job.tokenIndex = size;
    jobs[size++] = job;
    return true;
  }

  /** The call ended: forgets it (its current attempt). */
  synchronized void remove(JobImpl job) {
    int i = job.tokenIndex;
    if (i < 0 || i >= size || jobs[i] != job) {
      return;
    }
    JobImpl last = jobs[--size];
    jobs[i] = last;
    last.tokenIndex = i;
    jobs[size] = null;
    job.tokenIndex = -1;
    if (jobs.length > MIN_CAPACITY && size < jobs.length / 4) {
      jobs = Arrays.copyOf(jobs, jobs.length / 2);
    }
  }

  /** A call's attempt is replaced by its retry. */
  synchronized void replace(JobImpl attempt, JobImpl retry) {
    int i = attempt.tokenIndex;
    if (i < 0 || i >= size || jobs[i] != attempt) {
      return;
    }
    jobs[i] = retry;
    retry.tokenIndex = i;
    attempt.tokenIndex = -1;
  }
}
