package io.asynqueue.remote.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Runs calls from {@link io.asynqueue.remote.RemoteWorker}s on other hosts: a Vert.x {@code NetServer}. To offer
 * it to the queues of a Vert.x cluster, {@link io.asynqueue.remote.cluster.ClusterQueue#join join} a pool.
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
 * logged and dropped. Then the server runs only what it exposes: the public instance methods that its service
 * object's class declares, by name and number of arguments (not static methods, not inherited ones, not those whose
 * names start with {@code _}), and instances of the task classes on its allow-list. With a secret, the frames after
 * the handshake travel in records that each carry a tag (truncated HMAC-SHA256 under keys of that connection, over a
 * sequence number and the record), so a frame changed, replayed or reordered on the way closes the connection. Kryo
 * decodes only registered classes, never a class named on the wire; frames
 * are bounded in size, and no length inside one can make it allocate much more than the frame.
 *
 * <p><b>Running.</b> Calls run on {@linkplain WorkerServerOptions#setConcurrency(int) concurrency} threads shared by
 * all connections (daemon threads named {@code asynqueue-server-<n>-<i>}, {@code n} the server's number in this JVM),
 * urgent calls first; that concurrency and an in-flight limit are advertised to clients, which keep
 * the server busy without flooding it. What a method returns means what it means on every worker kind (see
 * {@link io.asynqueue.TaskQueue}): a Vert.x {@code Future} or a {@code CompletionStage} replies when it completes,
 * without holding a thread; for {@code iterate} calls an {@code Iterator}, {@code Iterable} or {@code Stream}
 * becomes a remote iterator, whose elements the server sends in batches as the client grants credit, so a slow
 * consumer stops the iterator. A reply of any size streams back in
 * fragments, between the other replies. A timed-out call is interrupted.
 *
 * <p>Command line: {@code java -jar asynqueue-remote.jar serve --port 1978 --secret-file FILE --service CLASS}.
 */
public interface WorkerServer {

  /**
   * A server, not yet listening.
   *
   * @param vertx the Vert.x instance
   * @param service the object whose public instance methods (those its class declares) clients call by name, or
   *     {@code null} for task classes only
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

  /** @return the port it listens on, or 0 before {@link #listen()} completed */
  int actualPort();

  /**
   * Closes the server. If it {@linkplain io.asynqueue.remote.cluster.ClusterQueue#join joined} cluster pools,
   * it leaves them first, then
   * waits (up to 10 seconds) for the calls in flight to finish and reply: the queues of the pool stop sending it
   * calls as soon as they hear it left, so a graceful stop loses nothing. Then it stops listening and closes every
   * connection (their clients see the calls still in flight lost, and reconnect elsewhere or later), and lets the
   * calls still running finish on their threads.
   *
   * <p>A server closes so by itself with the verticle that made it, when that is undeployed, or else with its Vert.x
   * instance ({@code vertx.close()}): its port is free once that completes. Closing it again, before or after,
   * returns the same outcome.
   *
   * @return a Future completed when closed
   */
  Future<Void> close();
}
