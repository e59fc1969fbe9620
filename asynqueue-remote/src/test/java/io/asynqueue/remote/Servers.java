package io.asynqueue.remote;

import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Helpers for the tests: a secret, in-JVM servers, options, awaiting Futures. */
public final class Servers {

  public static final String SECRET = "correct horse battery staple 1978";

  private Servers() {
  }

  public static WorkerServerOptions serverOptions() {
    return new WorkerServerOptions().setPort(0).setSecret(SECRET).setConcurrency(2)
        .addTaskClass(AddTask.class).addDataClass(Tasks.Point.class).addDataClass(NotAllowedTask.class);
  }

  public static WorkerServer start(Vertx vertx, WorkerServerOptions options) throws Exception {
    WorkerServer server = WorkerServer.create(vertx, new Tasks(), options);
    await(server.listen());
    return server;
  }

  public static RemoteWorkerOptions workerOptions(int port) {
    return new RemoteWorkerOptions().setPort(port).setSecret(SECRET)
        .setReconnectDelay(Duration.ofMillis(50)).setMaxReconnectDelay(Duration.ofMillis(200));
  }

  /** A secret file readable by its owner only, as the command line wants it. */
  public static java.nio.file.Path secretFile(java.nio.file.Path dir) throws java.io.IOException {
    java.nio.file.Path f = dir.resolve("secret");
    java.nio.file.Files.writeString(f, SECRET + "\n");
    java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  /** The serve arguments of a test server in a child JVM. */
  public static String[] serveArgs(java.nio.file.Path secretFile, String... more) {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--secret-file", secretFile.toString(),
        "--service", Tasks.class.getName(), "--concurrency", "2", "--allow-task", AddTask.class.getName(),
        "--data-class", Tasks.Point.class.getName()));
    args.addAll(java.util.List.of(more));
    return args.toArray(new String[0]);
  }

  public static <T> T await(Future<T> f) throws Exception {
    return await(f, 60);
  }

  /** As {@link #await(Future)}, waiting at most {@code seconds}: for child servers, which start slowly under load. */
  public static <T> T await(Future<T> f, int seconds) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    }
  }

  public static Throwable failure(Future<?> f) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure, got " + f.result());
  }
}
