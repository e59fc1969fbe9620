package io.asynqueue.mandelbrot.cli;

import io.asynqueue.remote.cli.VersionProvider;
import io.asynqueue.TaskQueueOptions;
import io.asynqueue.mandelbrot.QueueRowSource;
import io.asynqueue.mandelbrot.web.MandelbrotServer;
import io.asynqueue.mandelbrot.web.ServerLimits;
import io.asynqueue.mandelbrot.web.TileHandler;
import io.asynqueue.remote.cli.ClusterArgs;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mcm serve [--host h] [--port p] [-w N | --processes N | --remote host:port,... | --cluster host:port,...]}:
 * the zoomable web page, until killed.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Serves the zoomable Mandelbrot page: click to zoom 5x, the wheel to zoom about the pointer, drag to pan, "
          + "shift-drag to zoom to a box, keys + - arrows 0; Back and Forward go through the views; an iterations "
          + "field, a permalink and an HD link.",
      "Every image is rendered on one shared queue, one row per task, and streamed as its rows finish; "
          + "concurrent images share the workers fairly, and a closed page stops its render.",
      "With --remote, the rows are computed by 'mcm worker' servers at those addresses (as 'mcm render --remote').",
      "With --cluster, the rows are computed by the workers of a cluster pool ('mcm worker --cluster'), found "
          + "through the cluster as they come and go.",
      "GET /image.png?N=&cr=&ci=&crpm=[&cipm=][&values=] is the PNG (N: width, 240 to 10000; "
          + "values: iterations, default 3000); GET /tile/{z}/{x}/{y}.png?N=&p=&c= a 256x256 tile by priority "
          + "(p: 0 first to 20, c: the client), cached; GET /events the queue's load every 250 ms (server-sent "
          + "events); GET /stats is the queue's load as JSON; GET /metrics its meters "
          + "for Prometheus.",
      "Limits: a render above --max-work gets a 400; beyond --max-renders-per-client renders at once from one "
          + "address a 429, beyond --max-renders overall a 503 (both with Retry-After); connections beyond "
          + "--max-connections are closed, and so is one with no request under way for --idle-timeout."
    },
    footer = {
      "",
      "Examples:",
      "  mcm serve                      # http://127.0.0.1:8080/",
      "  mcm serve --port 9000 --processes 4",
      "  mcm serve --remote 10.0.0.7:1978,10.0.0.8:1978   (hosts running 'mcm worker')",
      "  mcm serve --cluster 127.0.0.1:5701,127.0.0.1:5702   (see 'mcm worker --help')",
      "",
      "Stops on Ctrl-C (SIGINT) or SIGTERM. Exit codes: 1 cannot listen (or, with --cluster, cannot join the "
          + "cluster or no worker came), 2 bad arguments."
    })
final class ServeCommand implements Callable<Integer> {

  /** Released to stop the server that runs in this JVM (by its shutdown hook, or by a test). */
  static volatile CountDownLatch running = new CountDownLatch(1);

  private final Terminal terminal;

  @Spec
  CommandSpec spec;

  @Option(names = "--host", paramLabel = "address", defaultValue = MandelbrotServer.DEFAULT_HOST,
      description = "The interface to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every one).")
  String host;

  @Option(names = {"-p", "--port"}, paramLabel = "port", defaultValue = "" + MandelbrotServer.DEFAULT_PORT,
      description = "The port (default: ${DEFAULT-VALUE}; 0 for any free one).")
  int port;

  @Mixin
  WorkerArgs workerArgs = new WorkerArgs();

  private static final ServerLimits DEFAULTS = ServerLimits.defaults();

  @Option(names = "--max-renders", paramLabel = "N",
      description = "Renders at once, overall; more get a 503 (default: 2 per core, ${DEFAULT-VALUE} here).")
  int maxRenders = DEFAULTS.maxRenders();

  @Option(names = "--max-renders-per-client", paramLabel = "N",
      description = "Renders at once from one client address; more get a 429 (default: one per core, at least 2, "
          + "${DEFAULT-VALUE} here).")
  int maxRendersPerClient = DEFAULTS.maxRendersPerClient();

  @Option(names = "--max-work", paramLabel = "pixel-iterations",
      description = "The largest render: N x height x values; larger get a 400 (default: ${DEFAULT-VALUE}).")
  long maxWork = DEFAULTS.maxWork();

  @Option(names = "--max-connections", paramLabel = "N",
      description = "Open connections at most; more are closed (default: 64 per core, ${DEFAULT-VALUE} here).")
  int maxConnections = DEFAULTS.maxConnections();

  @Option(names = "--idle-timeout", paramLabel = "seconds",
      description = "Close a connection with no request under way (a request head not all there included) after "
          + "this long (default: ${DEFAULT-VALUE}).")
  long idleTimeoutSeconds = DEFAULTS.idleTimeout().toSeconds();

  @Option(names = "--max-tiles-per-client", paramLabel = "N",
      description = "Tiles (GET /tile/{z}/{x}/{y}.png) rendering at once for one client address; more get a 429 "
          + "(default: ${DEFAULT-VALUE}).")
  int maxTilesPerClient = DEFAULTS.maxTilesPerClient();

  @Option(names = "--tile-cache-mb", paramLabel = "MiB",
      description = "The most MiB of finished tiles (GET /tile/{z}/{x}/{y}.png) kept for re-visits, least recently "
          + "used out first (default: ${DEFAULT-VALUE}; 0 keeps none).")
  long tileCacheMb = TileHandler.DEFAULT_CACHE_BYTES >> 20;

  @Option(names = "--h2c", description = "Accept HTTP/2 over cleartext too (default: HTTP/1.1 only).")
  boolean h2c;

  ServeCommand(Terminal terminal) {
    this.terminal = terminal;
  }

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw usage("--port must be 0 to 65535, not " + port);
    }
    ServerLimits limits;
    try {
      limits = new ServerLimits(maxRenders, maxRendersPerClient, maxWork, maxConnections,
          Duration.ofSeconds(idleTimeoutSeconds), h2c, maxTilesPerClient);
    } catch (IllegalArgumentException e) {
      throw usage("--max-renders, --max-renders-per-client, --max-work, --max-connections, --idle-timeout and "
          + "--max-tiles-per-client must be at least 1");
    }
    if (tileCacheMb < 0 || tileCacheMb > 1L << 20) {
      throw usage("--tile-cache-mb must be 0 to " + (1L << 20) + ", not " + tileCacheMb);
    }
    workerArgs.check();
    Vertx vertx = workerArgs.vertx();
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TaskQueueOptions queueOptions = new TaskQueueOptions().setMeterRegistry(metrics);
    QueueRowSource source;
    try {
      source = workerArgs.source(vertx, queueOptions).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      await(vertx.close());
      terminal.err().println("mcm serve: " + Mcm.describe(e.getCause()));
      return Mcm.EXIT_FAILURE;
    }
    String kind = workerArgs.kind();
    MandelbrotServer server;
    try {
      server = MandelbrotServer.start(vertx, source, kind, host, port, limits, metrics, tileCacheMb << 20)
          .toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      stop(vertx, source);
      terminal.err().println("mcm serve: cannot listen on " + host + ":" + port + ": "
          + Mcm.describe(e.getCause()));
      return Mcm.EXIT_FAILURE;
    }
    CountDownLatch stop = running;
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        stopped.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "mcm-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    ClusterArgs cluster = workerArgs.cluster;
    terminal.out().println("mcm serve: http://" + host + ":" + server.port() + "/ (" + (cluster.enabled()
        ? "the workers of pool '" + cluster.pool() + "' of cluster '" + cluster.options(true).getClusterName()
            + "', " + source.workers() + " so far"
        : source.workers() + " " + switch (kind) {
          case "processes" -> "process";
          case "threads" -> "thread";
          default -> kind;
        } + " workers") + ")");
    terminal.out().flush();
    try {
      stop.await();
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      stop(vertx, source);
      stopped.countDown();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // stopped by the hook itself
    }
    return 0;
  }

  /**
   * Stops the workers (and any child JVMs), then Vert.x; bounded, so a stuck child cannot hold the exit. Each is
   * awaited from this thread: a continuation chained on the first would be scheduled on an event loop that closing
   * Vert.x shuts down.
   */
  private static void stop(Vertx vertx, QueueRowSource source) {
    await(source.close());
    await(vertx.close());
  }

  /** Waits (at most 10 s) for a step of the shutdown; its failure does not stop the next step. */
  private static void await(Future<?> step) {
    try {
      step.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // exiting anyway
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
