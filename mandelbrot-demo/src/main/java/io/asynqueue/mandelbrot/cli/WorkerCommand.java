package io.asynqueue.mandelbrot.cli;

import io.asynqueue.remote.cli.VersionProvider;
import io.asynqueue.remote.cluster.ClusterQueue;
import io.asynqueue.mandelbrot.RowService;
import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerOptions;
import io.asynqueue.remote.cli.ClusterArgs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
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
 * {@code mcm worker [--host H] [--port P] [--secret-file F] [--cluster host:port,...]}: serves rows to
 * {@code mcm render --remote}, or, with {@code --cluster}, to {@code mcm render --cluster} through a pool of the
 * cluster.
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Serves Mandelbrot rows to 'mcm render --remote' on other hosts, until stopped (Ctrl-C).",
      "Clients must prove they hold the shared secret; the server listens on 127.0.0.1 unless told otherwise.",
      "With --cluster it joins the cluster (a Hazelcast member holding its data) and",
      "offers itself in a pool, where 'mcm render --cluster' finds it: no address to",
      "hand out, and any free port unless --port is given."
    },
    footer = {
      "",
      "Examples:",
      "  mkdir -p ~/.asynqueue && mcm secret > ~/.asynqueue/secret && chmod 600 ~/.asynqueue/secret"
          + "     (then copy it to every host)",
      "  mcm worker --host 0.0.0.0 --port 1978",
      "  mcm render --remote 10.0.0.7:1978,10.0.0.8:1978 -o m.png",
      "  mcm worker --cluster 127.0.0.1:5701,127.0.0.1:5702    (on each node; the first",
      "                                                         starts the cluster)",
      "  mcm render --cluster 127.0.0.1:5701,127.0.0.1:5702 -o m.png",
      "On several hosts, give each node its own address: --host A --cluster-host A.",
      "",
      "Stops on Ctrl-C (SIGINT) or SIGTERM, leaving its pool first.",
      "Exit codes: 1 cannot serve or join the cluster, 2 bad arguments."
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

  @Option(names = "--port", paramLabel = "N", description = "Port (default: " + WorkerServerOptions.DEFAULT_PORT
      + ", or any free one with --cluster; 0 for any free one).")
  Integer port;

  @Option(names = "--secret-file", paramLabel = "file",
      description = "The shared secret (default: ~/.asynqueue/secret).")
  Path secretFile;

  @Option(names = "--concurrency", paramLabel = "N",
      description = "Rows computed at once (default: one per core, ${DEFAULT-VALUE} here).")
  int concurrency = Runtime.getRuntime().availableProcessors();

  @Option(names = "--max-connections", paramLabel = "N",
      description = "Connections held at once, authenticated or not (default: ${DEFAULT-VALUE}).")
  int maxConnections = WorkerServerOptions.DEFAULT_MAX_CONNECTIONS;

  @Option(names = "--max-startups", paramLabel = "start:rate:full", description = "Connections still in their "
      + "handshake: from start on, refuse new ones with rate %% chance, rising to all at full, as sshd's MaxStartups "
      + "(default: ${DEFAULT-VALUE}).")
  String maxStartups = WorkerServerOptions.DEFAULT_MAX_STARTUPS;

  @Mixin
  ClusterArgs cluster = new ClusterArgs();

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
    int listenPort = port != null ? port : cluster.enabled() ? 0 : WorkerServerOptions.DEFAULT_PORT;
    if (listenPort < 0 || listenPort > 65535) {
      throw new ParameterException(spec.commandLine(), "--port must be 0 to 65535, not " + listenPort);
    }
    WorkerServerOptions serverOptions;
    try {
      serverOptions = new WorkerServerOptions().setHost(host).setPort(listenPort).setSecret(secret)
          .setConcurrency(concurrency).setMaxConnections(maxConnections).setMaxStartups(maxStartups);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Vertx vertx;
    try {
      vertx = cluster.enabled() ? ClusterNode.start(cluster, false) : Vertx.vertx();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    CountDownLatch stop = new CountDownLatch(1);
    running = stop;
    WorkerServer server = RowService.server(vertx, serverOptions);
    int actual;
    try {
      Future<Integer> serving = cluster.enabled() ? ClusterQueue.join(server, cluster.pool()) : server.listen();
      actual = serving.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      server.close().eventually(vertx::close);
      throw e instanceof ExecutionException && e.getCause() instanceof Exception cause ? cause : e;
    }
    // On SIGTERM or Ctrl-C the hook wakes this thread and waits (bounded) for it to leave the pool and close.
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        closed.await(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "mcm-worker-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    String where = "mcm worker listening on " + host + ":" + actual + " (" + concurrency + " threads)";
    if (cluster.enabled()) {
      where += ", in pool '" + cluster.pool() + "' of cluster '" + cluster.options(false).getClusterName()
          + "' as member " + ClusterNode.memberAddress(vertx);
    }
    terminal.out().println(where);
    terminal.out().flush();
    try {
      stop.await();
      // One after the other, from this thread: a continuation chained on the server's close would be scheduled
      // on an event loop that closing Vert.x shuts down, and never run.
      try {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      closed.countDown();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // stopped by the hook itself
    }
    return 0;
  }
}
