package io.asynqueue.stream;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
// Vert.x internal API (listed in InternalImportsTest): execute and emit (at once when already on the context),
// inThread, and futures bound to the caller's context; Context has none of them.
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link WriteStream} that collects what is written into a list, in write order, optionally running an
 * asynchronous processor on each item (the original AsynQueue's {@code ListConsumer.processItem}).
 *
 * <pre>{@code
 * ListConsumer<Row> rows = ListConsumer.create(context, row -> db.insert(row));  // Future per item
 * deferator.pipeTo(rows);
 * rows.result().onSuccess(list -> ...);   // every row, in write order, all inserted
 * }</pre>
 *
 * <p><b>Order.</b> The list is in write order whatever order the processor's Futures complete in.
 *
 * <p><b>Backpressure.</b> Items whose processing has not completed count toward the write queue:
 * {@link #writeQueueFull()} is {@code true} while {@link #setWriteQueueMaxSize(int) maxSize} or more are
 * being processed, and the {@linkplain #drainHandler(Handler) drain handler} is called when that falls to
 * half. A pipe therefore runs at most about {@code maxSize} processors at once. Without a processor the queue
 * is never full.
 *
 * <p><b>Failures.</b> A processor that fails (or throws) fails that item's {@code write} Future, is reported
 * to the {@linkplain #exceptionHandler(Handler) exception handler} (the first failure only), and fails
 * {@link #result()} with the first failure once everything written has been processed. Later items are
 * still processed.
 *
 * <p><b>Threading.</b> Confined to its context: calls from another thread are re-run on the context, in
 * call order. Handlers and Futures run on the context; the processor is called there.
 *
 * @param <T> the item type
 */
public final class ListConsumer<T> implements WriteStream<T> {

  /** The default {@link #setWriteQueueMaxSize(int) write queue size}: items being processed at once. */
  public static final int DEFAULT_WRITE_QUEUE_MAX_SIZE = 16;

  private final ContextInternal ctx;
  private final Function<? super T, ? extends Future<?>> processor;
  private final List<T> items = new ArrayList<>();
  private final Promise<List<T>> result;

  private int maxSize = DEFAULT_WRITE_QUEUE_MAX_SIZE;
  private int processing;
  private boolean full;  // was full since the last drain
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;
  private Throwable failure;
  private Promise<Void> ended;

  private ListConsumer(ContextInternal ctx, Function<? super T, ? extends Future<?>> processor) {
    this.ctx = ctx;
    this.processor = processor;
    this.result = ctx.promise();
  }

  /**
   * A ListConsumer that only collects.
   *
   * @param context where its Futures complete and handlers run
   * @param <T> the item type
   * @return the ListConsumer
   */
  public static <T> ListConsumer<T> create(Context context) {
    return new ListConsumer<>((ContextInternal) Objects.requireNonNull(context, "context"), null);
  }

  /**
   * A ListConsumer that collects and runs {@code processor} on each item as it is written.
   *
   * @param context where its Futures complete, handlers run and the processor is called
   * @param processor gives a Future completed when the item has been processed
   * @param <T> the item type
   * @return the ListConsumer
   */
  public static <T> ListConsumer<T> create(Context context, Function<? super T, ? extends Future<?>> processor) {
    return new ListConsumer<>((ContextInternal) Objects.requireNonNull(context, "context"),
        Objects.requireNonNull(processor, "processor"));
  }

  /**
   * @return a Future of every item written, in write order, completed after {@link #end()} once every item
   *     has been processed; failed with the first processing failure
   */
  public Future<List<T>> result() {
    return result.future();
  }

  @Override
  public ListConsumer<T> exceptionHandler(Handler<Throwable> handler) {
    if (!ctx.inThread()) {
      ctx.execute(() -> exceptionHandler(handler));
      return this;
    }
    this.exceptionHandler = handler;
    return this;
  }

  /**
   * Adds the item to the list and starts processing it.
   *
   * @param item the item, may be {@code null}
   * @return a Future completed when the item has been processed (at once without a processor); failed if
   *     processing failed, or if the stream has ended
   */
  @Override
  public Future<Void> write(T item) {
    if (!ctx.inThread()) {
      Promise<Void> promise = ctx.promise();
      ctx.execute(() -> write(item).onComplete(promise));
      return promise.future();
    }
    if (ended != null) {
      return ctx.failedFuture(new IllegalStateException("write after end()"));
    }
    items.add(item);
    if (processor == null) {
      return ctx.succeededFuture();
    }
    processing++;
    if (processing >= maxSize) {
      full = true;
    }
    Future<?> processed;
    try {
      processed = processor.apply(item);
      if (processed == null) {
        throw new NullPointerException("the processor returned null instead of a Future");
      }
    } catch (Throwable t) {
      processed = Future.failedFuture(t);
    }
    Promise<Void> written = ctx.promise();
    processed.onComplete(ar -> ctx.execute(ar, r -> processed(r, written)));
    return written.future();
  }

  /**
   * Ends the stream: no more writes.
   *
   * @return a Future completed once every item has been processed; failed with the first processing failure
   */
  @Override
  public Future<Void> end() {
    if (!ctx.inThread()) {
      Promise<Void> promise = ctx.promise();
      ctx.execute(() -> end().onComplete(promise));
      return promise.future();
    }
    if (ended == null) {
      ended = ctx.promise();
      maybeFinish();
    }
    return ended.future();
  }

  @Override
  public ListConsumer<T> setWriteQueueMaxSize(int maxSize) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize must be >= 1, was " + maxSize);
    }
    if (!ctx.inThread()) {
      ctx.execute(() -> setWriteQueueMaxSize(maxSize));
      return this;
    }
    this.maxSize = maxSize;
    return this;
  }

  /** @return {@code true} while {@code maxSize} or more items are being processed; call it on the context */
  @Override
  public boolean writeQueueFull() {
    return processing >= maxSize;
  }

  @Override
  public ListConsumer<T> drainHandler(Handler<Void> handler) {
    if (!ctx.inThread()) {
      ctx.execute(() -> drainHandler(handler));
      return this;
    }
    this.drainHandler = handler;
    return this;
  }

  private void processed(AsyncResult<?> ar, Promise<Void> written) {
    processing--;
    if (ar.succeeded()) {
      written.complete();
    } else {
      Throwable cause = ar.cause();
      boolean first = failure == null;
      if (first) {
        failure = cause;
      }
      written.fail(cause);
      Handler<Throwable> h = exceptionHandler;
      if (first && h != null) {
        ctx.emit(cause, h);
      }
    }
    if (full && processing <= maxSize / 2) {
      full = false;
      Handler<Void> h = drainHandler;
      if (h != null) {
        ctx.emit(null, h);
      }
    }
    maybeFinish();
  }

  private void maybeFinish() {
    if (ended == null || processing > 0 || result.future().isComplete()) {
      return;
    }
    if (failure == null) {
      result.complete(items);
      ended.complete();
    } else {
      result.fail(failure);
      ended.fail(failure);
    }
  }
}
