package io.asynqueue.mandelbrot.cli;

import io.asynqueue.mandelbrot.RowService;
import io.asynqueue.remote.WorkerServer;
import io.asynqueue.remote.WorkerServerOptions;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mcm worker [--host H] [--port P] [--secret-file F]}: serves rows to {@code mcm render --remote}. */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Serves Mandelbrot rows to 'mcm render --remote' on other hosts, until stopped (Ctrl-C).",
      "Clients must prove they hold the shared secret; the server listens on 127.0.0.1 unless told otherwise."
    },
    footer = {
      "",
      "Examples:",
      "  mcm secret > ~/.asynqueue/secret && chmod 600 ~/.asynqueue/secret     (then copy it to every host)",
      "  mcm worker --host 0.0.0.0 --port 1978",
      "  mcm render --remote 10.0.0.7:1978,10.0.0.8:1978 -o m.png"
    })
final class WorkerCommand implements Callable<Integer> {

  /** Released to stop the worker that runs in this JVM (by its shutdown hook, or by a test). */
  static volatile CountDownLatch running = new CountDownLatch(1);

  private final Terminal terminal;

  @Spec
  CommandSpec spec;

  @Option(names = "--host", paramLabel = "address",
      description = "Interface to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every one).")
  String host = WorkerServerOptions.DEFAULT_HOST;

  @Option(names = "--port", paramLabel = "N", description = "Port (default: ${DEFAULT-VALUE}; 0 for any free one).")
  int port = WorkerServerOptions.DEFAULT_PORT;

  @Option(names = "--secret-file", paramLabel = "file",
      description = "The shared secret (default: ~/.asynqueue/secret).")
  Path secretFile;

  @Option(names = "--concurrency", paramLabel = "N",
      description = "Rows computed at once (default: one per core, ${DEFAULT-VALUE} here).")
  int concurrency = Runtime.getRuntime().availableProcessors();

  WorkerCommand(Terminal terminal) {
    this.terminal = terminal;
  }

  @Override
  public Integer call() throws Exception {
    String secret;
    try {
      secret = Secrets.read(secretFile);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (concurrency < 1) {
      throw new ParameterException(spec.commandLine(), "--concurrency must be at least 1, not " + concurrency);
    }
    CountDownLatch stop = new CountDownLatch(1);
    running = stop;
    Vertx vertx = Vertx.vertx();
    WorkerServer server = RowService.server(vertx, new WorkerServerOptions().setHost(host).setPort(port)
        .setSecret(secret).setConcurrency(concurrency));
    int actual;
    try {
      actual = server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
    Thread hook = new Thread(stop::countDown, "mcm-worker-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    terminal.out().println("mcm worker listening on " + host + ":" + actual + " (" + concurrency + " threads)");
    terminal.out().flush();
    stop.await();
    server.close().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // stopped by the hook itself
    }
    return 0;
  }
}
