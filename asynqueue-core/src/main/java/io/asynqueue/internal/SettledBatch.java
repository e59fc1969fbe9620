package io.asynqueue.internal;

// Vert.x internal API (listed in InternalImportsTest): the context's execute and reportException, which Context has not.
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The call promises settled off one context whose callbacks are still to run on it: a worker thread that
 * settles a call posts one task to the caller's context only if none is on its way, and that task runs the
 * callbacks of every promise settled until it runs, in the order they were settled. So a lone call's callbacks
 * run as soon as the context gets to them, and a burst of calls that settle while the context sleeps or is
 * busy costs one wake-up of its event loop per batch, not one per call (as Netty coalesces flushes).
 *
 * <p>Concurrency: settled promises go on a lock-free stack ({@link #settled}, one CAS, no allocation: the promise
 * is the node); {@link #scheduled} is set by the thread that posts the task and cleared by the task once the
 * stack is empty, after which it looks at the stack once more, so a promise pushed meanwhile is never left
 * behind. {@link #ready} (the stack taken and put in settling order) is touched only on the context. One batch
 * per context, kept in the context's data and shared by every queue; a duplicated context shares the batch of
 * the context it duplicates (same thread), and each promise's callbacks run dispatched on its own context.
 */
final class SettledBatch implements Runnable {

  /** Promises whose callbacks one task runs at most, before it lets the context's other tasks run. */
  static final int MAX_PER_TASK = 1024;

  private static final Object KEY = new Object();

  private final ContextInternal context;
  private final AtomicReference<CallPromise<?>> settled = new AtomicReference<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /** Taken off the stack, oldest first, callbacks not yet run. Only on the context. */
  private CallPromise<?> ready;

  private SettledBatch(ContextInternal context) {
    this.context = context;
  }

  /** @return the batch of the context (of the context it duplicates, if it is a duplicate) */
  static SettledBatch of(ContextInternal context) {
    ContextInternal root = context.unwrap();
    Object batch = root.contextData().get(KEY);
    if (batch == null) {
      batch = root.contextData().computeIfAbsent(KEY, k -> new SettledBatch(root));
    }
    return (SettledBatch) batch;
  }

  /**
   * Has a settled promise's callbacks run on the context: at once if this is the context (after those of the
   * promises settled before it), else in the batch's next task.
   */
  void add(CallPromise<?> promise) {
    if (promise.context().isRunningOnContext()) {
      runReady(Integer.MAX_VALUE);
      promise.runCallbacks();
      return;
    }
    CallPromise<?> top;
    do {
      top = settled.get();
      promise.nextSettled = top;
    } while (!settled.compareAndSet(top, promise));
    if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
      post();
    }
  }

  /** The batch's task: runs the callbacks settled so far, a task's worth at most. On the context. */
  @Override
  public void run() {
    runReady(MAX_PER_TASK);
    if (ready != null) {
      post(); // more to do: in a later task, so that the context's other tasks are not held up
      return;
    }
    scheduled.set(false);
    if (settled.get() != null && scheduled.compareAndSet(false, true)) {
      post();
    }
  }

  /** Runs the callbacks of up to {@code limit} promises, oldest first, each on its context. On the context. */
  private void runReady(int limit) {
    for (int n = 0; n < limit; n++) {
      CallPromise<?> p = ready;
      if (p == null) {
        p = takeSettled();
        if (p == null) {
          return;
        }
      }
      ready = p.nextSettled;
      p.nextSettled = null;
      dispatch(p);
    }
  }

  private static void dispatch(CallPromise<?> p) {
    ContextInternal context = p.context();
    if (context.isRunningOnContext()) {
      p.runCallbacks(); // the context's own thread, inside its dispatch: settled from a callback of the batch
      return;
    }
    ContextInternal previous = context.beginDispatch();
    try {
      p.runCallbacks();
    } finally {
      context.endDispatch(previous);
    }
  }

  /** Takes the stack, oldest first. */
  private CallPromise<?> takeSettled() {
    CallPromise<?> newest = settled.get() == null ? null : settled.getAndSet(null);
    CallPromise<?> oldest = null;
    while (newest != null) {
      CallPromise<?> older = newest.nextSettled;
      newest.nextSettled = oldest;
      oldest = newest;
      newest = older;
    }
    return oldest;
  }

  private void post() {
    try {
      context.executor().execute(this); // queued even from the context's own thread: run() yields between tasks
    } catch (RejectedExecutionException closed) {
      // The context's event loop is gone (Vert.x is closed): nobody will run the task, so run the callbacks here
      // rather than drop them. The stack is taken whole, so racing threads never share a promise.
      scheduled.set(false);
      if (context.executor().inThread()) {
        runReady(Integer.MAX_VALUE);
      }
      for (CallPromise<?> p = takeSettled(), next; p != null; p = next) {
        next = p.nextSettled;
        p.nextSettled = null;
        p.runCallbacks();
      }
    }
  }
}
