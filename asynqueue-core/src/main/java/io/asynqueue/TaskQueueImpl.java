package io.asynqueue;

import io.asynqueue.Dispatcher.State;
import io.asynqueue.internal.CloseHook;
import io.asynqueue.spi.Job.ResultKind;
import io.asynqueue.spi.Worker;
import io.asynqueue.stream.Deferator;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
// Vert.x internal API (listed in InternalImportsTest): promises that call back on the caller's context whatever thread
// completes them; no public API makes one.
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The task queue's front door: the public API, and the path of a new call onto the intake.
 *
 * <p>The engine behind it is in parts, one file each, sharing one lock: the {@link Dispatcher} (the state under
 * the lock and the scheduling decisions; its javadoc is the scheduler's design note), {@link Handoff} (what is
 * done once the lock is released: starting jobs), the {@link Roster} (the workers and the updates), the {@link
 * Drain} (the shutdown) and the {@link LoadSignal} (the load and its handler). This class builds them and hands
 * each request to the part that owns it, except a call, which is the hot path and is pushed from here.
 *
 * <p>A call ({@link #submit}) takes no lock: it pushes its job on the dispatcher's intake stack (one CAS; the
 * job is the node), then asks for the bookkeeping only while a slot is idle or the queue is shutting down (the
 * dispatcher's note says why that is enough). It reads the dispatcher's volatile {@code state} and {@code
 * idleCount} as before; the intake stack and the job counter it holds itself, the same objects as the
 * dispatcher's, so that a call reaches them without a detour. Nothing here is guarded by the lock.
 */
final class TaskQueueImpl implements TaskQueue {

  private static final Object[] NO_ARGS = new Object[0];
  private static final CallOptions DEFAULTS = new CallOptions();

  /** Numbers the queues of this JVM, for the default names. */
  private static final AtomicInteger QUEUES = new AtomicInteger();

  private final VertxInternal vertx;
  private final String name;
  /** Shuts the queue down with the verticle that made it, or with Vert.x; removed once it is shut down. */
  private final CloseHook closeHook;
  private final Dispatcher dispatcher;
  private final Roster roster;
  private final Drain drain;
  private final LoadSignal loads;
  /** The dispatcher's {@link Dispatcher#incoming}: calls submitted and not yet scheduled. */
  private final AtomicReference<JobImpl> incoming;
  /** The dispatcher's {@link Dispatcher#nextJobId}. */
  private final AtomicLong nextJobId;

  public TaskQueueImpl(Vertx vertx, TaskQueueOptions options) {
    this.vertx = (VertxInternal) Objects.requireNonNull(vertx, "vertx");
    TaskQueueOptions named = new TaskQueueOptions(Objects.requireNonNull(options, "options"));
    if (named.getName() == null) {
      named.setName("q" + QUEUES.incrementAndGet());
    }
    this.name = named.getName();
    this.dispatcher = new Dispatcher(this.vertx, named);
    this.roster = dispatcher.roster;
    this.drain = dispatcher.drain;
    this.loads = dispatcher.loads;
    this.incoming = dispatcher.incoming;
    this.nextJobId = dispatcher.nextJobId;
    this.closeHook = CloseHook.register(roster.home, "queue " + name, this::shutdown);
  }

  // ---------------------------------------------------------------- calls

  @Override
  public <R> Future<R> call(Task<R> task, CallOptions options, Object... args) {
    return submit(task, options, args, ResultKind.VALUE);
  }


  @Override
  public <T> Future<Deferator<T>> iterate(Task<? extends Iterator<T>> task, CallOptions options, Object... args) {
    return submit(task, options, args, ResultKind.ITERATOR);
  }

  @SuppressWarnings("unchecked")
  private <R> Future<R> submit(Task<?> task, CallOptions options, Object[] args, ResultKind kind) {
    Objects.requireNonNull(task, "task");
    CallOptions o = options == null ? DEFAULTS : options;
    Object[] a = args == null || args.length == 0 ? NO_ARGS : args; // an empty varargs array is not kept
    Dispatcher d = dispatcher;
    if (d.state != State.RUNNING) {
      return Future.failedFuture(
          new QueueShutdownException("queue is shut down: " + CallDescriber.describe(task, a)));
    }
    ContextInternal ctx = vertx.getOrCreateContext();
    JobImpl job = new JobImpl(d, nextJobId.incrementAndGet(), task, a, kind, false, false, o.getSeries(),
        o.getTimeout(), o.getRetries(), 1, o.isDoNext(), ctx.promise());
    job.last = o.isDoLast();
    job.niceness = o.getNiceness();
    CancelToken token = o.getCancelToken();
    if (token != null) {
      job.token = token;
      if (!token.add(job)) {
        return Future.failedFuture(new TaskCancelledException("its token was cancelled: " + job.describe()));
      }
    }
    d.metrics.queued(job);
    JobImpl top;
    do {
      top = incoming.get();
      job.nextIncoming = top;
    } while (!incoming.compareAndSet(top, job));
    // Scheduled by us now if a worker is idle (or the queue is shutting down), else by the next worker to free
    // up. Once offered, the job may be taken, run and settled by another thread at any moment.
    if (d.idleCount > 0 || d.state != State.RUNNING) {
      d.schedule();
    }
    loads.signal();
    return (Future<R>) job.promise.future();
  }

  @Override
  public Future<Integer> cancel(String series, boolean interrupt) {
    return vertx.getOrCreateContext().succeededFuture(dispatcher.cancelSeries(series, interrupt));
  }

  // ---------------------------------------------------------------- updates

  @Override
  public <R> Future<List<R>> update(Task<R> task, boolean ephemeral, Object... args) {
    Objects.requireNonNull(task, "task");
    return roster.update(task, ephemeral, args == null ? NO_ARGS : args, vertx.getOrCreateContext());
  }

  // ---------------------------------------------------------------- workers

  @Override
  public Future<Integer> attachWorker(Worker worker) {
    Objects.requireNonNull(worker, "worker");
    return roster.attach(worker);
  }

  @Override
  public Future<Integer> detachWorker(int id, DetachMode mode) {
    Objects.requireNonNull(mode, "mode");
    return roster.detach(id, mode);
  }

  @Override
  public Set<Integer> workerIds() {
    return roster.workerIds();
  }

  @Override
  public int size() {
    return workerIds().size();
  }

  // ---------------------------------------------------------------- load

  @Override
  public QueueLoad load() {
    return loads.load();
  }

  @Override
  public TaskQueue loadHandler(Handler<QueueLoad> handler) {
    loads.listen(handler);
    return this;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean isRunning() {
    return drain.isRunning();
  }

  @Override
  public Future<Void> shutdown() {
    return shutdown(false);
  }

  @Override
  public Future<Void> shutdownNow() {
    return shutdown(true);
  }

  /** Shuts down; once down, the queue no longer needs closing with its verticle or Vert.x. */
  private Future<Void> shutdown(boolean now) {
    Future<Void> down = drain.shutdown(now);
    down.onComplete(ar -> closeHook.remove());
    return down;
  }

  @Override
  public String toString() {
    return "queue " + name;
  }
}
