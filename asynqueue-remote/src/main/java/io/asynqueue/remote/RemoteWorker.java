package io.asynqueue.remote;

import io.asynqueue.RefusedCallException;
import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.spi.Worker;
import io.vertx.core.Vertx;

/**
 * A {@link Worker} that sends its calls to a {@link WorkerServer} over TCP (a Vert.x {@code NetClient}).
 *
 * <pre>{@code
 * q.attachWorker(RemoteWorker.create(vertx, new RemoteWorkerOptions()
 *     .setHost("10.0.0.7").setPort(1978).setSecret(secret)));
 * q.call(Remote.named("add"), 1, 2).onSuccess(sum -> ...);
 * }</pre>
 *
 * <p><b>Tasks.</b> {@link Remote#named(String)} calls a method of the server's service by name; nothing of the
 * caller's code travels. A task object (or a serializable lambda) runs if its class is on the server's allow-list;
 * its arguments and result must be built-in types or classes the server registers. The server sends its list of
 * classes when the worker connects, so the two ends always agree on it; a call with a class not on it fails at once
 * with a {@link io.asynqueue.CodecException} naming the class, and never leaves this JVM.
 *
 * <p><b>Calls.</b> Many calls are in flight on the one connection, matched to their replies by ID; the worker's
 * {@linkplain #capacity() capacity} is what the server advertises (or less, see
 * {@link RemoteWorkerOptions#setMaxInFlight(int)}), so the queue keeps the server busy. A call that throws on the
 * server fails with a {@link io.asynqueue.TaskException} carrying the remote class, message and stack trace; a call
 * the server refuses fails with {@link RefusedCallException}; a call that times out is cancelled on the server.
 * Results of any size stream back in fragments. A call that returns an iterator gives a
 * {@link io.asynqueue.stream.Deferator} whose elements the server sends ahead as credit allows (see
 * {@link RemoteWorkerOptions#setPrefetch(int)}): not a round trip per element, and a full consumer stops the server.
 *
 * <p><b>Failure.</b> See {@link RemoteWorkerOptions}: a lost connection fails the calls in flight with
 * {@link io.asynqueue.WorkerLostException} (retried by the queue when the call allows), pauses the worker so that the
 * queue's other workers take its work, and reconnects with backoff; after N failed attempts in a row the worker
 * resigns. Futures complete on their callers' contexts.
 */
public interface RemoteWorker extends Worker {

  /**
   * A worker for the server in the options. It connects when attached to a queue; its attach completes once
   * connected (failing after the configured number of attempts).
   *
   * @param vertx the Vert.x instance
   * @param options where the server is and how to authenticate
   * @return the worker
   */
  static RemoteWorker create(Vertx vertx, RemoteWorkerOptions options) {
    return new RemoteWorkerImpl(vertx, options);
  }

  /**
   * How many jobs it takes from the queue at once: what the server advertised when the worker first connected
   * (the calls it lets one connection have in flight, a few per server thread), or the configured
   * {@link RemoteWorkerOptions#setMaxInFlight(int) maxInFlight} if lower. Known once connected; 1 before.
   *
   * @return the capacity
   */
  @Override
  int capacity();

  /** @return how many calls the server runs at once, as it advertised; 0 before the first connection */
  int serverConcurrency();

  /** @return whether it is connected now */
  boolean isConnected();

  /** @return the server's address, {@code host:port} */
  String address();
}
