package io.asynqueue;

import io.asynqueue.Dispatcher.State;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drain: a shutdown, from the first refused call to the last worker stopped.
 *
 * <p>A shutdown refuses calls from then on and lets those queued and running finish; once nothing is queued,
 * running or attaching ({@link #checkDrained()}) it stops every worker gracefully and completes. {@code
 * shutdownNow} drops what is queued and waits only for what runs. Queued calls that no worker is left to serve
 * fail at once rather than at the timeout. A drain makes progress as long as calls finish: once none has
 * finished for the stop timeout, it gives up ({@link #drainTimedOut()}), so that a task that never ends
 * cannot hold it up.
 *
 * <p>Concurrency: the queue's {@code state} (RUNNING, DRAINING, STOPPING, STOPPED) and the shutdown promise
 * change under the queue's one lock. {@link #draining} is set once, so that settling an attempt (the hot path)
 * checks for the end of the drain only while there is one, at the cost of one volatile read. {@link
 * #lastProgressNanos} is written by whoever settles a call and read by the drain timer, without the lock.
 * Workers are stopped or crashed, and promises failed, outside the lock; a promise failed while the lock is
 * held is failed later on the Vert.x instead, so that no user callback runs under it.
 */
final class Drain {

  private static final Logger LOG = LoggerFactory.getLogger(TaskQueue.class);

  private final Dispatcher dispatcher;
  /** Built before the drain, so kept here (the roster reaches the drain through the dispatcher). */
  private final Roster roster;
  private final Object lock;
  /** Set once the shutdown starts, so that settling checks for the end of the drain only then. */
  private volatile boolean draining;
  /** While draining: when a call last finished (or the shutdown began); see {@link #drainTimedOut()}. */
  private volatile long lastProgressNanos;
  // @protectedby lock
  private Promise<Void> shutdownPromise;

  Drain(Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
    this.roster = dispatcher.roster;
    this.lock = dispatcher.lock;
  }

  /** @return whether the queue still takes calls */
  boolean isRunning() {
    synchronized (lock) {
      return dispatcher.state == State.RUNNING;
    }
  }

  /**
   * Starts the shutdown (or joins the one under way): refuses calls from now on; {@code now} drops the queued
   * ones too.
   *
   * @return completed on the caller's context once every worker has stopped
   */
  Future<Void> shutdown(boolean now) {
    List<JobImpl> dropped = new ArrayList<>();
    Future<Void> result;
    Handoff h = null;
    boolean first = false;
    synchronized (lock) {
      if (shutdownPromise == null) {
        first = true;
        h = dispatcher.intake(null); // calls made before the shutdown are queued as usual
        shutdownPromise = Promise.promise();
        lastProgressNanos = System.nanoTime();
        dispatcher.state = State.DRAINING;
        draining = true;
        h = dispatcher.intake(h); // calls racing with it are refused
      }
      result = shutdownPromise.future();
      if (dispatcher.state == State.DRAINING) {
        if (now) {
          dispatcher.dropAll(dropped);
        } else {
          collectUnservable(dropped);
        }
      }
    }
    if (h != null) {
      h.run();
    }
    failDropped(dropped, now ? "shutdownNow" : "no worker serves its series at shutdown");
    dispatcher.loads.signal();
    if (first) {
      armDrainTimer(dispatcher.options.getStopTimeout().toNanos());
    }
    checkDrained();
    if (result.isComplete()) {
      // Down already (perhaps Vert.x is closed, and a context of it could no longer run a callback): as it is.
      return result;
    }
    // Completes on the caller's context.
    Promise<Void> caller = dispatcher.vertx.getOrCreateContext().promise();
    result.onComplete(caller);
    return caller.future();
  }

  /**
   * A call ended (an attempt settled and not retried, or a retry refused): while draining, that is progress,
   * and perhaps the end of the drain. Outside the lock; one volatile read while the queue runs.
   */
  void callEnded() {
    if (draining) {
      lastProgressNanos = System.nanoTime();
      checkDrained();
    }
  }

  private void armDrainTimer(long nanos) {
    // A context timer, not vertx.setTimer: that one, set on a verticle's context, is cancelled when the verticle is
    // undeployed, and a shutdown begun in its stop() would then never give up on a task that does not end.
    long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
    dispatcher.vertx.getOrCreateContext().setTimer(millis, t -> drainTimedOut());
  }

  /**
   * A drain makes progress as long as calls finish; once none has finished for the stop timeout, the
   * shutdown gives up on it, so that a task that never ends (one that ignores interrupts, or a Future
   * never completed) cannot hold it up. Calls still queued then fail with {@link QueueShutdownException};
   * workers still running calls are crashed, their calls failed with {@link QueueShutdownException} (a thread
   * that ignores the interrupt is abandoned, as after a timeout); the other workers stop gracefully.
   */
  private void drainTimedOut() {
    long timeout = dispatcher.options.getStopTimeout().toNanos();
    long idle = System.nanoTime() - lastProgressNanos;
    List<JobImpl> dropped = new ArrayList<>();
    List<WorkerSlot> toStop;
    Promise<Void> promise;
    synchronized (lock) {
      if (dispatcher.state != State.DRAINING) {
        return;
      }
      if (idle < timeout) {
        armDrainTimer(timeout - idle); // calls finished meanwhile: one stop timeout from the latest
        return;
      }
      dispatcher.state = State.STOPPING;
      dispatcher.dropAll(dropped);
      toStop = roster.retireAll();
      promise = shutdownPromise;
    }
    long millis = dispatcher.options.getStopTimeout().toMillis();
    failDropped(dropped, "no call finished for the stop timeout (" + millis + " ms) during shutdown");
    List<Future<Integer>> stops = new ArrayList<>(toStop.size());
    for (WorkerSlot w : toStop) {
      List<JobImpl> held = roster.claim(w);
      if (held.isEmpty()) {
        stops.add(roster.stopWorker(w));
        continue;
      }
      List<String> calls = new ArrayList<>(held.size());
      for (JobImpl job : held) {
        calls.add(job.describe());
      }
      LOG.warn("{} still ran {} after the stop timeout ({} ms) at shutdown: crashing it", w, calls, millis);
      roster.crashWorker(w);
      for (JobImpl job : held) {
        dispatcher.settled(job, null, new QueueShutdownException("still running when the queue's stop timeout ("
            + millis + " ms) ran out at shutdown: " + job.describe()));
      }
      stops.add(Future.succeededFuture(held.size()));
    }
    dispatcher.loads.signal();
    stopped(stops, promise);
  }

  /** While draining, fails queued jobs that no worker is left to serve. Under the lock. */
  void failUnservableIfDraining() {
    if (dispatcher.state != State.DRAINING) {
      return;
    }
    List<JobImpl> dropped = new ArrayList<>();
    collectUnservable(dropped);
    if (!dropped.isEmpty()) {
      // Completing promises under the lock would run user callbacks here; hand them to the vertx instead.
      dispatcher.vertx.runOnContext(v -> failDropped(dropped, "no worker serves its series at shutdown"));
    }
  }

  /** Drops the queued jobs no worker is left to serve, unless a worker is still attaching. Under the lock. */
  private void collectUnservable(List<JobImpl> dropped) {
    if (roster.attaching > 0) {
      return;
    }
    dispatcher.dropUnservable(dropped);
  }

  private static void failDropped(List<JobImpl> dropped, String why) {
    for (JobImpl job : dropped) {
      job.untoken();
      QueueShutdownException e = new QueueShutdownException(why + ": " + job.describe());
      job.dispatcher.metrics.ended(job, e);
      job.promise.fail(e);
    }
  }

  /** Once draining and nothing is queued or running, stops every worker and completes the shutdown. */
  void checkDrained() {
    List<WorkerSlot> toStop;
    Promise<Void> promise;
    synchronized (lock) {
      if (dispatcher.state != State.DRAINING || dispatcher.queued > 0 || dispatcher.running > 0
          || roster.attaching > 0) {
        return;
      }
      dispatcher.state = State.STOPPING;
      toStop = roster.retireAll();
      promise = shutdownPromise;
    }
    List<Future<Integer>> stops = new ArrayList<>();
    for (WorkerSlot w : toStop) {
      stops.add(roster.stopWorker(w));
    }
    stopped(stops, promise);
  }

  /** Completes the shutdown once every worker has stopped. */
  private void stopped(List<Future<Integer>> stops, Promise<Void> promise) {
    Future.join(stops).onComplete(ar -> {
      synchronized (lock) {
        dispatcher.state = State.STOPPED;
      }
      dispatcher.metrics.close();
      promise.complete();
      dispatcher.loads.signal();
    });
  }
}
