package io.asynqueue;

import io.asynqueue.Dispatcher.State;
import io.asynqueue.internal.CloseHook;
import io.asynqueue.spi.Job.ResultKind;
import io.asynqueue.spi.Worker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
// Vert.x internal API (listed in InternalImportsTest): promises that call back on the caller's context whatever thread
// completes them (no public API makes one), and the close future of the context a worker is attached from.
import io.vertx.core.internal.CloseFuture;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The roster: the workers attached to the queue, and everything that happens to one besides running calls.
 *
 * <p>A worker is attached ({@link #attach}: started, given the saved updates one after another, its capacity
 * read, its free slots filled from the queue); it may pause and resume (its connection went down and came
 * back) and start over ({@link #restarted}: paused, given the saved updates again, resumed); it leaves by
 * being detached (gracefully: stopped once its calls end; or crashed, its calls reassigned or failed), by
 * resigning (crashed, its calls failed with {@link WorkerLostException} and retried where allowed), or at
 * shutdown, when the {@link Drain} retires and stops them all. Updates live here too: an update runs once on
 * every active worker, and one that is kept is replayed on every worker that attaches or starts over later.
 *
 * <p>Concurrency: the worker map, the saved updates and the counters are guarded by the queue's one lock
 * (marked {@code @protectedby lock}), and so are the slots' own fields ({@link WorkerSlot}). Which slot is
 * idle, and which job goes where, is the scheduling's business: the roster asks it ({@code intake}, {@code
 * distribute}, {@code unidle}) under the same lock. Workers are called ({@code start}, {@code capacity},
 * {@code run}, {@code stop}, {@code crash}) and promises completed outside the lock. The attempts a worker
 * holds are claimed (a CAS to DONE each) before it is crashed, so a task that the crash interrupts settles an
 * attempt that is no longer its own, which is ignored.
 *
 * <p>Why it is one file of about 500 lines: every path here (attach, restart, detach, resign, update) changes
 * the same guarded state in the same lock-then-act-outside order, and reads best side by side; the parts that
 * stand alone (the slots, the close hook, the drain) are already classes of their own.
 */
final class Roster {

  private static final Logger LOG = LoggerFactory.getLogger(TaskQueue.class);

  private final Dispatcher dispatcher;
  /** For the workers' supervisors ({@link WorkerSlot#vertx()}). */
  final VertxInternal vertx;
  /** The queue's name, for its workers' threads and logs ({@link WorkerSlot#queueName()}). */
  final String queueName;
  /**
   * What the queue closes with: the close future current when it was made (its verticle's, or Vert.x's). A worker
   * attached under another one (from another verticle) is detached when that one closes.
   */
  final CloseFuture home;
  private final Object lock;
  // @protectedby lock: down to nextWorkerId
  /** The attached workers, attaching ones included and gone ones not, by id, in attach order. */
  private final LinkedHashMap<Integer, WorkerSlot> workers = new LinkedHashMap<>();
  /** The updates kept for replay, as {task, args}, in the order they were made. */
  private final List<Object[]> savedUpdates = new ArrayList<>();
  /** Workers attached and neither active nor abandoned yet: a drain waits for them. */
  int attaching;
  private int nextWorkerId = 1;

  Roster(Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
    this.vertx = dispatcher.vertx;
    this.lock = dispatcher.lock;
    this.queueName = dispatcher.options.getName();
    this.home = CloseHook.current(vertx);
  }

  /**
   * Runs an update on every active worker and, unless it is ephemeral, keeps it for the workers that attach
   * or start over later.
   *
   * @return the results of every worker, in attach order
   */
  @SuppressWarnings("unchecked")
  <R> Future<List<R>> update(Task<R> task, boolean ephemeral, Object[] a, ContextInternal ctx) {
    List<WorkerSlot> targets;
    synchronized (lock) {
      if (dispatcher.state != State.RUNNING) {
        return Future.failedFuture(new QueueShutdownException("queue is shut down: update "
            + CallDescriber.describe(task, a)));
      }
      targets = new ArrayList<>();
      for (WorkerSlot w : workers.values()) {
        if (w.active) {
          targets.add(w);
        }
      }
      if (!ephemeral) {
        savedUpdates.add(new Object[] {task, a});
      }
    }
    List<Future<Object>> results = new ArrayList<>(targets.size());
    for (WorkerSlot w : targets) {
      results.add(runUpdate(w, task, a, ephemeral, ctx));
    }
    return Future.all(results).map(all -> (List<R>) all.list());
  }

  /** Runs an update on one worker (held by it, as a job is, until settled). */
  private Future<Object> runUpdate(WorkerSlot w, Task<?> task, Object[] args, boolean ephemeral,
      ContextInternal ctx) {
    JobImpl job;
    boolean gone;
    synchronized (lock) {
      job = new JobImpl(dispatcher, dispatcher.nextJobId.incrementAndGet(), task, args, ResultKind.VALUE, true,
          ephemeral, null, null, 0, 1, true, ctx.promise());
      gone = w.gone;
      if (gone) {
        job.setState(JobImpl.DONE);
      } else {
        job.setState(JobImpl.ASSIGNED);
        job.worker = w;
        w.hold(job);
      }
    }
    if (gone) {
      return Future.failedFuture(new WorkerLostException(w + " was detached before update " + job.describe()));
    }
    Handoff.runOnWorker(job, w);
    return job.promise.future();
  }

  /**
   * Attaches a worker: starts it, replays the saved updates on it, then lets it take calls.
   *
   * @return its id, once it takes calls
   */
  Future<Integer> attach(Worker worker) {
    WorkerSlot slot;
    synchronized (lock) {
      if (dispatcher.state != State.RUNNING) {
        return Future.failedFuture(new QueueShutdownException("queue is shut down: cannot attach " + worker));
      }
      slot = new WorkerSlot(this, nextWorkerId, worker);
      nextWorkerId++;
      CloseFuture here = CloseHook.current(vertx);
      if (here != home) {
        // Attached from another verticle than the queue's: it leaves the queue when that verticle is undeployed.
        // (Registered before the slot can be retired, which removes it; the close future calls out unlocked.)
        int id = slot.id;
        slot.closeHook = CloseHook.register(here, slot.toString(), () -> detach(id, DetachMode.GRACEFUL).mapEmpty());
      }
      workers.put(slot.id, slot);
      attaching++;
    }
    Future<Void> started;
    try {
      started = Objects.requireNonNull(worker.start(slot), "start() returned null");
    } catch (Throwable t) {
      started = Future.failedFuture(t);
    }
    ContextInternal ctx = vertx.getOrCreateContext();
    Promise<Integer> attached = ctx.promise();
    started.onComplete(ar -> {
      if (ar.succeeded()) {
        replayAndActivate(slot, 0, attached, ctx);
      } else {
        abandonAttach(slot, ar.cause(), attached);
      }
    });
    return attached.future();
  }

  /** Runs saved updates from index {@code next} on a new worker, then lets it take jobs. */
  private void replayAndActivate(WorkerSlot slot, int next, Promise<Integer> attached, ContextInternal ctx) {
    Object[] update = null;
    List<JobImpl> toStart = null;
    Handoff h = null;
    boolean refused = false;
    int capacity = 0;
    int saved;
    synchronized (lock) {
      saved = savedUpdates.size(); // only a hint for reading capacity(): the decision is made again below
    }
    if (next >= saved) {
      try {
        capacity = slot.worker.capacity(); // read once its start completed: a remote worker knows it only then
      } catch (Throwable t) {
        LOG.warn("{} threw from capacity()", slot, t);
      }
      if (capacity < 1) {
        abandonAttach(slot, new IllegalArgumentException("worker capacity must be at least 1, was " + capacity),
            attached);
        return;
      }
    }
    synchronized (lock) {
      if (dispatcher.state != State.RUNNING || slot.gone) {
        refused = true;
      } else if (next < savedUpdates.size()) {
        update = savedUpdates.get(next);
      } else {
        attaching--;
        slot.active = true;
        h = dispatcher.intake(null);
        slot.capacity = capacity;
        slot.free = capacity;
        toStart = new ArrayList<>(capacity);
        if (!slot.paused) {
          h = dispatcher.distribute(slot, toStart, h);
        }
      }
    }
    if (refused) {
      abandonAttach(slot, dispatcher.state == State.RUNNING
          ? new WorkerLostException(slot + " was detached while it was being attached")
          : new QueueShutdownException("queue shut down while attaching " + slot), attached);
    } else if (update != null) {
      runUpdate(slot, (Task<?>) update[0], (Object[]) update[1], false, ctx).onComplete(ar -> {
        if (ar.succeeded()) {
          replayAndActivate(slot, next + 1, attached, ctx);
        } else {
          abandonAttach(slot, ar.cause(), attached);
        }
      });
    } else {
      if (h != null) {
        h.run();
      }
      for (JobImpl job : toStart) {
        Handoff.start(dispatcher, job, slot);
      }
      dispatcher.metrics.attached(slot);
      attached.complete(slot.id);
      dispatcher.loads.signal();
    }
  }

  private void abandonAttach(WorkerSlot slot, Throwable cause, Promise<Integer> attached) {
    boolean stop;
    synchronized (lock) {
      attaching--;
      stop = !slot.gone;
      slot.gone = true;
      workers.remove(slot.id);
      dispatcher.drain.failUnservableIfDraining();
    }
    slot.removeCloseHook();
    if (stop) {
      crashWorker(slot);
    }
    LOG.warn("{} could not be attached: {}", slot, cause.toString());
    attached.fail(cause);
    dispatcher.drain.checkDrained();
  }

  /**
   * Detaches a worker: stops it once its calls end, or crashes it and reassigns or fails them.
   *
   * @return how many calls it held when crashed (0 when stopped gracefully or already gone)
   */
  Future<Integer> detach(int id, DetachMode mode) {
    WorkerSlot slot;
    synchronized (lock) {
      slot = workers.get(id);
      if (slot == null || slot.gone) {
        return Future.succeededFuture(0);
      }
      retire(slot);
    }
    dispatcher.loads.signal();
    if (mode == DetachMode.GRACEFUL) {
      return stopWorker(slot);
    }
    return Future.succeededFuture(crashAndSettle(slot, mode == DetachMode.REASSIGN, null));
  }

  /** Takes every worker out of scheduling. Under the lock. */
  List<WorkerSlot> retireAll() {
    List<WorkerSlot> all = new ArrayList<>(workers.values());
    for (WorkerSlot w : all) {
      retire(w);
    }
    return all;
  }

  /**
   * Takes a worker out of scheduling. Called under the lock; the close future's own lock, which removing the
   * worker's close hook takes, is never held while it calls out, so the order is safe.
   */
  private void retire(WorkerSlot slot) {
    slot.active = false;
    slot.gone = true;
    workers.remove(slot.id);
    dispatcher.unidle(slot);
    dispatcher.metrics.detached(slot);
    dispatcher.drain.failUnservableIfDraining();
    slot.removeCloseHook();
  }

  /** The worker can take no new jobs for now (its connection is down); see {@link WorkerSlot#pause()}. */
  void pause(WorkerSlot slot) {
    synchronized (lock) {
      if (slot.gone || slot.paused) {
        return;
      }
      slot.paused = true;
      dispatcher.unidle(slot);
    }
    LOG.debug("{} paused", slot);
    dispatcher.loads.signal();
  }

  /** The worker takes jobs again: its free slots are filled from the queue, the rest go idle. */
  void resume(WorkerSlot slot) {
    List<JobImpl> toStart = new ArrayList<>();
    Handoff h = null;
    synchronized (lock) {
      if (slot.gone || !slot.paused) {
        return;
      }
      slot.paused = false;
      if (slot.active) {
        h = dispatcher.distribute(slot, toStart, dispatcher.intake(null));
      }
    }
    LOG.debug("{} resumed", slot);
    if (h != null) {
      h.run();
    }
    for (JobImpl job : toStart) {
      Handoff.start(dispatcher, job, slot);
    }
    dispatcher.loads.signal();
  }

  /**
   * A worker started over (a new child, a new connection): paused meanwhile, it gets the saved updates again,
   * one after another, then takes jobs. An update that fails there is logged; the rest still run.
   */
  Future<Void> restarted(WorkerSlot slot) {
    List<Object[]> updates;
    synchronized (lock) {
      if (slot.gone) {
        return Future.succeededFuture();
      }
      slot.paused = true;
      dispatcher.unidle(slot);
      updates = new ArrayList<>(savedUpdates);
    }
    dispatcher.metrics.restarted(slot);
    ContextInternal ctx = vertx.getOrCreateContext();
    Future<Void> replayed = Future.succeededFuture();
    for (Object[] update : updates) {
      replayed = replayed.compose(v -> runUpdate(slot, (Task<?>) update[0], (Object[]) update[1], false, ctx)
          .transform(ar -> {
            if (ar.failed()) {
              LOG.warn("{}: replaying update {} failed: {}", slot, CallDescriber.describe((Task<?>) update[0],
                  (Object[]) update[1]), ar.cause().toString());
            }
            return Future.<Void>succeededFuture();
          }));
    }
    return replayed.andThen(ar -> resume(slot));
  }

  /** The worker's server refused its handshake: for the metrics. */
  void handshakeRefused(WorkerSlot slot) {
    dispatcher.metrics.handshakeRefused(slot);
  }

  /** The worker gave up: it is retired and crashed, and what it held fails (retried where allowed). */
  void resign(WorkerSlot slot, Throwable cause) {
    synchronized (lock) {
      if (slot.gone) {
        return;
      }
      retire(slot);
    }
    LOG.warn("{} resigned: {}", slot, cause.toString());
    dispatcher.metrics.lost(slot);
    dispatcher.loads.signal();
    crashAndSettle(slot, false, cause);
    dispatcher.drain.checkDrained();
  }

  /**
   * Crashes a worker and settles what it held: back on the queue (reassigned), or failed with {@link
   * WorkerLostException} (retried when allowed). The held attempts are claimed before the worker is crashed,
   * so a task that the crash interrupts settles an attempt that is no longer its own, which is ignored.
   *
   * @return how many attempts it held
   */
  private int crashAndSettle(WorkerSlot slot, boolean reassign, Throwable cause) {
    List<JobImpl> claimed = claim(slot);
    crashWorker(slot);
    for (JobImpl job : claimed) {
      if (reassign && !job.update) {
        dispatcher.reassign(job);
      } else {
        dispatcher.settled(job, null,
            new WorkerLostException(slot + " was lost holding " + job.describe(), cause));
      }
    }
    dispatcher.drain.checkDrained();
    return claimed.size();
  }

  /** Takes over the attempts a worker holds: settled by nobody else from now on. */
  List<JobImpl> claim(WorkerSlot slot) {
    List<JobImpl> claimed = new ArrayList<>();
    synchronized (lock) {
      for (JobImpl job : slot.held()) {
        if (job.casState(JobImpl.ASSIGNED, JobImpl.DONE)) {
          claimed.add(job);
        }
      }
    }
    return claimed;
  }

  /**
   * Claims the running calls of a series (not updates), to be stopped and settled by the caller. Under the
   * lock; O(running calls).
   */
  void claimRunning(String series, List<JobImpl> claimed) {
    for (WorkerSlot w : workers.values()) {
      for (JobImpl job : w.held()) {
        if (!job.update && Objects.equals(job.series, series) && job.casState(JobImpl.ASSIGNED, JobImpl.DONE)) {
          claimed.add(job);
        }
      }
    }
  }

  /** Crashes a worker; a worker that throws from {@code crash()} is logged, not propagated. */
  void crashWorker(WorkerSlot slot) {
    try {
      slot.worker.crash();
    } catch (Throwable t) {
      LOG.warn("{} threw from crash()", slot, t);
    }
  }

  /** Stops a retired worker gracefully, crashing it if it takes longer than the stop timeout. */
  Future<Integer> stopWorker(WorkerSlot slot) {
    Promise<Integer> done = Promise.promise();
    AtomicBoolean settled = new AtomicBoolean();
    long stopTimeout = dispatcher.options.getStopTimeout().toMillis();
    // A context timer, not vertx.setTimer: that one, set on a verticle's context, is cancelled when the verticle is
    // undeployed, and a stop under way then (called from the verticle's stop()) would never give up.
    long timer = vertx.getOrCreateContext().setTimer(stopTimeout, t -> {
      if (settled.compareAndSet(false, true)) {
        LOG.warn("{} did not stop within {} ms: crashing it", slot, stopTimeout);
        done.complete(crashAndSettle(slot, false, null));
      }
    });
    Future<Void> stopped;
    try {
      stopped = Objects.requireNonNull(slot.worker.stop(), "stop() returned null");
    } catch (Throwable t) {
      stopped = Future.failedFuture(t);
    }
    stopped.onComplete(ar -> {
      if (settled.compareAndSet(false, true)) {
        vertx.cancelTimer(timer);
        if (ar.failed()) {
          LOG.warn("{} failed to stop: {}", slot, ar.cause().toString());
        }
        boolean leftovers = false;
        synchronized (lock) {
          for (JobImpl job : slot.held()) {
            leftovers |= !job.isDone(); // a settled one may still be on its way to the bookkeeping
          }
        }
        // Anything still held (a worker that broke its contract) must not hang.
        done.complete(leftovers ? crashAndSettle(slot, false, ar.cause()) : 0);
      }
    });
    return done.future();
  }

  /** @return the ids of the workers that take calls, in attach order */
  Set<Integer> workerIds() {
    synchronized (lock) {
      Set<Integer> ids = new LinkedHashSet<>();
      for (WorkerSlot w : workers.values()) {
        if (w.active) {
          ids.add(w.id);
        }
      }
      return Collections.unmodifiableSet(ids);
    }
  }

  /** Whether a worker that is not gone serves the series. Under the lock. */
  boolean servable(String series) {
    for (WorkerSlot w : workers.values()) {
      if (!w.gone && w.serves(series)) {
        return true;
      }
    }
    return false;
  }

  /** Each worker's load, by id, in attach order. Under the lock. */
  Map<Integer, QueueLoad.WorkerLoad> loadsLocked() {
    Map<Integer, QueueLoad.WorkerLoad> per = new LinkedHashMap<>();
    for (WorkerSlot w : workers.values()) {
      per.put(w.id, new QueueLoad.WorkerLoad(w.capacity - w.free, w.done));
    }
    return Collections.unmodifiableMap(per);
  }
}
