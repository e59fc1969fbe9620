package io.asynqueue.mandelbrot;

import io.asynqueue.CallOptions;
import io.asynqueue.stream.OrderedItemProducer;
import io.asynqueue.Task;
import io.asynqueue.Task2;
import io.asynqueue.TaskQueue;
import io.asynqueue.TaskQueueOptions;
import io.asynqueue.ThreadQueue;
import io.asynqueue.QueueShutdownException;
import io.asynqueue.WorkerLostException;
import io.asynqueue.process.ProcessQueue;
import io.asynqueue.process.ProcessQueueOptions;
import io.asynqueue.remote.cluster.ClusterQueue;
import io.asynqueue.remote.cluster.ClusterQueueOptions;
import io.asynqueue.remote.Remote;
import io.asynqueue.remote.RemoteWorker;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.streams.ReadStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Rows on a {@link TaskQueue}: one task per row ({@link MandelbrotValuer#row(ViewSpec, int)}), at most
 * {@value #ROWS_PER_WORKER} rows per worker in flight, put back in order by an
 * {@link OrderedItemProducer}. This is the only class of the render path that knows about the queue.
 */
public final class QueueRowSource implements RowSource {

  /** Rows in flight per worker: enough to keep every worker busy while finished rows wait their turn. */
  public static final int ROWS_PER_WORKER = 5;

  /**
   * Rows a cluster render may have in flight: the pool's threads are not known ahead, and servers join during a
   * render, so the window is sized for {@value} rows at once rather than for the servers there at the start.
   */
  public static final int CLUSTER_ROWS_AT_ONCE = 64;

  /** How many times a row of a cluster render is tried again when the server computing it is lost. */
  public static final int CLUSTER_ROW_RETRIES = 2;

  /**
   * How many times a row of a process render is tried again when the child computing it dies (a row is a pure
   * function of the view and its index, so running it twice is safe); the child is replaced meanwhile.
   */
  public static final int PROCESS_ROW_RETRIES = 2;

  /**
   * How many times a row of a remote render is tried again when the server computing it is lost (killed, its
   * connection dropped): the other servers take it, or the same one once it is back.
   */
  public static final int REMOTE_ROW_RETRIES = 2;

  /** The row task. A static method reference, so it serializes to a child JVM as a name. */
  private static final Task2<ViewSpec, Integer, byte[]> ROW = MandelbrotValuer::row;

  /** The row task on a remote {@link RowService}: only its name travels. */
  private static final Task<byte[]> REMOTE_ROW = Remote.named(RowService.ROW);

  private final TaskQueue queue;
  private final int window;
  private final IntSupplier workers;
  private final Task<byte[]> row;
  private final int retries;
  /** Set when every worker of a remote render resigned: the rows left fail with this rather than wait. */
  private volatile WorkerLostException allLost;

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
    this(queue, ROWS_PER_WORKER * checked(workers), () -> workers, row, 0);
  }

  private QueueRowSource(TaskQueue queue, int window, IntSupplier workers, Task<byte[]> row, int retries) {
    this.queue = queue;
    this.window = window;
    this.workers = workers;
    this.row = row;
    this.retries = retries;
  }

  private static int checked(int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, not " + workers);
    }
    return workers;
  }

  /**
   * Rows computed by remote {@link RowService}s ({@code mcm worker}), one {@link RemoteWorker} per server; the
   * queue keeps each as busy as its threads. A row whose server is lost is computed again, up to
   * {@value #REMOTE_ROW_RETRIES} times, on the other servers (or the same one once it reconnects): a render
   * outlives a lost server while another remains. When every server is lost for good (each worker
   * {@linkplain RemoteWorkerOptions#setReconnectAttempts(int) gave up reconnecting}), the rows still to come fail
   * with {@link WorkerLostException} instead of waiting for a worker that will not come.
   *
   * @param vertx the Vert.x instance
   * @param servers the servers, as options (host, port, secret or TLS)
   * @return a Future of the source, once every server is connected; failed if one cannot be reached
   */
  public static Future<QueueRowSource> remote(Vertx vertx, List<RemoteWorkerOptions> servers) {
    return remote(vertx, servers, new TaskQueueOptions());
  }

  /**
   * Rows computed by remote {@link RowService}s, on a queue with these options (a meter registry, say); see
   * {@link #remote(Vertx, List)}.
   *
   * @param vertx the Vert.x instance
   * @param servers the servers, as options (host, port, secret or TLS)
   * @param queueOptions the queue's options
   * @return a Future of the source, once every server is connected; failed if one cannot be reached
   */
  public static Future<QueueRowSource> remote(Vertx vertx, List<RemoteWorkerOptions> servers,
      TaskQueueOptions queueOptions) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("no servers");
    }
    TaskQueue queue = TaskQueue.create(vertx, queueOptions);
    List<RemoteWorker> workers = new ArrayList<>();
    List<Future<Integer>> attached = new ArrayList<>();
    for (RemoteWorkerOptions o : servers) {
      RemoteWorker w = RemoteWorker.create(vertx, o);
      workers.add(w);
      attached.add(queue.attachWorker(w));
    }
    return Future.all(attached)
        .map(all -> {
          int concurrency = workers.stream().mapToInt(RemoteWorker::serverConcurrency).sum();
          QueueRowSource source = new QueueRowSource(queue, ROWS_PER_WORKER * checked(concurrency), () -> concurrency,
              REMOTE_ROW, REMOTE_ROW_RETRIES);
          queue.loadHandler(load -> {
            if (load.workers().isEmpty() && queue.isRunning()) { // the last one resigned
              source.allLost = new WorkerLostException("every server was lost (" + workers.stream()
                  .map(RemoteWorker::address).collect(Collectors.joining(", ")) + "), and none came back");
              queue.shutdownNow();
            }
          });
          return source;
        })
        .recover(e -> queue.shutdownNow().transform(ar -> Future.failedFuture(e)));
  }

  /**
   * Rows computed by the {@link RowService}s of a pool in a Vert.x cluster ({@code mcm worker --cluster}), on a
   * {@link ClusterQueue}: servers that join the pool during the render get rows too, and the rows a lost server held
   * are computed again elsewhere (up to {@value #CLUSTER_ROW_RETRIES} times). Up to {@value #ROWS_PER_WORKER} times
   * {@value #CLUSTER_ROWS_AT_ONCE} rows are in flight; {@link #workers()} is the number of servers attached since
   * the source was made (it sets the queue's {@linkplain ClusterQueue#workerHandler worker handler} to count them).
   *
   * @param vertx a clustered Vert.x instance (see {@code AsynQueueCluster})
   * @param pool the pool the servers joined
   * @param template the remote workers' options: the servers' secret (or TLS settings), reconnection
   * @param wait how long to wait for a first server in the pool
   * @return a Future of the source, once at least one server is attached; failed with a
   *     {@link TimeoutException} if none came within {@code wait}
   * @throws IllegalArgumentException if Vert.x is not clustered with Hazelcast, or the options have neither a secret
   *     nor TLS
   */
  public static Future<QueueRowSource> cluster(Vertx vertx, String pool, RemoteWorkerOptions template, Duration wait) {
    return cluster(vertx, pool, template, wait, new TaskQueueOptions());
  }

  /**
   * Rows computed by the servers of a cluster pool, on a queue with these options (a meter registry, say); see
   * {@link #cluster(Vertx, String, RemoteWorkerOptions, Duration)}.
   *
   * @param vertx a clustered Vert.x instance
   * @param pool the pool the servers joined
   * @param template the remote workers' options
   * @param wait how long to wait for a first server in the pool
   * @param queueOptions the queue's options
   * @return a Future of the source, once at least one server is attached
   */
  public static Future<QueueRowSource> cluster(Vertx vertx, String pool, RemoteWorkerOptions template, Duration wait,
      TaskQueueOptions queueOptions) {
    ClusterQueue queue = ClusterQueue.create(vertx, pool,
        new ClusterQueueOptions().setWorkerOptions(template).setQueueOptions(queueOptions));
    Set<String> attached = ConcurrentHashMap.newKeySet();
    queue.workerHandler(e -> {
      if (e.kind() == ClusterQueue.WorkerEvent.Kind.ATTACHED) {
        attached.add(e.nodeId() + " " + e.address());
      }
    });
    return queue.awaitWorkers(1)
        .timeout(wait.toMillis(), TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(e instanceof TimeoutException
            ? new TimeoutException("no worker in the pool '" + pool + "' after "
                + wait.toSeconds() + " seconds: start 'mcm worker --cluster ...' on the nodes (same --pool, "
                + "--cluster-name and secret)")
            : e))
        .map(v -> new QueueRowSource(queue, ROWS_PER_WORKER * CLUSTER_ROWS_AT_ONCE,
            () -> Math.max(attached.size(), queue.workerAddresses().size()), REMOTE_ROW, CLUSTER_ROW_RETRIES))
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
    return threads(vertx, workers, new TaskQueueOptions());
  }

  /**
   * Rows on a new {@code ThreadQueue} with these options (a meter registry, say).
   *
   * @param vertx the Vert.x instance
   * @param workers the number of thread workers
   * @param queueOptions the queue's options
   * @return the source; {@link #close()} shuts its queue down
   */
  public static QueueRowSource threads(Vertx vertx, int workers, TaskQueueOptions queueOptions) {
    return new QueueRowSource(ThreadQueue.create(vertx, workers, queueOptions), workers);
  }

  /**
   * Rows on a new {@code ProcessQueue} of this many child JVMs, one row at a time each. A row whose child dies
   * (killed, out of memory) is computed again, up to {@value #PROCESS_ROW_RETRIES} times, on the other children or
   * the one that replaces it: a render outlives a lost child.
   *
   * @param vertx the Vert.x instance
   * @param processes the number of child JVMs
   * @return the source; {@link #close()} shuts its queue down and stops the children
   */
  public static QueueRowSource processes(Vertx vertx, int processes) {
    return processes(vertx, processes, new TaskQueueOptions());
  }

  /**
   * Rows on a new {@code ProcessQueue} with these options (a meter registry, say).
   *
   * @param vertx the Vert.x instance
   * @param processes the number of child JVMs
   * @param queueOptions the queue's options
   * @return the source; {@link #close()} shuts its queue down and stops the children
   */
  public static QueueRowSource processes(Vertx vertx, int processes, TaskQueueOptions queueOptions) {
    return new QueueRowSource(ProcessQueue.create(vertx,
        new ProcessQueueOptions().setProcesses(checked(processes)).setQueueOptions(queueOptions)),
        ROWS_PER_WORKER * processes, () -> processes, ROW, PROCESS_ROW_RETRIES);
  }

  @Override
  public OrderedItemProducer<byte[]> rows(Context context, ViewSpec spec) {
    return rows(context, spec, null);
  }

  /**
   * The rows of a view, as {@link #rows(Context, ViewSpec)}, with every row task in one series: renders in
   * different series share the workers fairly, so a huge render does not starve a small one.
   *
   * <p>{@link OrderedItemProducer#stop()} cancels the rest of the render: no further row is submitted, and with a
   * series the rows still queued leave the queue at once ({@link TaskQueue#cancel(String)}). Only the rows running
   * then (at most one per worker) finish; their results are dropped.
   *
   * @param context the context the stream emits on
   * @param spec the view
   * @param series the series of the row tasks; {@code null} for the default series
   * @return the rows
   */
  public OrderedItemProducer<byte[]> rows(Context context, ViewSpec spec, String series) {
    CallOptions options = series == null && retries == 0 ? null : new CallOptions().setRetries(retries);
    if (series != null) {
      options.setSeries(series);
    }
    return produce(context, spec, options, series == null ? null : () -> queue.cancel(series));
  }

  /**
   * The rows of a view with every row task made with a copy of these options (niceness, series, a
   * {@link io.asynqueue.CancelToken}; the source's retries are set on the copy). {@link OrderedItemProducer#stop()}
   * submits no further row and cancels the token, if any: the rows still queued leave the queue at once, and
   * other calls of the same series are left alone.
   *
   * @param context the context the stream emits on
   * @param spec the view
   * @param options the row tasks' options
   * @return the rows
   */
  public OrderedItemProducer<byte[]> rowsWith(Context context, ViewSpec spec, CallOptions options) {
    CallOptions o = new CallOptions(options).setRetries(retries);
    var token = o.getCancelToken();
    return produce(context, spec, o, token == null ? null : token::cancel);
  }

  /** One row task per row of the view, at most {@link #window} in flight; {@code cancel} runs on stop. */
  private OrderedItemProducer<byte[]> produce(Context context, ViewSpec spec, CallOptions options, Runnable cancel) {
    return OrderedItemProducer.create(context, IntStream.range(0, spec.ny()).iterator(),
        (Integer y) -> queue.call(row, options, spec, y).recover(this::explain), window, cancel);
  }

  /** A row's failure, or why every row after it fails: every server was lost. */
  private Future<byte[]> explain(Throwable failure) {
    WorkerLostException lost = allLost;
    return Future.failedFuture(lost != null && failure instanceof QueueShutdownException ? lost : failure);
  }

  /** @return the queue the rows are computed on */
  public TaskQueue queue() {
    return queue;
  }

  @Override
  public int workers() {
    return workers.getAsInt();
  }

  @Override
  public Future<Void> close() {
    return queue.shutdownNow();
  }
}
