package io.asynqueue.remote;

import io.asynqueue.remote.impl.WorkerServerImpl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Runs calls from {@link RemoteWorker}s on other hosts: a Vert.x {@code NetServer}.
 *
 * <pre>{@code
 * WorkerServer server = WorkerServer.create(vertx, new Tasks(), new WorkerServerOptions()
 *     .setHost("0.0.0.0").setPort(1978).setSecret(secret));
 * server.listen().onSuccess(port -> ...);
 * }</pre>
 *
 * <p><b>Security first.</b> Before the server decodes a single frame, a client proves that it holds the shared
 * secret (HMAC-SHA256 challenge and response over fresh nonces; the secret never crosses the wire), or presents a TLS
 * client certificate the server trusts; the server proves itself to the client in turn. A client that does not is
 * logged and dropped. Then the server runs only what it exposes: the public methods of its service object, by name
 * and number of arguments (not those of {@code Object}, not those whose names start with {@code _}), and instances of
 * the task classes on its allow-list. Kryo decodes only registered classes, never a class named on the wire; frames
 * are bounded in size, and no length inside one can make it allocate much more than the frame.
 *
 * <p><b>Running.</b> Calls run on {@linkplain WorkerServerOptions#setConcurrency(int) concurrency} threads shared by
 * all connections, urgent calls first; that concurrency and an in-flight limit are advertised to clients, which keep
 * the server busy without flooding it. A method returning a Vert.x {@code Future} or a {@code CompletionStage}
 * replies when it completes, without holding a thread. A method returning an {@code Iterator} or a {@code Stream}
 * (or, for {@code iterate} calls, an {@code Iterable}) becomes a remote iterator: the server sends its elements in
 * batches as the client grants credit, so a slow consumer stops the iterator. A reply of any size streams back in
 * fragments, between the other replies. A timed-out call is interrupted.
 *
 * <p>Command line: {@code java -jar asynqueue-remote.jar serve --port 1978 --secret-file FILE --service CLASS}.
 */
public interface WorkerServer {

  /**
   * A server, not yet listening.
   *
   * @param vertx the Vert.x instance
   * @param service the object whose public methods clients call by name, or {@code null} for task classes only
   * @param options the options
   * @return the server
   * @throws IllegalArgumentException if the options would let anyone in (no secret and no required TLS client
   *     certificates), a listed class cannot be loaded, or the service has two methods of one name and arity
   */
  static WorkerServer create(Vertx vertx, Object service, WorkerServerOptions options) {
    return new WorkerServerImpl(vertx, service, options);
  }

  /**
   * Starts listening.
   *
   * @return a Future of the port it listens on
   */
  Future<Integer> listen();

  /**
   * Offers this server to a pool of workers in a Vert.x cluster: listens (unless it already does), then registers
   * its address in the pool, where every {@link ClusterQueue} of the pool finds it and attaches it at once. Closing
   * the server leaves the pool; if its node dies, the cluster reports it and the queues let it go.
   *
   * <pre>{@code
   * Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(clusterOptions)).buildClustered()
   *     .compose(vertx -> WorkerServer.create(vertx, new Tasks(), serverOptions).joinCluster("render-pool"));
   * }</pre>
   *
   * <p>The address registered is the server's host, or, when it listens on all interfaces ({@code 0.0.0.0}), the
   * address this node has in the cluster. Clients still authenticate as always: joining the pool lets a queue find
   * the server, not skip the secret.
   *
   * @param pool the pool's name
   * @return a Future of the port it listens on, completed once registered; failed with
   *     {@link IllegalStateException} if the server is closed, or closes before it is registered
   * @throws IllegalArgumentException if Vert.x is not clustered with Hazelcast (see {@link AsynQueueCluster})
   * @throws IllegalStateException if {@code io.vertx:vertx-hazelcast} (an optional dependency) is not on the class
   *     path
   */
  Future<Integer> joinCluster(String pool);

  /** @return the port it listens on, or 0 before {@link #listen()} completed */
  int actualPort();

  /**
   * Closes the server. If it {@linkplain #joinCluster(String) joined} cluster pools, it leaves them first, then
   * waits (up to 10 seconds) for the calls in flight to finish and reply: the queues of the pool stop sending it
   * calls as soon as they hear it left, so a graceful stop loses nothing. Then it stops listening and closes every
   * connection (their clients see the calls still in flight lost, and reconnect elsewhere or later), and lets the
   * calls still running finish on their threads.
   *
   * @return a Future completed when closed
   */
  Future<Void> close();
}
