package io.asynqueue.mandelbrot;

import io.asynqueue.CallOptions;
import io.asynqueue.OrderedItemProducer;
import io.asynqueue.Task;
import io.asynqueue.Task2;
import io.asynqueue.TaskQueue;
import io.asynqueue.ThreadQueue;
import io.asynqueue.process.ProcessQueue;
import io.asynqueue.remote.Remote;
import io.asynqueue.remote.RemoteWorker;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayList;
import java.util.List;
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

  /** The row task on a remote {@link RowService}: only its name travels. */
  private static final Task<byte[]> REMOTE_ROW = Remote.named(RowService.ROW);

  private final TaskQueue queue;
  private final int workers;
  private final Task<byte[]> row;

  /**
   * Rows on a queue whose workers are already attached.
   *
   * @param queue the queue
   * @param workers how many rows the queue computes at once
   */
  public QueueRowSource(TaskQueue queue, int workers) {
    this(queue, workers, ROW);
  }

  private QueueRowSource(TaskQueue queue, int workers, Task<byte[]> row) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, not " + workers);
    }
    this.queue = queue;
    this.workers = workers;
    this.row = row;
  }

  /**
   * Rows computed by remote {@link RowService}s ({@code mcm worker}), one {@link RemoteWorker} per server; the
   * queue keeps each as busy as its threads.
   *
   * @param vertx the Vert.x instance
   * @param servers the servers, as options (host, port, secret or TLS)
   * @return a Future of the source, once every server is connected; failed if one cannot be reached
   */
  public static Future<QueueRowSource> remote(Vertx vertx, List<RemoteWorkerOptions> servers) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("no servers");
    }
    TaskQueue queue = TaskQueue.create(vertx);
    List<RemoteWorker> workers = new ArrayList<>();
    List<Future<Integer>> attached = new ArrayList<>();
    for (RemoteWorkerOptions o : servers) {
      RemoteWorker w = RemoteWorker.create(vertx, o);
      workers.add(w);
      attached.add(queue.attachWorker(w));
    }
    return Future.all(attached)
        .map(all -> new QueueRowSource(queue, workers.stream().mapToInt(RemoteWorker::serverConcurrency).sum(),
            REMOTE_ROW))
        .recover(e -> queue.shutdownNow().transform(ar -> Future.failedFuture(e)));
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

  /**
   * Rows on a new {@code ProcessQueue} of this many child JVMs, one row at a time each.
   *
   * @param vertx the Vert.x instance
   * @param processes the number of child JVMs
   * @return the source; {@link #close()} shuts its queue down and stops the children
   */
  public static QueueRowSource processes(Vertx vertx, int processes) {
    return new QueueRowSource(ProcessQueue.create(vertx, processes), processes);
  }

  @Override
  public OrderedItemProducer<byte[]> rows(Context context, ViewSpec spec) {
    return rows(context, spec, null);
  }

  /**
   * The rows of a view, as {@link #rows(Context, ViewSpec)}, with every row task in one series: renders in
   * different series share the workers fairly, so a huge render does not starve a small one.
   *
   * <p>{@link OrderedItemProducer#stop()} cancels the rest of the render: no further row is submitted. The
   * rows already submitted (at most the {@linkplain OrderedItemProducer#window() window},
   * {@value #ROWS_PER_WORKER} per worker) still run; their results are dropped.
   *
   * @param context the context the stream emits on
   * @param spec the view
   * @param series the series of the row tasks; {@code null} for the default series
   * @return the rows
   */
  public OrderedItemProducer<byte[]> rows(Context context, ViewSpec spec, String series) {
    CallOptions options = series == null ? null : new CallOptions().setSeries(series);
    return OrderedItemProducer.create(
        context,
        IntStream.range(0, spec.ny()).iterator(),
        (Integer y) -> queue.call(row, options, spec, y),
        ROWS_PER_WORKER * workers);
  }

  /** @return the queue the rows are computed on */
  public TaskQueue queue() {
    return queue;
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
