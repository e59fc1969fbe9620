package io.asynqueue.mandelbrot.cli;

import io.asynqueue.mandelbrot.QueueRowSource;
import io.asynqueue.mandelbrot.web.MandelbrotServer;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mcm serve [--host h] [--port p] [-w N | --processes N]}: the zoomable web page, until killed.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Serves the zoomable Mandelbrot page: click to zoom 5x, 'Zoom out', a permalink and an HD link.",
      "Every image is rendered on one shared queue, one row per task, and streamed as its rows finish; "
          + "concurrent images share the workers fairly, and a closed page stops its render.",
      "GET /image.png?N=&cr=&ci=&crpm=[&cipm=][&values=] is the PNG (N: width, 240 to 10000; "
          + "values: iterations, default 3000); GET /stats is the queue's load as JSON."
    },
    footer = {
      "",
      "Examples:",
      "  mcm serve                      # http://127.0.0.1:8080/",
      "  mcm serve --port 9000 --processes 4",
      "",
      "Stops on Ctrl-C (SIGINT) or SIGTERM. Exit codes: 1 cannot listen, 2 bad arguments."
    })
final class ServeCommand implements Callable<Integer> {

  private final Terminal terminal;

  @Spec
  CommandSpec spec;

  @Option(names = "--host", paramLabel = "address", defaultValue = MandelbrotServer.DEFAULT_HOST,
      description = "The interface to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every one).")
  String host;

  @Option(names = {"-p", "--port"}, paramLabel = "port", defaultValue = "" + MandelbrotServer.DEFAULT_PORT,
      description = "The port (default: ${DEFAULT-VALUE}; 0 for any free one).")
  int port;

  @Option(names = {"-w", "--workers"}, paramLabel = "N",
      description = "Thread workers computing rows (default: one per core, ${DEFAULT-VALUE} here).")
  int workers = Runtime.getRuntime().availableProcessors();

  @Option(names = "--processes", paramLabel = "N",
      description = "Compute the rows in N child JVMs (a ProcessQueue) instead of thread workers.")
  Integer processes;

  ServeCommand(Terminal terminal) {
    this.terminal = terminal;
  }

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw usage("--port must be 0 to 65535, not " + port);
    }
    if (workers < 1 || workers > 1024) {
      throw usage("--workers must be 1 to 1024, not " + workers);
    }
    if (processes != null && (processes < 1 || processes > RenderCommand.MAX_PROCESSES)) {
      throw usage("--processes must be 1 to " + RenderCommand.MAX_PROCESSES + ", not " + processes);
    }
    Vertx vertx = Vertx.vertx();
    QueueRowSource source = processes != null
        ? QueueRowSource.processes(vertx, processes)
        : QueueRowSource.threads(vertx, workers);
    String kind = processes != null ? "processes" : "threads";
    MandelbrotServer server;
    try {
      server = MandelbrotServer.start(vertx, source, kind, host, port)
          .toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      stop(vertx, source);
      terminal.err().println("mcm serve: cannot listen on " + host + ":" + port + ": "
          + Mcm.describe(e.getCause()));
      return Mcm.EXIT_FAILURE;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop(vertx, source);
      stopped.countDown();
    }, "mcm-serve-shutdown"));
    terminal.out().println("mcm serve: http://" + host + ":" + server.port() + "/ (" + source.workers()
        + " " + (processes != null ? "process" : "thread") + " workers)");
    terminal.out().flush();
    stopped.await();
    return 0;
  }

  /** Stops the workers (and any child JVMs), then Vert.x; bounded, so a stuck child cannot hold the exit. */
  private static void stop(Vertx vertx, QueueRowSource source) {
    try {
      source.close().eventually(vertx::close)
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // exiting anyway
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
