package io.asynqueue;

// Vert.x internal API (listed in InternalImportsTest): its getOrCreateContext() is a ContextInternal, whose promises
// call back on the caller's context; no public API makes such a promise.
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher: the queue's state under its lock, and the scheduling decisions made there. It is the hub
 * of the engine, whose other parts are the front door ({@link TaskQueueImpl}: the public API and the path of a
 * new call), the {@link Roster} (the workers and the updates), the {@link Drain} (the shutdown) and the {@link
 * LoadSignal} (the load and its handler); they share this class's one {@link #lock}. This note is the
 * scheduler's design.
 * Why it is one file of about 550 lines: the bookkeeping under the lock (intake, settle, distribute, cancel) keeps
 * one invariant, stated below, and is checked by reading it whole.
 *
 * <p>Scheduling: queued jobs wait in one priority queue per series ({@link SeriesQueue}); the {@link
 * SeriesScheduler} says which goes next (series share the workers by worker time; its note gives the design and
 * the costs: O(log series) per call). Free worker
 * capacity waits in {@link #idle}, one entry per free slot, oldest first. The invariant, kept under {@link
 * #lock} at every change: no idle slot serves a series that has a queued job. So a new job either goes
 * straight to the first idle slot that serves its series or is queued; a slot that frees up takes the best
 * queued job among the series its worker serves, or goes idle. A job nobody can serve waits in its own queue
 * and holds up nobody (no head-of-line blocking).
 *
 * <p>The hot path never waits for the lock. A new call is pushed on {@link #incoming} and a settled attempt
 * on {@link #settledJobs}, lock-free stacks (one CAS, no allocation: the job is the node); then the thread
 * asks for {@link #schedule()}. One thread at a time (whoever raises {@link #wip} from zero) does the
 * bookkeeping for everything pushed so far, under the lock, in one go: new calls to idle slots or onto their
 * series' queues, settled attempts' slots freed and refilled with the best queued job. Then, outside the
 * lock, it starts the jobs it assigned and requeues retries. A thread that finds the bookkeeping taken
 * returns at once: the one doing it goes round again. So the caller's event loop and the worker threads never
 * queue up on the lock (a convoy that cut a burst of calls on 4 thread workers to a quarter of the throughput
 * on 2 cores).
 *
 * <p>A call is completed by the thread that settles it, right after it pushed the attempt: its Future is
 * complete when the worker's {@code complete} returns, and whoever then takes the lock finds its slot
 * accounted for (pending pushes are accounted for by whoever holds the lock; {@link LoadSignal#load()} does
 * too). A new call needs the bookkeeping only while a slot is idle (otherwise the next settled attempt picks it
 * up): a slot that goes idle publishes {@link #idleCount} and then drains the intake again, the caller
 * publishes its call and then reads the count, so one of the two sees the other (the same pairing covers
 * {@link #state} and a concurrent shutdown).
 *
 * <p>Concurrency: one lock guards the series queues, the slots and the counters, here and in the other parts
 * (the roster's workers and saved updates, the drain's shutdown promise); it is held only for bookkeeping.
 * Workers are called ({@code run}, {@code cancel}, {@code stop}, {@code crash}) and promises completed outside
 * it, so a worker may settle a job from inside {@code run} without re-entering the lock's critical section. A
 * job attempt is settled once (a CAS in {@link JobImpl}); the winner reports to {@link #settled}. The path of a
 * call (submit, schedule, start, settled, complete) reads the volatile fields it read when this was one class
 * ({@link #state}, {@link #idleCount}, the load listener, the drain's flag), allocates nothing beyond the job
 * and, when there is work to hand over, one {@link Handoff}, and takes the lock only in {@link #schedule()}.
 */
final class Dispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(TaskQueue.class);

  /** The queue's life: it takes calls while RUNNING; see {@link Drain} for the rest. */
  enum State { RUNNING, DRAINING, STOPPING, STOPPED }

  final VertxInternal vertx;
  final TaskQueueOptions options;
  private final boolean spew;
  private final boolean verbose;

  /** The queue's one lock, shared by all its parts. */
  final Object lock = new Object();
  final LoadSignal loads;
  final Roster roster;
  final Drain drain;
  /** Records what happens to calls and workers; {@link QueueMetrics#NONE} without a registry. */
  final QueueMetrics metrics;
  /**
   * Calls submitted and not yet scheduled, newest first, linked by {@link JobImpl#nextIncoming}: pushed by
   * {@link TaskQueueImpl}, which holds this same object.
   */
  final AtomicReference<JobImpl> incoming = new AtomicReference<>();
  /** Attempts settled and not yet accounted for, newest first, linked by {@link JobImpl#nextSettled}. */
  private final AtomicReference<JobImpl> settledJobs = new AtomicReference<>();
  /** Requests to {@link #schedule()}: whoever raises it from zero does the bookkeeping for all. */
  private final AtomicInteger wip = new AtomicInteger();
  /** Ids for new calls and updates (a retry keeps its call's). */
  final AtomicLong nextJobId = new AtomicLong();
  /** {@code idle.size()}, written under the lock, read by callers without it. */
  volatile int idleCount;
  // @protectedby lock: everything down to state (which is also read without it)
  /** The queued calls, and which goes next: see there for the design and its costs. */
  private final SeriesScheduler scheduler = new SeriesScheduler();
  private final ArrayDeque<WorkerSlot> idle = new ArrayDeque<>();
  int queued;
  int running;
  /** Written under the lock (by the {@link Drain}), read also without it. */
  volatile State state = State.RUNNING;

  /**
   * Builds the engine: the dispatcher's own state, then the parts that call back into it, which only keep a
   * reference to it (and its vertx and lock) while it is being built.
   */
  Dispatcher(VertxInternal vertx, TaskQueueOptions options) {
    this.vertx = vertx;
    this.options = new TaskQueueOptions(Objects.requireNonNull(options, "options"));
    this.spew = options.isSpew();
    this.verbose = options.isVerbose();
    this.loads = new LoadSignal(this);
    this.roster = new Roster(this);
    this.drain = new Drain(this);
    this.metrics = QueueMetrics.of(this, this.options);
  }

  // ---------------------------------------------------------------- bookkeeping

  /**
   * Does the bookkeeping for every call and settled attempt pushed so far, or leaves it to the thread already
   * doing it (which then goes round again); then starts and retries, outside the lock, what it found.
   */
  void schedule() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    Handoff h = null;
    int missed = 1;
    do {
      synchronized (lock) {
        h = bookkeep(h);
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
    if (h != null) {
      h.run();
    }
  }

  /**
   * Accounts for everything pushed so far: new calls (see {@link #intake}), then settled attempts, whose slots
   * are freed and refilled. Under the lock; what to do after it is left in the returned handoff.
   */
  Handoff bookkeep(Handoff h) {
    h = intake(h);
    JobImpl newest = settledJobs.get() == null ? null : settledJobs.getAndSet(null);
    JobImpl oldest = null;
    while (newest != null) { // reverse the stack into settling order
      JobImpl older = newest.nextSettled;
      newest.nextSettled = oldest;
      oldest = newest;
      newest = older;
    }
    for (JobImpl job = oldest, next; job != null; job = next) {
      next = job.nextSettled;
      job.nextSettled = null;
      if (h == null) {
        h = new Handoff(this);
      }
      h.settled = true;
      if (job.retryCause != null) {
        // Queued at the head before the slot is freed, so that the freed slot (or the first idle one) runs it.
        Throwable cause = job.retryCause;
        job.retryCause = null;
        LOG.debug("retrying {} after {}", job, cause.toString());
        h = requeueLocked(job.retry(), cause, h);
      }
      h = releaseLocked(job, h);
    }
    return h;
  }

  /**
   * Schedules the calls submitted since the last intake, oldest first: each goes to the first idle slot that
   * serves its series, or onto its series' queue; once the queue has stopped running it is refused. Under the
   * lock; the starts and refusals are left in the returned handoff (created if {@code h} is null and needed).
   */
  Handoff intake(Handoff h) {
    JobImpl newest = incoming.get() == null ? null : incoming.getAndSet(null);
    JobImpl oldest = null;
    while (newest != null) { // reverse the stack into submission order
      JobImpl older = newest.nextIncoming;
      newest.nextIncoming = oldest;
      oldest = newest;
      newest = older;
    }
    for (JobImpl job = oldest, next; job != null; job = next) {
      next = job.nextIncoming;
      job.nextIncoming = null;
      if (job.state() == JobImpl.DONE) {
        continue; // cancelled before it reached the intake: its Future has failed already
      }
      if (state != State.RUNNING) {
        job.setState(JobImpl.DONE);
        if (h == null) {
          h = new Handoff(this);
        }
        if (h.refuse == null) {
          h.refuse = new ArrayList<>();
        }
        h.refuse.add(job);
        continue;
      }
      scheduler.prepare(job);
      WorkerSlot slot = takeIdle(job.series);
      if (slot != null) {
        assign(job, slot);
        if (h == null) {
          h = new Handoff(this);
        }
        h.startLater(job);
      } else {
        enqueue(job);
      }
    }
    return h;
  }

  /** Puts free capacity of a worker on the idle list, then schedules what was submitted meanwhile. */
  private Handoff goIdle(WorkerSlot w, int slots, Handoff h) {
    for (int i = 0; i < slots; i++) {
      idle.addLast(w);
    }
    idleCount = idle.size();
    return intake(h);
  }

  // ---------------------------------------------------------------- scheduling (under the lock)

  /** The first idle slot that serves the series, taken out of the idle list. */
  private WorkerSlot takeIdle(String series) {
    if (idle.isEmpty()) {
      return null;
    }
    WorkerSlot first = idle.peekFirst();
    if (first.serves(series)) {
      idle.pollFirst();
      idleCount = idle.size();
      return first;
    }
    for (Iterator<WorkerSlot> it = idle.iterator(); it.hasNext(); ) {
      WorkerSlot w = it.next();
      if (w.serves(series)) {
        it.remove();
        idleCount = idle.size();
        return w;
      }
    }
    return null;
  }

  private void enqueue(JobImpl job) {
    scheduler.enqueue(job);
    queued++;
  }

  /** The next queued job for the worker (see {@link SeriesScheduler#take}), taken off its queue; or null. */
  private JobImpl takeQueued(WorkerSlot w) {
    JobImpl job = scheduler.take(w);
    if (job != null) {
      queued--;
    }
    return job;
  }

  /**
   * Hands each free unit of an active, unpaused slot a queued job (added to {@code toStart}), or puts it on the
   * idle list. Under the lock.
   */
  Handoff distribute(WorkerSlot slot, List<JobImpl> toStart, Handoff h) {
    for (int i = 0, n = slot.free; i < n; i++) {
      JobImpl job = takeQueued(slot);
      if (job == null) {
        return goIdle(slot, n - i, h);
      }
      assign(job, slot);
      toStart.add(job);
    }
    return h;
  }

  /** Takes a paused or retired worker's free capacity off the idle list. Under the lock. */
  void unidle(WorkerSlot slot) {
    idle.removeIf(s -> s == slot);
    idleCount = idle.size();
  }

  /** Runs a claimed attempt's call again elsewhere, at the head of the queue. */
  void reassign(JobImpl job) {
    long timer = job.timerId;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    Handoff h;
    synchronized (lock) {
      h = releaseLocked(job, requeueLocked(job.retry(), null, intake(null)));
    }
    h.run();
    loads.signal();
  }

  private void assign(JobImpl job, WorkerSlot w) {
    job.setState(JobImpl.ASSIGNED);
    job.worker = w;
    w.hold(job);
    w.free--;
    running++;
    scheduler.started(job, scheduler.timed ? System.nanoTime() : SeriesScheduler.UNTIMED);
  }

  /**
   * Frees the slot an attempt held and gives it the best queued job it serves, or puts it on the idle list.
   * Under the lock, after an intake; the job to start is left in the returned handoff.
   */
  private Handoff releaseLocked(JobImpl job, Handoff h) {
    WorkerSlot w = job.worker;
    if (w == null || !w.release(job) || job.update) {
      return h;
    }
    scheduler.ended(job, job.startNanos == SeriesScheduler.UNTIMED ? SeriesScheduler.UNTIMED : System.nanoTime());
    running--;
    w.done++;
    w.free++;
    if (w.active && !w.paused) {
      JobImpl next = takeQueued(w);
      if (next != null) {
        assign(next, w);
        if (h == null) {
          h = new Handoff(this);
        }
        h.startLater(next);
      } else {
        h = goIdle(w, 1, h);
      }
    }
    return h;
  }

  // ---------------------------------------------------------------- settling

  /**
   * An attempt was settled (exactly once). Hands it to the bookkeeping, which frees its slot (and requeues a
   * retry); then completes its call, unless it is retried, so that the call's Future is complete when the
   * worker's {@code complete} or {@code fail} returns, and whoever sees it complete and takes the lock (such as
   * {@link LoadSignal#load()}) finds its slot freed.
   */
  void settled(JobImpl job, Object result, Throwable failure) {
    long timer = job.timerId;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    boolean retryable = failure instanceof WorkerLostException || failure instanceof TaskTimeoutException;
    boolean retry = retryable && !job.update && job.mayRetry();
    job.retryCause = retry ? failure : null;
    metrics.settled(job, failure, retry);
    JobImpl top;
    do {
      top = settledJobs.get();
      job.nextSettled = top;
    } while (!settledJobs.compareAndSet(top, job));
    if (!retry) {
      complete(job, result, failure);
    }
    schedule();
  }

  /** Completes the call of a settled attempt that is not retried. */
  private void complete(JobImpl job, Object result, Throwable failure) {
    job.untoken();
    if (failure == null) {
      if (spew) {
        LOG.info("{} -> {}", job.describe(), result);
      }
      job.promise.complete(result);
      return;
    }
    Throwable reported = failure instanceof AsynQueueException ? failure : new TaskException(job.describe(), failure);
    if (verbose) {
      LOG.warn("{} failed", job.describe(), reported);
    } else {
      LOG.debug("{} failed: {}", job.describe(), reported.toString());
    }
    job.promise.fail(reported);
  }

  /** A call ended: the load changed, and a drain may be over. Outside the lock. */
  void afterSettle() {
    loads.signal();
    drain.callEnded();
  }

  /**
   * Puts a new attempt of a call back on the queue ahead of all that is not urgent: to the first idle slot
   * that serves it, or at the head of its series' queue; or, once the queue is stopping (or draining with
   * nobody left to serve it), fails it with {@code cause}; or, once its token is cancelled, with {@link
   * TaskCancelledException}. Under the lock, after an intake; what to start or
   * fail is left in the returned handoff.
   */
  private Handoff requeueLocked(JobImpl job, Throwable cause, Handoff h) {
    if (h == null) {
      h = new Handoff(this);
    }
    boolean cancelled = job.token != null && job.token.isCancelled();
    if (cancelled || state == State.STOPPING || state == State.STOPPED
        || !roster.servable(job.series) && state != State.RUNNING) {
      job.setState(JobImpl.DONE);
      job.retryCause = cancelled ? new TaskCancelledException("cancelled before it could be retried: " + job.describe())
          : cause != null ? cause
          : new QueueShutdownException("queue shut down before " + job.describe() + " could be reassigned");
      if (h.refuseRetry == null) {
        h.refuseRetry = new ArrayList<>(2);
      }
      h.refuseRetry.add(job);
      h.settled = true; // a call ended: the drain may be over
      return h;
    }
    scheduler.prepareRetry(job);
    WorkerSlot slot = takeIdle(job.series);
    if (slot != null) {
      assign(job, slot);
      h.startLater(job);
    } else {
      enqueue(job);
    }
    return h;
  }

  // ---------------------------------------------------------------- dropping (for the drain)

  /** Drops every queued job into {@code dropped}. Under the lock. */
  void dropAll(List<JobImpl> dropped) {
    for (String series : scheduler.queuedSeries()) {
      drop(series, dropped);
    }
  }

  /** Drops the queued jobs of the series no worker is left to serve into {@code dropped}. Under the lock. */
  void dropUnservable(List<JobImpl> dropped) {
    for (String series : scheduler.queuedSeries()) {
      if (!roster.servable(series)) {
        drop(series, dropped);
      }
    }
  }

  private void drop(String series, List<JobImpl> dropped) {
    int from = dropped.size();
    scheduler.drainSeries(series, dropped);
    queued -= dropped.size() - from;
    for (int i = from, n = dropped.size(); i < n; i++) {
      dropped.get(i).setState(JobImpl.DONE);
    }
  }

  // ---------------------------------------------------------------- cancelling

  /**
   * Cancels calls of a token, which may be on several queues: each queue cancels its own, under its lock.
   *
   * @return how many were cancelled
   */
  static int cancel(JobImpl[] jobs, boolean interrupt) {
    List<JobImpl> rest = new ArrayList<>(Arrays.asList(jobs));
    int cancelled = 0;
    while (!rest.isEmpty()) {
      Dispatcher d = rest.get(0).dispatcher;
      List<JobImpl> mine = new ArrayList<>(rest.size());
      List<JobImpl> others = new ArrayList<>();
      for (JobImpl job : rest) {
        (job.dispatcher == d ? mine : others).add(job);
      }
      cancelled += d.cancelJobs(mine, interrupt);
      rest = others;
    }
    return cancelled;
  }

  /**
   * Cancels calls of this queue: each one still queued leaves its series' queue (O(log n)); a running one is
   * stopped if {@code interrupt}; one that has ended (or is between a failed attempt and its retry) is left
   * alone.
   *
   * @return how many were cancelled
   */
  private int cancelJobs(List<JobImpl> jobs, boolean interrupt) {
    List<JobImpl> removed = new ArrayList<>();
    List<JobImpl> claimed = interrupt ? new ArrayList<>() : List.of();
    Handoff h;
    synchronized (lock) {
      h = intake(null); // calls submitted before the cancel are queued first, then cancelled
      for (JobImpl job : jobs) {
        int s = job.state();
        if (s == JobImpl.QUEUED) {
          if (job.index != SeriesQueue.NOWHERE) {
            scheduler.remove(job);
            queued--;
          } // else: made, and not on the intake yet (the intake drops it once it gets there)
          job.setState(JobImpl.DONE);
          removed.add(job);
        } else if (interrupt && s == JobImpl.ASSIGNED && !job.update && job.casState(JobImpl.ASSIGNED, JobImpl.DONE)) {
          claimed.add(job);
        }
      }
    }
    return cancelled(h, removed, claimed);
  }

  /**
   * Cancels the calls of a series: the queued ones leave the queue; the running ones are stopped if {@code
   * interrupt}.
   *
   * @return how many were cancelled
   */
  int cancelSeries(String series, boolean interrupt) {
    List<JobImpl> removed = new ArrayList<>();
    List<JobImpl> claimed = interrupt ? new ArrayList<>() : List.of();
    Handoff h;
    synchronized (lock) {
      h = intake(null); // calls submitted before the cancel are queued first, then cancelled
      drop(series, removed);
      if (interrupt) {
        roster.claimRunning(series, claimed);
      }
    }
    return cancelled(h, removed, claimed);
  }

  /**
   * Outside the lock, after a cancel: fails the calls taken off the queue, stops the claimed running ones as a
   * timeout would (the worker's {@code cancel}), and settles them; then the load and a drain hear of it.
   */
  private int cancelled(Handoff h, List<JobImpl> removed, List<JobImpl> claimed) {
    if (h != null) {
      h.run();
    }
    for (JobImpl job : removed) {
      job.untoken();
      TaskCancelledException e = new TaskCancelledException("cancelled while queued: " + job.describe());
      metrics.ended(job, e);
      job.promise.fail(e);
    }
    for (JobImpl job : claimed) {
      WorkerSlot w = job.worker;
      try {
        w.worker.cancel(job);
      } catch (Throwable t) {
        LOG.warn("{} threw from cancel()", w, t);
      }
      settled(job, null, new TaskCancelledException("cancelled while running: " + job.describe()));
    }
    if (!removed.isEmpty()) {
      afterSettle();
    }
    return removed.size() + claimed.size();
  }
}
