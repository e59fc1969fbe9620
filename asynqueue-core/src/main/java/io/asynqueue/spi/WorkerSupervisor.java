package io.asynqueue.spi;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** The queue's handle for one attached {@link Worker}, given to {@link Worker#start(WorkerSupervisor)}. */
public interface WorkerSupervisor {

  /** @return the Vert.x instance of the queue */
  Vertx vertx();

  /** @return the worker's ID in the queue */
  int workerId();

  /**
   * The name of the queue, for what the worker names: its threads ({@code asynqueue-<queue>-...}, so that a thread
   * dump tells queues apart) and its log lines.
   *
   * @return the queue's {@linkplain io.asynqueue.TaskQueue#name() name}; {@code "queue"} by default, for a
   *     supervisor that is no queue's
   */
  default String queueName() {
    return "queue";
  }

  /**
   * Tells the queue this worker is lost for good: the queue detaches it; the jobs it held fail with
   * {@link io.asynqueue.WorkerLostException} (or are retried when their call allowed it). Idempotent.
   *
   * @param cause why
   */
  void resign(Throwable cause);

  /**
   * Tells the queue this worker cannot take jobs for a while (its connection dropped and it is reconnecting,
   * or its child process died and a new one is starting):
   * the queue hands it no new jobs until {@link #resume()}, and its queued jobs wait for other workers or for
   * its return. Jobs it already holds stay its own to settle. Idempotent; ignored once the worker is detached.
   */
  default void pause() {
  }

  /** Lets a {@linkplain #pause() paused} worker take jobs again, up to its free capacity. Idempotent. */
  default void resume() {
  }

  /**
   * Tells the queue this worker started over after it was lost for a while (a new child process, a new
   * connection), and so lost what the queue's updates did there: the queue runs its saved (non-ephemeral)
   * updates on it again, one after another, then {@linkplain #resume() resumes} it. Jobs the worker already
   * holds should wait for the returned Future, so that they run after the updates.
   *
   * @return a Future completed once the updates have run (one that fails is logged, and the rest still run)
   */
  default Future<Void> restarted() {
    resume();
    return Future.succeededFuture();
  }

  /**
   * Tells the queue the worker's server refused its handshake (a wrong secret, another protocol version), for
   * its metrics. The worker goes on as it would: it tries again, or resigns.
   */
  default void handshakeRefused() {
  }
}
