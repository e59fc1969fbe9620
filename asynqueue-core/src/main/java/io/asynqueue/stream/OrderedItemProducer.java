package io.asynqueue.stream;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.streams.ReadStream;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Function;

/**
 * Runs an asynchronous function over a sequence of inputs, a bounded number at a time, and streams the
 * results <b>in input order</b>, holding back those that finish early. The original AsynQueue used it to
 * feed image rows, computed out of order by several workers, to a PNG writer.
 *
 * <pre>{@code
 * Iterator<Integer> rows = IntStream.range(0, height).iterator();
 * OrderedItemProducer<byte[]> producer =
 *     OrderedItemProducer.create(context, rows, y -> queue.call(Renderer::row, spec, y), 5 * workers);
 * producer.pipeTo(pngWriter);   // rows 0, 1, 2, ... whatever order they were computed in
 * }</pre>
 *
 * <p><b>Window.</b> At most {@code window} items are started but not yet delivered (running, or finished and
 * waiting for an earlier one). The inputs are read lazily, one as each slot frees up, so memory stays bounded
 * however many inputs there are, and an endless iterator works.
 *
 * <p><b>Backpressure.</b> Nothing starts until a {@linkplain #handler(Handler) handler} is set. While the
 * stream is paused (or a pipe's WriteStream is full), finished results wait, and once the window is full no
 * new item starts.
 *
 * <p><b>Failures.</b> As soon as an item fails (or {@code fn} throws, or the iterator throws) no further item
 * starts. The failure takes that item's place in the order: the results of the inputs before it are
 * delivered, then the stream fails (the {@linkplain #exceptionHandler(Handler) exception handler} is called,
 * and {@code pipeTo}'s Future fails). Results of inputs after it are dropped. Without an exception handler
 * the failure is reported to the context.
 *
 * <p><b>Stopping early.</b> {@link #stop()}, or a failure, leaves the items already started to finish for
 * nobody. Given a {@code cancel} action ({@link #create(Context, Iterator, Function, int, Runnable)}), the
 * producer runs it then, so that they do not: with queue calls made with a {@code CancelToken}, {@code
 * token::cancel} takes the calls still queued off the queue.
 *
 * <pre>{@code
 * CancelToken rows = new CancelToken();
 * CallOptions options = new CallOptions().setCancelToken(rows);
 * OrderedItemProducer.create(context, ys, y -> queue.call(Renderer::row, options, spec, y), window, rows::cancel);
 * }</pre>
 *
 * <p><b>Threading.</b> Confined to its context: the iterator is advanced and {@code fn} is called there,
 * handlers run there; calls from another thread are re-run on the context in call order. The Futures of
 * {@code fn} may complete on any thread.
 *
 * @param <T> the result type
 */
public final class OrderedItemProducer<T> implements ReadStream<T> {

  /* One slot per item in the window, indexed by sequence number modulo the window. */
  private static final byte EMPTY = 0;
  private static final byte RUNNING = 1;
  private static final byte SUCCEEDED = 2;
  private static final byte FAILED = 3;

  /** Reads the next input and starts fn on it; the input type stays out of the class's type. */
  private interface Starter<T> {
    boolean hasNext();

    Future<T> startNext();
  }

  private final ContextInternal ctx;
  private final Starter<T> starter;
  /** Run once if the stream stops before its inputs are done; or null. */
  private Runnable cancel;
  private final int window;
  private final Object[] values;
  private final byte[] states;

  private long started;    // items started (sequence number of the next one)
  private long delivered;  // items delivered (sequence number of the next to deliver)
  private boolean activated;
  private boolean inputsDone;
  private boolean failing; // an item failed: start nothing more
  private boolean finished; // end or failure delivered, or stopped

  private Handler<T> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;

  private boolean draining;
  private boolean redrain;
  private boolean drainScheduled;
  private boolean stopRequested;

  private OrderedItemProducer(ContextInternal ctx, Starter<T> starter, int window, Runnable cancel) {
    this.ctx = ctx;
    this.starter = starter;
    this.cancel = cancel;
    this.window = window;
    this.values = new Object[window];
    this.states = new byte[window];
  }

  /**
   * An OrderedItemProducer over {@code inputs}.
   *
   * @param context where the iterator is advanced, {@code fn} is called and handlers run
   * @param inputs the inputs, read lazily on the context; may be endless
   * @param fn starts the work for one input; its Future may complete on any thread
   * @param window how many items may be started but not yet delivered, at least 1
   * @param <I> the input type
   * @param <T> the result type
   * @return the producer; it starts nothing until a handler is set
   * @throws IllegalArgumentException if {@code window < 1}
   */
  public static <I, T> OrderedItemProducer<T> create(Context context, Iterator<I> inputs,
      Function<? super I, ? extends Future<T>> fn, int window) {
    return create(context, inputs, fn, window, null);
  }

  /**
   * An OrderedItemProducer over {@code inputs} that runs {@code cancel} if it stops early: on {@link #stop()},
   * or when it fails (once the results before the failed item are delivered); once, on the context. It is meant
   * to cancel the items started and no longer wanted, such as the calls made with a {@code CancelToken}: {@code
   * token::cancel}.
   *
   * @param context where the iterator is advanced, {@code fn} is called and handlers run
   * @param inputs the inputs, read lazily on the context; may be endless
   * @param fn starts the work for one input; its Future may complete on any thread
   * @param window how many items may be started but not yet delivered, at least 1
   * @param cancel run once if the stream stops before its inputs are done; {@code null} for nothing
   * @param <I> the input type
   * @param <T> the result type
   * @return the producer; it starts nothing until a handler is set
   * @throws IllegalArgumentException if {@code window < 1}
   */
  public static <I, T> OrderedItemProducer<T> create(Context context, Iterator<I> inputs,
      Function<? super I, ? extends Future<T>> fn, int window, Runnable cancel) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(fn, "fn");
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1, was " + window);
    }
    Starter<T> starter = new Starter<>() {
      @Override
      public boolean hasNext() {
        return inputs.hasNext();
      }

      @Override
      public Future<T> startNext() {
        return fn.apply(inputs.next());
      }
    };
    return new OrderedItemProducer<>((ContextInternal) context, starter, window, cancel);
  }

  /** @return the window: how many items may be started but not yet delivered */
  public int window() {
    return window;
  }

  /**
   * Stops early: starts no further item, drops the results not yet delivered, and ends the stream (the end
   * handler is called, so a pipe completes). Items already started are left to finish, their results
   * ignored, unless the producer was given a {@code cancel} action, which runs now. A no-op once the stream has
   * ended or failed.
   */
  public void stop() {
    if (!ctx.inThread()) {
      ctx.execute(this::stop);
      return;
    }
    if (finished || stopRequested) {
      return;
    }
    stopRequested = true;
    runCancel();
    scheduleDrain();
  }

  /** Runs the cancel action, once; one that throws is reported to the context. */
  private void runCancel() {
    Runnable c = cancel;
    if (c == null) {
      return;
    }
    cancel = null;
    try {
      c.run();
    } catch (Throwable t) {
      ctx.reportException(t);
    }
  }

  // ---------------------------------------------------------------- ReadStream

  @Override
  public OrderedItemProducer<T> exceptionHandler(Handler<Throwable> handler) {
    if (!ctx.inThread()) {
      ctx.execute(() -> exceptionHandler(handler));
      return this;
    }
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public OrderedItemProducer<T> handler(Handler<T> handler) {
    if (!ctx.inThread()) {
      ctx.execute(() -> handler(handler));
      return this;
    }
    this.handler = handler;
    if (handler != null) {
      activated = true;
    }
    scheduleDrain();
    return this;
  }

  @Override
  public OrderedItemProducer<T> pause() {
    if (!ctx.inThread()) {
      ctx.execute(this::pause);
      return this;
    }
    demand = 0;
    return this;
  }

  @Override
  public OrderedItemProducer<T> resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public OrderedItemProducer<T> fetch(long amount) {
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
  public OrderedItemProducer<T> endHandler(Handler<Void> endHandler) {
    if (!ctx.inThread()) {
      ctx.execute(() -> endHandler(endHandler));
      return this;
    }
    this.endHandler = endHandler;
    return this;
  }

  // ---------------------------------------------------------------- internals

  /**
   * Drains in a later task on the context (never inside the user's call, so {@code handler(h).endHandler(e)}
   * cannot miss the end), or in the current drain loop if one is running (no extra task).
   */
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
        if (!finished) {
          deliver();
        }
        if (!finished) {
          startMore();
        }
        if (!finished && handler != null && inputsDone && delivered == started) {
          finished = true;
          emitEnd();
        }
      } while (redrain);
    } finally {
      draining = false;
    }
  }

  @SuppressWarnings("unchecked")
  private void deliver() {
    if (stopRequested) {
      if (handler == null) {
        return; // hold the end until a reader attaches, so a later pipeTo still completes
      }
      finished = true;
      Arrays.fill(values, null);
      emitEnd();
      return;
    }
    Handler<T> h;
    while ((h = handler) != null && delivered < started) {
      int slot = (int) (delivered % window);
      byte state = states[slot];
      if (state == FAILED) {
        Throwable cause = (Throwable) values[slot];
        values[slot] = null;
        states[slot] = EMPTY;
        finished = true;
        Arrays.fill(values, null);
        runCancel(); // the items after the failed one are dropped: no need to run them
        Handler<Throwable> eh = exceptionHandler;
        if (eh != null) {
          ctx.emit(cause, eh);
        } else {
          ctx.reportException(cause);
        }
        return;
      }
      if (state != SUCCEEDED || demand == 0) {
        return;
      }
      T value = (T) values[slot];
      values[slot] = null;
      states[slot] = EMPTY;
      delivered++;
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      ctx.emit(value, h);
      if (stopRequested) {
        redrain = true;
        return;
      }
    }
  }

  private void startMore() {
    while (activated && !inputsDone && !failing && !stopRequested && started - delivered < window) {
      long seq = started;
      int slot = (int) (seq % window);
      Future<T> future;
      try {
        if (!starter.hasNext()) {
          inputsDone = true;
          return;
        }
        future = starter.startNext();
        if (future == null) {
          throw new NullPointerException("fn returned null instead of a Future");
        }
      } catch (Throwable t) {
        future = Future.failedFuture(t);
        inputsDone = true; // the iterator (or fn) broke: the failure takes this item's place
      }
      states[slot] = RUNNING;
      started++;
      future.onComplete(ar -> ctx.execute(ar, r -> completed(seq, r)));
    }
  }

  private void completed(long seq, AsyncResult<T> ar) {
    if (finished || stopRequested || seq < delivered) {
      return;
    }
    int slot = (int) (seq % window);
    if (ar.succeeded()) {
      values[slot] = ar.result();
      states[slot] = SUCCEEDED;
    } else {
      values[slot] = ar.cause();
      states[slot] = FAILED;
      failing = true;
    }
    drain();
  }

  private void emitEnd() {
    Handler<Void> h = endHandler;
    if (h != null) {
      ctx.emit(null, h);
    }
  }
}
