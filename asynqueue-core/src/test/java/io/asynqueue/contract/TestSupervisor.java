package io.asynqueue.contract;

import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;

/** A {@link WorkerSupervisor} for driving a worker without a queue; it records a resignation. */
public final class TestSupervisor implements WorkerSupervisor {

  private final Vertx vertx;
  private final int id;
  /** Completed with the cause when the worker resigns. */
  public final CompletableFuture<Throwable> resigned = new CompletableFuture<>();

  /**
   * @param vertx the Vert.x instance the worker gets
   * @param id the worker's ID
   */
  public TestSupervisor(Vertx vertx, int id) {
    this.vertx = vertx;
    this.id = id;
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public int workerId() {
    return id;
  }

  @Override
  public void resign(Throwable cause) {
    resigned.complete(cause);
  }
}
