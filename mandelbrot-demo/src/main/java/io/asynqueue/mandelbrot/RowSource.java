package io.asynqueue.mandelbrot;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.streams.ReadStream;

/**
 * Where a render's rows come from: the only thing the render path knows about the queue.
 *
 * <p>{@link QueueRowSource} computes them on a {@code TaskQueue}, one task per row.
 */
public interface RowSource {

  /**
   * The rows of a view, computed ahead within a bounded window and emitted in order from the top
   * ({@code 3 * spec.nx()} RGB bytes each), honouring backpressure.
   *
   * @param context the context the stream emits on
   * @param spec the view
   * @return the rows; it ends after row {@code spec.ny() - 1}, or fails with the first failed row
   */
  ReadStream<byte[]> rows(Context context, ViewSpec spec);

  /** @return how many rows this source computes at once */
  int workers();

  /**
   * Stops the source: rows not started yet are dropped.
   *
   * @return a Future completed when every worker has stopped
   */
  Future<Void> close();
}
