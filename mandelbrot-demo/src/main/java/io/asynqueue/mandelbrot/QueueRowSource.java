package io.asynqueue.mandelbrot;

import io.asynqueue.OrderedItemProducer;
import io.asynqueue.Task2;
import io.asynqueue.TaskQueue;
import io.asynqueue.ThreadQueue;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.streams.ReadStream;
import java.util.stream.IntStream;

/**
 * Rows on a {@link TaskQueue}: one task per row ({@link MandelbrotValuer#row(ViewSpec, int)}), at most
 * {@value #ROWS_PER_WORKER} rows per worker in flight, put back in order by an
 * {@link OrderedItemProducer}. This is the only class of the render path that knows about the queue.
 */
public final class QueueRowSource implements RowSource {

  /** Rows in flight per worker: enough to keep every worker busy while finished rows wait their turn. */
  public static final int ROWS_PER_WORKER = 5;

  /** The row task. A static method reference, so it serializes to a child JVM as a name. */
  private static final Task2<ViewSpec, Integer, byte[]> ROW = MandelbrotValuer::row;

  private final TaskQueue queue;
  private final int workers;

  /**
   * Rows on a queue whose workers are already attached.
   *
   * @param queue the queue
   * @param workers how many rows the queue computes at once
   */
  public QueueRowSource(TaskQueue queue, int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, not " + workers);
    }
    this.queue = queue;
    this.workers = workers;
  }

  /**
   * Rows on a new {@code ThreadQueue} of this many thread workers.
   *
   * @param vertx the Vert.x instance
   * @param workers the number of thread workers
   * @return the source; {@link #close()} shuts its queue down
   */
  public static QueueRowSource threads(Vertx vertx, int workers) {
    return new QueueRowSource(ThreadQueue.create(vertx, workers), workers);
  }

  @Override
  public ReadStream<byte[]> rows(Context context, ViewSpec spec) {
    return OrderedItemProducer.create(
        context,
        IntStream.range(0, spec.ny()).iterator(),
        (Integer y) -> queue.call(ROW, spec, y),
        ROWS_PER_WORKER * workers);
  }

  @Override
  public int workers() {
    return workers;
  }

  @Override
  public Future<Void> close() {
    return queue.shutdownNow();
  }
}
