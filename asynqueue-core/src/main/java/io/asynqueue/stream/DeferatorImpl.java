package io.asynqueue.stream;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
// Vert.x internal API (listed in InternalImportsTest): execute and emit (at once when already on the context),
// inThread, and futures bound to the caller's context; Context has none of them.
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;

/*
 * A Deferator: a ReadStream (push) and a pull-style iterator over a Prefetcherator.
 *
 * Concurrency: all state is confined to the context. Every public method called from another thread is
 * re-run on the context (in call order); user handlers are called with ctx.emit, which catches what they
 * throw and reports it to the context.
 *
 * Delivery: drain() is the only place that hands elements, the end or the failure to a consumer. It runs
 * synchronously when a fetch completes (an event), but only ever asynchronously after a user call
 * (handler(), resume(), fetch(n), toList(), stop()): scheduleDrain() defers it to a later task on the
 * context, so `d.handler(h).endHandler(e)` on a fully buffered stream cannot deliver the end before `e` is
 * set. It is re-entrant-safe: a handler that calls pause(), fetch(1), stop()... while an element is being
 * emitted only sets a flag, and the outer drain loop picks the change up, with no extra task. So the end
 * after stop() is never emitted from inside the data handler that called stop().
 *
 * Consumers: exactly one of a data handler (push, with demand), a pending next()/hasNext() (pull), or a
 * toList() collector. The end or failure is delivered only to a consumer: a Deferator that nobody reads
 * yet keeps it until one comes (a stream handed over in a Future must not end before its reader attaches).
 */
final class DeferatorImpl<T> implements Deferator<T> {

  private enum State { OPEN, ENDED, FAILED, STOPPED }

  private final ContextInternal ctx;
  private final Prefetcherator<T> prefetcher;
  private final Promise<Boolean> done;

  private State state = State.OPEN;
  private Throwable failure;
  private boolean stopEndEmitted;
  private Future<Void> stopFuture;

  private Handler<T> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;

  private Promise<T> pendingNext;
  private Promise<Boolean> pendingHasNext;
  private List<T> collected;
  private Promise<List<T>> collectPromise;

  private boolean draining;
  private boolean redrain;
  private boolean drainScheduled;

  DeferatorImpl(ContextInternal ctx, ElementSource<T> source, int window) {
    this.ctx = ctx;
    this.done = ctx.promise();
    this.prefetcher = Prefetcherator.create(ctx, source, window);
    ctx.execute(() -> prefetcher.readyHandler(v -> drain()));
  }

  // ---------------------------------------------------------------- ReadStream

  @Override
  public Deferator<T> exceptionHandler(Handler<Throwable> handler) {
    if (!ctx.inThread()) {
      ctx.execute(() -> exceptionHandler(handler));
      return this;
    }
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public Deferator<T> handler(Handler<T> handler) {
    if (!ctx.inThread()) {
      ctx.execute(() -> handler(handler));
      return this;
    }
    this.handler = handler;
    if (handler != null) {
      IllegalStateException busy = new IllegalStateException("a handler was set: the Deferator is read as a stream");
      failPendingPulls(busy);
    }
    scheduleDrain();
    return this;
  }

  @Override
  public Deferator<T> pause() {
    if (!ctx.inThread()) {
      ctx.execute(this::pause);
      return this;
    }
    demand = 0;
    return this;
  }

  @Override
  public Deferator<T> resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public Deferator<T> fetch(long amount) {
    if (amount < 0) {
      throw new IllegalArgumentException("fetch amount must be >= 0, was " + amount);
    }
    if (!ctx.inThread()) {
      ctx.execute(() -> fetch(amount));
      return this;
    }
    demand += amount;
    if (demand < 0) {
      demand = Long.MAX_VALUE;
    }
    scheduleDrain();
    return this;
  }

  @Override
  public Deferator<T> endHandler(Handler<Void> handler) {
    if (!ctx.inThread()) {
      ctx.execute(() -> endHandler(handler));
      return this;
    }
    this.endHandler = handler;
    return this;
  }

  // ---------------------------------------------------------------- pull style

  @Override
  public Future<T> next() {
    if (!ctx.inThread()) {
      Promise<T> promise = ctx.promise();
      ctx.execute(() -> next().onComplete(promise));
      return promise.future();
    }
    Future<T> refused = refusePull("next()");
    if (refused != null) {
      return refused;
    }
    switch (state) {
      case ENDED:
        return ctx.failedFuture(new NoSuchElementException("no more elements"));
      case STOPPED:
        return ctx.failedFuture(new NoSuchElementException("the Deferator was stopped"));
      case FAILED:
        return ctx.failedFuture(failure);
      default:
        break;
    }
    if (prefetcher.available() > 0) {
      return ctx.succeededFuture(prefetcher.poll());
    }
    Promise<T> promise = ctx.promise();
    pendingNext = promise;
    if (prefetcher.isEnded()) {
      scheduleDrain(); // else the next fetch completion drains
    }
    return promise.future();
  }

  @Override
  public Future<Boolean> hasNext() {
    if (!ctx.inThread()) {
      Promise<Boolean> promise = ctx.promise();
      ctx.execute(() -> hasNext().onComplete(promise));
      return promise.future();
    }
    Future<Boolean> refused = refusePull("hasNext()");
    if (refused != null) {
      return refused;
    }
    switch (state) {
      case ENDED:
      case STOPPED:
        return ctx.succeededFuture(false);
      case FAILED:
        return ctx.failedFuture(failure);
      default:
        break;
    }
    if (prefetcher.available() > 0) {
      return ctx.succeededFuture(true);
    }
    Promise<Boolean> promise = ctx.promise();
    pendingHasNext = promise;
    if (prefetcher.isEnded()) {
      scheduleDrain();
    }
    return promise.future();
  }

  @Override
  public Future<List<T>> toList() {
    if (!ctx.inThread()) {
      Promise<List<T>> promise = ctx.promise();
      ctx.execute(() -> toList().onComplete(promise));
      return promise.future();
    }
    Future<List<T>> refused = refusePull("toList()");
    if (refused != null) {
      return refused;
    }
    switch (state) {
      case ENDED:
        return ctx.succeededFuture(new ArrayList<>());
      case STOPPED:
        return ctx.failedFuture(new CancellationException("the Deferator was stopped"));
      case FAILED:
        return ctx.failedFuture(failure);
      default:
        break;
    }
    collected = new ArrayList<>();
    Promise<List<T>> promise = ctx.promise();
    collectPromise = promise;
    scheduleDrain();
    return promise.future();
  }

  @Override
  public Future<Void> stop() {
    if (!ctx.inThread()) {
      Promise<Void> promise = ctx.promise();
      ctx.execute(() -> stop().onComplete(promise));
      return promise.future();
    }
    if (stopFuture != null) {
      return stopFuture;
    }
    if (state != State.OPEN) {
      stopFuture = ctx.succeededFuture();
      return stopFuture;
    }
    state = State.STOPPED;
    CancellationException stopped = new CancellationException("the Deferator was stopped");
    Promise<T> next = pendingNext;
    Promise<Boolean> hasNext = pendingHasNext;
    Promise<List<T>> collect = collectPromise;
    pendingNext = null;
    pendingHasNext = null;
    collectPromise = null;
    collected = null;
    stopFuture = prefetcher.close();
    // Done only once the source is released: a worker counts the iteration as its work until then, so a
    // graceful stop of the worker cannot end before (and queue its own end ahead of) the source's release.
    stopFuture.onComplete(ar -> done.tryComplete(false));
    if (next != null) {
      next.tryFail(stopped);
    }
    if (hasNext != null) {
      hasNext.tryComplete(false);
    }
    if (collect != null) {
      collect.tryFail(stopped);
    }
    scheduleDrain(); // emits the end, never from inside a data handler that called stop()
    return stopFuture;
  }

  @Override
  public Future<Boolean> done() {
    return done.future();
  }

  // ---------------------------------------------------------------- delivery

  private <R> Future<R> refusePull(String what) {
    if (handler != null) {
      return ctx.failedFuture(
          new IllegalStateException(what + " while a handler is set: the Deferator is read as a stream"));
    }
    if (pendingNext != null || pendingHasNext != null || collectPromise != null) {
      return ctx.failedFuture(
          new NotReadyException(what + " called before the previous next(), hasNext() or toList() completed"));
    }
    return null;
  }

  private void failPendingPulls(Throwable cause) {
    Promise<T> next = pendingNext;
    Promise<Boolean> hasNext = pendingHasNext;
    Promise<List<T>> collect = collectPromise;
    pendingNext = null;
    pendingHasNext = null;
    collectPromise = null;
    collected = null;
    if (next != null) {
      next.tryFail(cause);
    }
    if (hasNext != null) {
      hasNext.tryFail(cause);
    }
    if (collect != null) {
      collect.tryFail(cause);
    }
  }

  /** Drains in a later task on the context, or in the current drain loop if one is running. */
  private void scheduleDrain() {
    if (draining) {
      redrain = true;
    } else if (!drainScheduled) {
      drainScheduled = true;
      ctx.runOnContext(v -> {
        drainScheduled = false;
        drain();
      });
    }
  }

  private void drain() {
    if (draining) {
      redrain = true;
      return;
    }
    draining = true;
    try {
      do {
        redrain = false;
        drainOnce();
      } while (redrain);
    } finally {
      draining = false;
    }
  }

  private void drainOnce() {
    if (state == State.STOPPED) {
      if (!stopEndEmitted) {
        stopEndEmitted = true;
        emitEnd();
      }
      return;
    }
    if (state != State.OPEN) {
      return;
    }
    Prefetcherator<T> p = prefetcher;
    Handler<T> h;
    if (collected != null) {
      List<T> into = collected;
      while (p.available() > 0) {
        into.add(p.poll());
      }
    } else if ((h = handler) != null) {
      while (demand > 0 && p.available() > 0) {
        T element = p.poll();
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        ctx.emit(element, h);
        if (state != State.OPEN || (h = handler) == null) {
          redrain = true; // stopped, or the handler changed: look again from the top
          return;
        }
      }
    } else if (pendingNext != null) {
      if (p.available() > 0) {
        Promise<T> next = pendingNext;
        pendingNext = null;
        next.complete(p.poll());
        return;
      }
    } else if (pendingHasNext != null) {
      if (p.available() > 0) {
        Promise<Boolean> hasNext = pendingHasNext;
        pendingHasNext = null;
        hasNext.complete(true);
        return;
      }
    }
    boolean reading = collected != null || handler != null || pendingNext != null || pendingHasNext != null;
    if (reading && p.available() == 0 && p.isEnded()) {
      Throwable cause = p.failure();
      if (cause == null) {
        finishEnded();
      } else {
        finishFailed(cause);
      }
    }
  }

  private void finishEnded() {
    state = State.ENDED;
    Promise<T> next = pendingNext;
    Promise<Boolean> hasNext = pendingHasNext;
    Promise<List<T>> collect = collectPromise;
    List<T> list = collected;
    pendingNext = null;
    pendingHasNext = null;
    collectPromise = null;
    collected = null;
    done.tryComplete(true);
    if (next != null) {
      next.tryFail(new NoSuchElementException("no more elements"));
    }
    if (hasNext != null) {
      hasNext.tryComplete(false);
    }
    if (collect != null) {
      collect.tryComplete(list);
    }
    emitEnd();
  }

  private void finishFailed(Throwable cause) {
    state = State.FAILED;
    failure = cause;
    boolean pushing = handler != null;
    failPendingPulls(cause);
    done.tryFail(cause);
    Handler<Throwable> h = exceptionHandler;
    if (h != null) {
      ctx.emit(cause, h);
    } else if (pushing) {
      ctx.reportException(cause); // a stream reader with no exception handler: never lose the failure
    }
  }

  private void emitEnd() {
    Handler<Void> h = endHandler;
    if (h != null) {
      ctx.emit(null, h);
    }
  }
}
