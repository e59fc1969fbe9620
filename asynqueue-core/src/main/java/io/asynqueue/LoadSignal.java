package io.asynqueue;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The queue's load, and who hears of it: the snapshot ({@link #load()}) and the load handler.
 *
 * <p>Every part of the engine calls {@link #signal()} when the load may have changed: a call submitted, an
 * attempt settled, a worker attached, paused, resumed or gone, a step of a shutdown. A signal costs one
 * volatile read while nobody listens, and one CAS while a call to the handler is already on its way: changes
 * that come faster than the handler runs are coalesced into that one call, which reads the load when it runs,
 * not when it was signalled.
 *
 * <p>Concurrency: the listener is a volatile field, replaced whole; a replaced listener's pending call sees
 * that it is no longer the one and does nothing. The snapshot is taken under the queue's one lock, after the
 * bookkeeping for everything pushed so far (so a call whose Future has completed no longer counts as
 * running); the handler runs on the context that registered it, outside the lock.
 */
final class LoadSignal {

  private final Dispatcher dispatcher;
  private volatile Listener listener;

  LoadSignal(Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  /** The load now: everything pushed so far is accounted for first. */
  QueueLoad load() {
    QueueLoad load;
    Handoff h;
    synchronized (dispatcher.lock) {
      h = dispatcher.bookkeep(null);
      load = new QueueLoad(dispatcher.queued, dispatcher.running, dispatcher.roster.loadsLocked());
    }
    if (h != null) {
      h.run();
    }
    return load;
  }

  /** Sets the handler (null: none), to be called on the caller's context; it hears of the load at once. */
  void listen(Handler<QueueLoad> handler) {
    listener = handler == null ? null : new Listener(dispatcher.vertx.getOrCreateContext(), handler);
    signal();
  }

  /** The load may have changed: tells the handler, if there is one, unless a call to it is on its way. */
  void signal() {
    Listener l = listener;
    if (l != null) {
      l.signal();
    }
  }

  /** Calls a load handler on its context, coalescing changes that come faster than it runs. */
  private final class Listener {
    private final Context context;
    private final Handler<QueueLoad> handler;
    private final AtomicBoolean pending = new AtomicBoolean();

    Listener(Context context, Handler<QueueLoad> handler) {
      this.context = context;
      this.handler = handler;
    }

    void signal() {
      if (pending.compareAndSet(false, true)) {
        context.runOnContext(v -> {
          pending.set(false);
          if (listener == this) {
            handler.handle(load());
          }
        });
      }
    }
  }
}
