package io.asynqueue.toolkit;

import io.vertx.core.Promise;
import static io.asynqueue.toolkit.Timing.callerContext;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
// Vert.x internal API (listed in InternalImportsTest): futures and promises bound to the caller's context, so their
// callbacks run there; no public API makes one.
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DeferredLock}.
 *
 * <p>States: {@code OPEN} (a plain lock); {@code DRAINING} ({@code stop()} was called while the lock was held:
 * the holder and the queued waiters still take turns, new acquires are parked); {@code STOPPING} (the stop
 * holds the lock and runs the stoppers; the parked acquires and any new one complete without the lock);
 * {@code STOPPED}.
 *
 * <p>Concurrency: all state is guarded by the monitor. Handing the lock over ({@code locked} stays true) is
 * decided under it; the new holder's promise is completed afterwards through its context's task queue, so
 * no user code runs inside {@code release()} and a chain of synchronous holders does not grow the stack.
 * In {@code DRAINING} only real holders can be running, so a {@code release()} there is always a real one;
 * from {@code STOPPING} on nobody but the stop holds the lock and {@code release()} is a no-op.
 */
final class DeferredLockImpl implements DeferredLock {

  private static final Logger LOG = LoggerFactory.getLogger(DeferredLock.class);

  private enum State { OPEN, DRAINING, STOPPING, STOPPED }

  private final Vertx vertx;
  private final ArrayDeque<Waiter> vips = new ArrayDeque<>(); // @protectedby this
  private final ArrayDeque<Waiter> regulars = new ArrayDeque<>(); // @protectedby this
  private final List<Waiter> parked = new ArrayList<>(); // @protectedby this
  private final List<Supplier<? extends Future<?>>> stoppers = new ArrayList<>(); // @protectedby this
  private boolean locked; // @protectedby this
  private State state = State.OPEN; // @protectedby this
  private ContextInternal stopContext; // @protectedby this until STOPPING, then only read
  private Promise<Void> stopPromise; // @protectedby this until STOPPING, then only read

  public DeferredLockImpl(Vertx vertx) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
  }

  @Override
  public Future<Void> acquire(boolean vip) {
    return acquireGranted(vip).mapEmpty();
  }

  /** Like {@code acquire}, completed with whether the lock was really taken (false: a pass once stopped). */
  private Future<Boolean> acquireGranted(boolean vip) {
    ContextInternal ctx = callerContext(vertx);
    synchronized (this) {
      switch (state) {
        case OPEN:
          if (!locked) {
            locked = true;
            return ctx.succeededFuture(true);
          }
          Waiter waiter = new Waiter(ctx);
          (vip ? vips : regulars).add(waiter);
          return waiter.promise.future();
        case DRAINING:
          Waiter parkedWaiter = new Waiter(ctx);
          parked.add(parkedWaiter);
          return parkedWaiter.promise.future();
        default:
          return ctx.succeededFuture(false);
      }
    }
  }

  @Override
  public void release() {
    Waiter next;
    List<Waiter> passes = null;
    synchronized (this) {
      if (state == State.STOPPING || state == State.STOPPED) {
        return;
      }
      if (!locked) {
        throw new IllegalStateException("release() of a lock that is not held");
      }
      next = vips.isEmpty() ? regulars.poll() : vips.poll();
      if (next == null) {
        if (state == State.DRAINING) {
          state = State.STOPPING; // the stop takes the lock: locked stays true
          passes = new ArrayList<>(parked);
          parked.clear();
        } else {
          locked = false;
        }
      }
    }
    if (next != null) {
      next.grant(true);
    } else if (passes != null) {
      startStoppers(passes);
    }
  }

  @Override
  public <T> Future<T> withLock(boolean vip, Supplier<Future<T>> body) {
    Objects.requireNonNull(body, "body");
    return acquireGranted(vip).compose(held -> {
      Future<T> result;
      try {
        result = Objects.requireNonNull(body.get(), "withLock body returned null");
      } catch (Throwable t) {
        result = Future.failedFuture(t);
      }
      return held ? result.andThen(ar -> release()) : result;
    });
  }

  @Override
  public synchronized boolean isLocked() {
    return locked;
  }

  @Override
  public synchronized void addStopper(Supplier<? extends Future<?>> stopper) {
    Objects.requireNonNull(stopper, "stopper");
    if (state == State.STOPPING || state == State.STOPPED) {
      throw new IllegalStateException("the stoppers have started already");
    }
    stoppers.add(stopper);
  }

  @Override
  public Future<Void> stop() {
    ContextInternal ctx = callerContext(vertx);
    synchronized (this) {
      if (state != State.OPEN) {
        return stopPromise.future();
      }
      stopContext = ctx;
      stopPromise = ctx.promise();
      if (locked) {
        state = State.DRAINING; // the last release() starts the stoppers
        return stopPromise.future();
      }
      locked = true;
      state = State.STOPPING;
    }
    startStoppers(List.of());
    return stopPromise.future();
  }

  @Override
  public synchronized boolean isStopped() {
    return state != State.OPEN;
  }

  private void startStoppers(List<Waiter> passes) {
    List<Supplier<? extends Future<?>>> toRun;
    synchronized (this) {
      toRun = new ArrayList<>(stoppers);
      stoppers.clear();
    }
    passes.forEach(w -> w.grant(false));
    stopContext.runOnContext(v -> runStoppers(toRun.iterator(), null));
  }

  /** Runs the stoppers one by one on the stop's context, keeping the first failure. */
  private void runStoppers(Iterator<Supplier<? extends Future<?>>> it, Throwable failure) {
    if (!it.hasNext()) {
      finishStop(failure);
      return;
    }
    Future<?> done;
    try {
      done = Objects.requireNonNull(it.next().get(), "stopper returned null");
    } catch (Throwable t) {
      done = Future.failedFuture(t);
    }
    done.onComplete(ar -> {
      Throwable soFar = ar.succeeded() ? failure : addFailure(failure, ar.cause());
      if (stopContext.isRunningOnContext()) {
        runStoppers(it, soFar);
      } else {
        stopContext.runOnContext(v -> runStoppers(it, soFar));
      }
    });
  }

  private void finishStop(Throwable failure) {
    synchronized (this) {
      state = State.STOPPED;
      locked = false;
    }
    if (failure == null) {
      stopPromise.complete();
    } else {
      stopPromise.fail(failure);
    }
  }

  private static Throwable addFailure(Throwable first, Throwable next) {
    if (first == null) {
      return next;
    }
    // Logged too: Vert.x's NoStackTraceThrowable (Future.failedFuture(String)) ignores addSuppressed.
    LOG.warn("A stopper of a DeferredLock failed after an earlier one did", next);
    if (first != next) {
      first.addSuppressed(next);
    }
    return first;
  }

  private static final class Waiter {
    final ContextInternal ctx;
    final Promise<Boolean> promise;

    Waiter(ContextInternal ctx) {
      this.ctx = ctx;
      this.promise = ctx.promise();
    }

    /** Completes the waiter on its context, never inline in the granting thread. */
    void grant(boolean held) {
      ctx.runOnContext(v -> promise.complete(held));
    }
  }
}
