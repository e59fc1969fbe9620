package io.asynqueue;

import io.asynqueue.spi.Job;
import io.asynqueue.spi.Worker;
import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
// Vert.x internal API (listed in InternalImportsTest): an event-loop context of its own (createEventLoopContext,
// which Vertx has not), and its execute/timers
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A worker that runs tasks on a Vert.x event loop (see {@link Workers#eventLoop(Context, int)}): for tasks that
 * never block, such as those that start asynchronous I/O and return a Future, which the worker counts as
 * running until it completes.
 *
 * <p>It runs on the event-loop context it was given, or on a context of its own. With
 * capacity 1 (the default, as the original) tasks run one after another, a Future-returning task holding the
 * worker until its Future completes. A timeout cannot stop code on an event loop: the call fails with
 * {@link TaskTimeoutException} and the worker takes its next task, while the late result is dropped.
 */
final class EventLoopWorker implements Worker {

  private final Context fixedContext;
  private final int capacity;
  private final Set<Job> held = ConcurrentHashMap.newKeySet();
  private volatile Context context;
  private volatile boolean crashed;
  private Promise<Void> stopped;

  EventLoopWorker(Context context, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.fixedContext = context;
    this.capacity = capacity;
  }




  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public Future<Void> start(WorkerSupervisor supervisor) {
    // A context of its own, not the caller's: attached from a verticle, it would otherwise run its tasks on the
    // verticle's context, whose timers Vert.x cancels when the verticle is undeployed, under a graceful detach.
    Context ctx = fixedContext != null ? fixedContext : ((VertxInternal) supervisor.vertx()).createEventLoopContext();
    this.context = (ContextInternal) ctx;
    return Future.succeededFuture();
  }

  @Override
  public void run(Job job) {
    if (crashed) {
      job.fail(new WorkerLostException("event-loop worker has crashed"));
      return;
    }
    held.add(job);
    Context ctx = context;
    ctx.runOnContext(v -> LocalJobs.run(job, step -> ctx.runOnContext(x -> step.run()), () -> settled(job)));
  }

  private void settled(Job job) {
    held.remove(job);
    checkStopped();
  }

  @Override
  public void cancel(Job job) {
    settled(job);
  }

  @Override
  public synchronized Future<Void> stop() {
    if (stopped == null) {
      stopped = Promise.promise();
    }
    checkStopped();
    return stopped.future();
  }

  private synchronized void checkStopped() {
    if (stopped != null && held.isEmpty()) {
      stopped.tryComplete();
    }
  }

  @Override
  public List<Job> crash() {
    crashed = true;
    List<Job> left = new ArrayList<>(held);
    held.clear();
    return left;
  }
}
