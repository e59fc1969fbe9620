package io.asynqueue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the bookkeeping leaves to do once the lock is released, and the doing of it: jobs to start on their
 * workers (in order, linked through {@link JobImpl#nextIncoming}), calls to refuse, retries to fail, and whether
 * any attempt was settled (then the load signal and the drain hear that a call ended).
 *
 * <p>Starting a job ({@link #start}) arms its timeout and calls the worker's {@code run}; a worker may settle
 * the job inside {@code run}, which frees the slot and starts the next job from within: those starts are
 * trampolined, deferred to the outermost start on the thread, so a run of jobs that fail at once loops
 * instead of recursing.
 *
 * <p>Concurrency: a handoff is made and filled under the lock by the one thread doing the bookkeeping, and
 * run by that thread once it has released the lock; it is never shared. Nothing here takes the lock: workers
 * are called ({@code run}, {@code cancel}) and promises completed with it released. A handoff is allocated
 * only when there is something to hand over (at most one per round of bookkeeping), so a call that needs no
 * bookkeeping allocates none.
 */
final class Handoff {

  private static final Logger LOG = LoggerFactory.getLogger(TaskQueue.class);
  private static final ThreadLocal<Trampoline> TRAMPOLINE = ThreadLocal.withInitial(Trampoline::new);

  private final Dispatcher dispatcher;
  private JobImpl firstStart;
  private JobImpl lastStart;
  ArrayList<JobImpl> refuse;
  /** Retries the queue can no longer run: failed with the cause of the attempt they would retry. */
  ArrayList<JobImpl> refuseRetry;
  /** Whether an attempt was settled (or a retry refused): a call ended. */
  boolean settled;

  Handoff(Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  /** Adds a job, assigned under the lock, to those to start once it is released. */
  void startLater(JobImpl job) {
    if (lastStart == null) {
      firstStart = job;
    } else {
      lastStart.nextIncoming = job;
    }
    lastStart = job;
  }

  /** Does it all, outside the lock: starts, refusals, failed retries, then the news that a call ended. */
  void run() {
    for (JobImpl job = firstStart, next; job != null; job = next) {
      next = job.nextIncoming;
      job.nextIncoming = null;
      start(dispatcher, job, job.worker);
    }
    if (refuse != null) {
      for (JobImpl job : refuse) {
        job.untoken();
        job.promise.fail(new QueueShutdownException("queue is shut down: " + job.describe()));
      }
    }
    if (refuseRetry != null) {
      for (JobImpl job : refuseRetry) {
        Throwable cause = job.retryCause;
        job.retryCause = null;
        job.untoken();
        dispatcher.metrics.ended(job, cause);
        job.promise.fail(cause);
      }
    }
    if (settled) {
      dispatcher.afterSettle();
    }
  }

  /**
   * Starts a job on its worker. A worker may settle a job inside {@code run}, which frees the slot and starts
   * the next job: that start is deferred to the outermost call on this thread, so a run of jobs that fail at
   * once loops instead of recursing.
   */
  static void start(Dispatcher dispatcher, JobImpl job, WorkerSlot w) {
    Trampoline t = TRAMPOLINE.get();
    if (t.active) {
      t.pending.add(job);
      return;
    }
    t.active = true;
    try {
      launch(dispatcher, job, w);
      JobImpl next;
      while ((next = t.pending.poll()) != null) {
        launch(next.dispatcher, next, next.worker); // its own queue: the trampoline is shared by every queue
      }
    } finally {
      t.active = false;
    }
  }

  private static final class Trampoline {
    boolean active;
    final ArrayDeque<JobImpl> pending = new ArrayDeque<>();
  }

  private static void launch(Dispatcher dispatcher, JobImpl job, WorkerSlot w) {
    if (job.state() == JobImpl.DONE) {
      return; // settled before it started (cancelled, or claimed by a crash): its slot is freed by the settling
    }
    Duration timeout = job.timeout;
    if (timeout != null) {
      job.timerId = dispatcher.vertx.setTimer(Math.max(1, timeout.toMillis()), id -> timedOut(dispatcher, job));
    }
    dispatcher.metrics.started(job);
    runOnWorker(job, w);
  }

  /** Hands a job (or an update) to its worker; a worker that throws from {@code run} fails the job. */
  static void runOnWorker(JobImpl job, WorkerSlot w) {
    try {
      w.worker.run(job);
    } catch (Throwable t) {
      LOG.error("{} threw from run(): a worker must not; failing the job", w, t);
      job.fail(t);
    }
  }

  private static void timedOut(Dispatcher dispatcher, JobImpl job) {
    if (!job.casState(JobImpl.ASSIGNED, JobImpl.DONE)) {
      return;
    }
    job.timerId = -1;
    WorkerSlot w = job.worker;
    try {
      w.worker.cancel(job);
    } catch (Throwable t) {
      LOG.warn("{} threw from cancel()", w, t);
    }
    dispatcher.settled(job, null, new TaskTimeoutException(job.describe(), job.timeout, job.attempt));
  }
}
