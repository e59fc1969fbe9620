package io.asynqueue.remote;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Helpers for the tests: a secret, in-JVM servers, options, awaiting Futures. */
final class Servers {

  static final String SECRET = "correct horse battery staple 1978";

  private Servers() {
  }

  static WorkerServerOptions serverOptions() {
    return new WorkerServerOptions().setPort(0).setSecret(SECRET).setConcurrency(2)
        .addTaskClass(AddTask.class).addDataClass(Tasks.Point.class).addDataClass(NotAllowedTask.class);
  }

  static WorkerServer start(Vertx vertx, WorkerServerOptions options) throws Exception {
    WorkerServer server = WorkerServer.create(vertx, new Tasks(), options);
    await(server.listen());
    return server;
  }

  static RemoteWorkerOptions workerOptions(int port) {
    return new RemoteWorkerOptions().setPort(port).setSecret(SECRET)
        .setReconnectDelay(Duration.ofMillis(50)).setMaxReconnectDelay(Duration.ofMillis(200));
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    }
  }

  static Throwable failure(Future<?> f) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure, got " + f.result());
  }
}
