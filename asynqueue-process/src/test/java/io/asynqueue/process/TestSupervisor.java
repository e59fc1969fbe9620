package io.asynqueue.process;

import io.asynqueue.spi.WorkerSupervisor;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;

/** A WorkerSupervisor for driving a worker without a queue. */
final class TestSupervisor implements WorkerSupervisor {

  private final Vertx vertx;
  private final int id;
  final CompletableFuture<Throwable> resigned = new CompletableFuture<>();

  TestSupervisor(Vertx vertx, int id) {
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
