package io.asynqueue.internal;

import io.vertx.core.AsyncResult;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.VertxException;
// Vert.x internal API (listed in InternalImportsTest): a promise of the caller's context whose callbacks it holds and
// hands to the context's SettledBatch; Vert.x has no public promise to extend or hook.
import io.vertx.core.impl.future.FutureImpl;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import java.util.ArrayList;

/**
 * The promise of a call (what {@code TaskQueue.call} returns the future of): a Vert.x promise of the caller's
 * context whose callbacks, when a worker thread settles it, reach that context in batches (see
 * {@code SettledBatch}) instead of one task each.
 *
 * <p>The Future is complete the moment it is settled ({@code isComplete()}, {@code result()} and a blocking
 * wait see it at once, on any thread); only running its callbacks on the caller's context is coalesced: the
 * callbacks registered before the settle are kept here, not in the Vert.x future (which would post one task to
 * the context per completion), and handed to the context's batch, which runs them in the order the promises
 * were settled. Settled on the caller's context itself, it runs them at once, after any batch still waiting
 * there. A callback registered after the settle is the Vert.x future's, as usual.
 *
 * <p>Every way of completing it through {@link io.vertx.core.Promise} goes through {@code settle}, except the
 * two methods the Vert.x future makes final, {@code tryComplete(T)} and {@code tryFail(Throwable)}: the engine
 * never calls those (they would leave the kept callbacks uncalled).
 *
 * <p>Concurrency: the kept callbacks are guarded by this object's monitor, the same one the Vert.x future
 * guards its value with, so a callback is either kept and handed over by the settle, or registered after the
 * value is set and called by the Vert.x future.
 */
public final class CallPromise<T> extends FutureImpl<T> implements PromiseInternal<T> {

  /** Null, one {@link Completable}, or an {@link ArrayList} of them, oldest first; guarded by {@code this}. */
  private Object callbacks;
  /** The callbacks handed to the batch by the settle; read and cleared on the context. */
  Object handed;
  /** Link in the batch's stack of settled promises (see {@code SettledBatch}). */
  CallPromise<?> nextSettled;

  /**
   * A promise of the caller's context.
   *
   * @param context the context the call was made on, where its callbacks run
   */
  public CallPromise(ContextInternal context) {
    super(context);
  }

  /**
   * Completes this promise, here and now, and has its callbacks run on the caller's context.
   *
   * @return false if it was complete already
   */
  boolean settle(T result, Throwable failure) {
    boolean settled = failure == null ? tryComplete(result) : tryFail(failure);
    if (!settled) {
      return false;
    }
    Object kept;
    synchronized (this) {
      kept = callbacks;
      callbacks = null;
    }
    if (kept != null) {
      handed = kept;
      SettledBatch.of(context).add(this);
    }
    return true;
  }

  /** Runs the callbacks the settle handed over. On the context. */
  @SuppressWarnings("unchecked")
  void runCallbacks() {
    Object kept = handed;
    handed = null;
    T result = result();
    Throwable failure = cause();
    if (kept instanceof ArrayList<?> list) {
      for (Object c : list) {
        call((Completable<? super T>) c, result, failure);
      }
    } else {
      call((Completable<? super T>) kept, result, failure);
    }
  }

  private void call(Completable<? super T> callback, T result, Throwable failure) {
    try {
      callback.complete(result, failure);
    } catch (Throwable t) {
      context.reportException(t);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void addListener(Completable<? super T> listener) {
    synchronized (this) {
      if (!isComplete()) {
        if (callbacks == null) {
          callbacks = listener;
        } else if (callbacks instanceof ArrayList<?> list) {
          ((ArrayList<Object>) list).add(listener);
        } else {
          ArrayList<Object> list = new ArrayList<>(4);
          list.add(callbacks);
          list.add(listener);
          callbacks = list;
        }
        return;
      }
    }
    super.addListener(listener);
  }

  @Override
  public void removeListener(Completable<? super T> listener) {
    synchronized (this) {
      if (callbacks == listener) {
        callbacks = null;
      } else if (callbacks instanceof ArrayList<?> list) {
        list.remove(listener);
      }
    }
    super.removeListener(listener);
  }

  // ---------------------------------------------------------------- Promise: every path goes through settle

  @Override
  public Future<T> future() {
    return this;
  }

  @Override
  public void complete(T result, Throwable failure) {
    if (!settle(result, failure)) {
      throw new IllegalStateException("Promise already completed");
    }
  }

  @Override
  public void complete(T result) {
    complete(result, null);
  }

  @Override
  public void complete() {
    complete(null, null);
  }

  @Override
  public void succeed(T result) {
    complete(result, null);
  }

  @Override
  public void succeed() {
    complete(null, null);
  }

  @Override
  public void fail(Throwable failure) {
    complete(null, failure == null ? new NullPointerException("null failure") : failure);
  }

  @Override
  public void fail(String message) {
    fail(new VertxException(message, true));
  }

  @Override
  public boolean tryComplete() {
    return settle(null, null);
  }

  @Override
  public boolean tryFail(String message) {
    return settle(null, new VertxException(message, true));
  }

  @Override
  public void handle(AsyncResult<T> result) {
    complete(result.result(), result.failed() ? result.cause() : null);
  }

  @Override
  public void operationComplete(io.netty.util.concurrent.Future<T> future) {
    complete(future.isSuccess() ? future.getNow() : null, future.isSuccess() ? null : future.cause());
  }
}
