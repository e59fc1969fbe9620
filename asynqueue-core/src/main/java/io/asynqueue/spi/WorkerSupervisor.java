package io.asynqueue.spi;

import io.vertx.core.Vertx;

/** The queue's handle for one attached {@link Worker}, given to {@link Worker#start(WorkerSupervisor)}. */
public interface WorkerSupervisor {

  /** @return the Vert.x instance of the queue */
  Vertx vertx();

  /** @return the worker's ID in the queue */
  int workerId();

  /**
   * Tells the queue this worker is lost for good: the queue detaches it; the jobs it held fail with
   * {@link io.asynqueue.WorkerLostException} (or are retried when their call allowed it). Idempotent.
   *
   * @param cause why
   */
  void resign(Throwable cause);
}
