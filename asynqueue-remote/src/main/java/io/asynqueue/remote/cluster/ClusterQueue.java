package io.asynqueue.remote.cluster;

import io.asynqueue.TaskQueue;
import io.asynqueue.internal.CloseHook;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerInternal;
import io.asynqueue.spi.ForwardingTaskQueue;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Objects;

/**
 * A {@link TaskQueue} whose workers are the {@link WorkerServer}s of a pool in a Vert.x cluster: each server that
 * {@linkplain #join(WorkerServer, String) joins the pool} is attached as a {@link io.asynqueue.remote.RemoteWorker},
 * on any node, as soon as the cluster hears of it; each one that leaves is let go.
 *
 * <pre>{@code
 * Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(clusterOptions)).buildClustered()
 *     .onSuccess(vertx -> {
 *       ClusterQueue q = ClusterQueue.create(vertx, "render-pool", new ClusterQueueOptions()
 *           .setWorkerOptions(new RemoteWorkerOptions().setSecret(secret)));
 *       q.call(Remote.named("row"), spec, y).onSuccess(...);
 *     });
 * }</pre>
 *
 * <p><b>Membership.</b> The cluster only tells who is there: the calls go straight to each server on the remote
 * protocol, authenticated by the shared secret (or TLS) as for any remote worker; a server that cannot prove it
 * holds the secret is {@linkplain WorkerEvent.Kind#REFUSED refused}. A server that closes is detached gracefully: it
 * takes no new calls, and the server lets the calls it holds finish and reply before it closes its connections
 * (for up to 10 seconds; calls still running then are lost as below). A node that dies, or is removed from the cluster, is detached at
 * once, as soon as the cluster manager reports it (well under a second after its process dies, not when a send
 * timeout fires): the calls it held go back on the queue when they
 * {@linkplain io.asynqueue.CallOptions#setRetries(int) allow a retry}, and fail with
 * {@link io.asynqueue.WorkerLostException} otherwise. Calls made while no server is there wait in the queue.
 *
 * <p>Everything else is as for any {@link TaskQueue}: priorities, series, timeouts, iterators, updates (replayed on
 * each server that joins later) and a {@link #shutdown()} that always completes. Like every queue, it closes with
 * the verticle that made it, or with its Vert.x instance (see {@link TaskQueue#close()}), and stops watching the pool
 * then.
 */
public final class ClusterQueue extends ForwardingTaskQueue {

  /**
   * What happened to a server of the pool.
   *
   * @param kind what happened
   * @param nodeId the ID of the server's cluster node
   * @param address the server's address, {@code host:port}
   * @param workerId its worker's ID in the queue, or 0 if it was never attached
   * @param cause why it was refused, or why its worker gave up; or {@code null}
   */
  public record WorkerEvent(Kind kind, String nodeId, String address, int workerId, Throwable cause) {
    /** What happened. */
    public enum Kind {
      /** It joined the pool and its worker takes calls. */
      ATTACHED,
      /**
       * It joined the pool but its worker could not start (no connection, or it failed authentication), or its
       * entry in the pool is not signed with the queue's secret (then it is not even tried).
       */
      REFUSED,
      /**
       * It left the pool (it is closing): its worker takes no new calls, and the server lets those it holds finish
       * and reply before it closes (for up to 10 seconds).
       */
      LEFT,
      /**
       * Its node left the cluster or died: its worker was crashed. Also when its worker gave up reconnecting while
       * the server stays in the pool ({@link WorkerEvent#cause()} says why): the server is tried again 5 s later.
       */
      LOST
    }
  }

  private final ClusterWorkers workers;
  /** Shuts it down (and stops the watch) with the verticle that made it, or with Vert.x; removed once down. */
  private final CloseHook closeHook;

  private ClusterQueue(Vertx vertx, String pool, ClusterQueueOptions options) {
    super(TaskQueue.create(vertx, options.getQueueOptions()));
    RemoteWorkerOptions template = options.getWorkerOptions();
    if (template.getSecret() == null && !template.getNetClientOptions().isSsl()) {
      throw new IllegalArgumentException("the workers need the servers' shared secret (or TLS settings): "
          + "setWorkerOptions(new RemoteWorkerOptions().setSecret(secret))");
    }
    this.workers = new ClusterWorkers(vertx, pool, delegate(), template);
    this.closeHook = CloseHook.register(vertx, "cluster queue " + name(), this::shutdown);
  }

  /**
   * A queue of the servers of a pool.
   *
   * @param vertx a clustered Vert.x instance (see {@link AsynQueueCluster})
   * @param pool the pool's name, as the servers {@linkplain #join(WorkerServer, String) joined} it
   * @param options the options, with the servers' secret or TLS settings
   * @return the queue; it attaches the pool's servers as it hears of them
   * @throws IllegalArgumentException if Vert.x is not clustered with Hazelcast, or the options have neither a secret
   *     nor TLS
   * @throws IllegalStateException if {@code io.vertx:vertx-hazelcast} (an optional dependency) is not on the class
   *     path
   */
  public static ClusterQueue create(Vertx vertx, String pool, ClusterQueueOptions options) {
    return new ClusterQueue(Objects.requireNonNull(vertx, "vertx"), pool, new ClusterQueueOptions(options));
  }

  /**
   * Offers a server to a pool of workers in a Vert.x cluster: it listens (unless it already does), then registers
   * its address in the pool, where every {@code ClusterQueue} of the pool finds it and attaches it at once.
   * Closing the server leaves the pool; if its node dies, the cluster reports it and the queues let it go.
   *
   * <pre>{@code
   * Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(clusterOptions)).buildClustered()
   *     .compose(vertx -> ClusterQueue.join(WorkerServer.create(vertx, new Tasks(), serverOptions), "render-pool"));
   * }</pre>
   *
   * <p>The address registered is the server's host, or, when it listens on all interfaces ({@code 0.0.0.0}), the
   * address this node has in the cluster. Clients still authenticate as always: joining the pool lets a queue find
   * the server, not skip the secret.
   *
   * @param server the server, made on a clustered Vert.x instance
   * @param pool the pool's name
   * @return a Future of the port it listens on, completed once registered; failed with
   *     {@link IllegalStateException} if the server is closed, or closes before it is registered
   * @throws IllegalArgumentException if Vert.x is not clustered with Hazelcast (see {@link AsynQueueCluster})
   * @throws IllegalStateException if {@code io.vertx:vertx-hazelcast} (an optional dependency) is not on the class
   *     path
   */
  public static Future<Integer> join(WorkerServer server, String pool) {
    return ClusterWorkers.join((WorkerServerInternal) Objects.requireNonNull(server, "server"), pool);
  }

  /** @return a Future completed once the queue watches the pool and has heard of the servers in it now */
  public Future<Void> ready() {
    return workers.ready();
  }

  /**
   * @param count how many workers, at least 1
   * @return a Future completed as soon as at least {@code count} servers are attached at once (bound it with
   *     {@code .timeout(...)}); failed if the queue shuts down first
   */
  public Future<Void> awaitWorkers(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, was " + count);
    }
    return workers.awaitWorkers(count);
  }

  /** @return the addresses of the servers attached now, in the order they were attached */
  public List<String> workerAddresses() {
    return workers.addresses();
  }

  /**
   * @param handler called on the queue's context when a server is attached, refused, leaves or is lost; or
   *     {@code null}
   * @return a reference to this, so the API can be used fluently
   */
  public ClusterQueue workerHandler(Handler<WorkerEvent> handler) {
    workers.handler(handler);
    return this;
  }

  /**
   * Shuts the queue down as {@link TaskQueue#shutdown()} (it takes no calls from now on), and stops watching
   * the pool.
   */
  @Override
  public Future<Void> shutdown() {
    Future<Void> down = super.shutdown();
    return workers.close().transform(ar -> down).andThen(ar -> closeHook.remove());
  }

  /**
   * Shuts the queue down as {@link TaskQueue#shutdownNow()} (it takes no calls from now on), and stops watching
   * the pool.
   */
  @Override
  public Future<Void> shutdownNow() {
    Future<Void> down = super.shutdownNow();
    return workers.close().transform(ar -> down).andThen(ar -> closeHook.remove());
  }
}
