package io.asynqueue;

import io.asynqueue.internal.CloseHook;
import io.asynqueue.spi.Worker;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The queue's record of one attached worker. Mutable fields are guarded by the queue's lock. */
final class WorkerSlot implements WorkerSupervisor {

  final Roster roster;
  final int id;
  final Worker worker;
  /** Read from the worker when its start completes (a remote worker learns it from its server); 0 before. */
  int capacity;
  final boolean servesAll;
  final Set<String> series;
  /**
   * Jobs handed to the worker and not yet settled, updates included, oldest first: a list linked through the
   * jobs themselves, so holding and releasing a job is O(1) and allocates nothing.
   */
  private JobImpl firstHeld;
  private JobImpl lastHeld;
  /** Free capacity: how many more queued jobs it may take. */
  int free;
  /** Queued jobs it has held, counted as they settle. */
  long done;
  /** Takes jobs from the queue; false before activation and after detach. */
  boolean active;
  /** Detached or detaching. */
  boolean gone;
  /** Paused by the worker (its connection is down): takes no new jobs until it resumes. */
  boolean paused;
  /** Detaches it when the verticle it was attached from is undeployed; null when that is the queue's own. */
  volatile CloseHook closeHook;
  /** The meters of its kind, kept by the queue's metrics recorder; null without metrics. */
  Object meters;

  WorkerSlot(Roster roster, int id, Worker worker) {
    this.roster = roster;
    this.id = id;
    this.worker = worker;
    Set<String> s = worker.series();
    this.series = s == null ? Set.of() : Set.copyOf(s);
    this.servesAll = this.series.isEmpty();
  }

  void hold(JobImpl job) {
    job.index = SeriesQueue.HELD;
    job.prev = lastHeld;
    job.next = null;
    if (lastHeld == null) {
      firstHeld = job;
    } else {
      lastHeld.next = job;
    }
    lastHeld = job;
  }

  /** @return whether the job was held here (and is no longer) */
  boolean release(JobImpl job) {
    if (job.worker != this || job.index != SeriesQueue.HELD) {
      return false;
    }
    JobImpl prev = job.prev;
    JobImpl next = job.next;
    if (prev == null) {
      firstHeld = next;
    } else {
      prev.next = next;
    }
    if (next == null) {
      lastHeld = prev;
    } else {
      next.prev = prev;
    }
    job.index = SeriesQueue.NOWHERE;
    job.prev = null;
    job.next = null;
    return true;
  }

  /** @return the jobs held, oldest first */
  List<JobImpl> held() {
    List<JobImpl> jobs = new ArrayList<>();
    for (JobImpl j = firstHeld; j != null; j = j.next) {
      jobs.add(j);
    }
    return jobs;
  }

  boolean serves(String s) {
    return s == null || servesAll || series.contains(s);
  }

  @Override
  public Vertx vertx() {
    return roster.vertx;
  }

  @Override
  public int workerId() {
    return id;
  }

  @Override
  public String queueName() {
    return roster.queueName;
  }

  /** Takes off the hook that would detach it with its verticle: it has left the queue. Idempotent. */
  void removeCloseHook() {
    CloseHook hook = closeHook;
    if (hook != null) {
      hook.remove();
    }
  }

  @Override
  public void resign(Throwable cause) {
    roster.resign(this, cause == null ? new WorkerLostException("worker " + id + " resigned") : cause);
  }

  @Override
  public void pause() {
    roster.pause(this);
  }

  @Override
  public void resume() {
    roster.resume(this);
  }

  @Override
  public Future<Void> restarted() {
    return roster.restarted(this);
  }

  @Override
  public void handshakeRefused() {
    roster.handshakeRefused(this);
  }

  @Override
  public String toString() {
    return "worker " + id + " of " + roster.queueName + " (" + worker.getClass().getSimpleName() + ")";
  }
}
