package io.asynqueue.mandelbrot.cli;

import io.asynqueue.TaskQueueOptions;
import io.asynqueue.mandelbrot.QueueRowSource;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.asynqueue.remote.cli.ClusterArgs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Who computes the rows, for {@code mcm render} and {@code mcm serve}: thread workers ({@code -w}), child JVMs
 * ({@code --processes}), {@code mcm worker} servers ({@code --remote}) or a cluster pool ({@code --cluster} and its
 * options, {@code --worker-wait}), with the workers' secret ({@code --secret-file}). At most one kind is given;
 * {@link #check()} says so, then {@link #vertx()} and {@link #source} make the queue.
 */
final class WorkerArgs {

  /** The most thread workers. */
  static final int MAX_WORKERS = 1024;
  /** The most child JVMs: each is a whole JVM. */
  static final int MAX_PROCESSES = 64;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(names = {"-w", "--workers"}, paramLabel = "N",
      description = "Thread workers computing rows (default: one per core, ${DEFAULT-VALUE} here).")
  int workers = Runtime.getRuntime().availableProcessors();

  @Option(names = "--processes", paramLabel = "N",
      description = "Compute the rows in N child JVMs (a ProcessQueue) instead of thread workers.")
  Integer processes;

  @Option(names = "--remote", paramLabel = "host:port", split = ",",
      description = "Compute the rows on 'mcm worker' servers at these addresses instead of local threads.")
  List<String> remote;

  @Mixin
  ClusterArgs cluster = new ClusterArgs();

  @Option(names = "--worker-wait", paramLabel = "seconds", defaultValue = "30",
      description = "With --cluster: how long to wait for a first worker in the pool (default: ${DEFAULT-VALUE}).")
  long workerWaitSeconds;

  @Option(names = "--secret-file", paramLabel = "file",
      description = "The workers' shared secret, for --remote and --cluster (default: ~/.asynqueue/secret).")
  Path secretFile;

  /** The --remote servers with the secret, once checked; null without --remote. */
  private List<RemoteWorkerOptions> servers;
  /** The cluster workers' secret, once checked; null without --cluster. */
  private String clusterSecret;

  /**
   * Checks the options, and reads the secret and the {@code --remote} addresses where they are given.
   *
   * @throws ParameterException for a bad count, two kinds of workers at once, a bad address or secret file
   */
  void check() {
    if (workers < 1 || workers > MAX_WORKERS) {
      throw usage("--workers must be 1 to " + MAX_WORKERS + ", not " + workers);
    }
    if (processes != null && (processes < 1 || processes > MAX_PROCESSES)) {
      throw usage("--processes must be 1 to " + MAX_PROCESSES + ", not " + processes);
    }
    if (remote != null && cluster.enabled()) {
      throw usage("give --remote or --cluster, not both");
    }
    String other = remote != null ? "--remote" : cluster.enabled() ? "--cluster" : null;
    if (other == null) {
      return;
    }
    if (command.commandLine().getParseResult().hasMatchedOption("--workers")) {
      throw usage("give --workers or " + other + ", not both");
    }
    if (processes != null) {
      throw usage("give --processes or " + other + ", not both");
    }
    if (cluster.enabled() && workerWaitSeconds < 1) {
      throw usage("--worker-wait must be at least 1, not " + workerWaitSeconds);
    }
    try {
      if (cluster.enabled()) {
        cluster.options(true);
        clusterSecret = Secrets.read(secretFile);
      } else {
        servers = servers(remote, Secrets.read(secretFile));
      }
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  /**
   * A Vert.x for the queue: with {@code --cluster}, a lite member of the cluster (it comes and goes, holding none of
   * the cluster's data).
   *
   * @return the Vert.x instance
   * @throws InterruptedException if interrupted while joining the cluster
   */
  Vertx vertx() throws InterruptedException {
    return cluster.enabled() ? ClusterNode.start(cluster, true) : Vertx.vertx();
  }

  /**
   * The queue of these workers, once {@link #check()} has passed.
   *
   * @param vertx from {@link #vertx()}
   * @param queueOptions the queue's options
   * @return a Future of the source; with {@code --remote} or {@code --cluster}, once a first worker is there
   */
  Future<QueueRowSource> source(Vertx vertx, TaskQueueOptions queueOptions) {
    if (cluster.enabled()) {
      return QueueRowSource.cluster(vertx, cluster.pool(),
          new RemoteWorkerOptions().setSecret(clusterSecret).setReconnectAttempts(3),
          Duration.ofSeconds(workerWaitSeconds), queueOptions);
    }
    if (servers != null) {
      return QueueRowSource.remote(vertx, servers, queueOptions);
    }
    return Future.succeededFuture(processes != null ? QueueRowSource.processes(vertx, processes, queueOptions)
        : QueueRowSource.threads(vertx, workers, queueOptions));
  }

  /** @return what the workers are: {@code cluster}, {@code remote}, {@code processes} or {@code threads} */
  String kind() {
    return cluster.enabled() ? "cluster" : remote != null ? "remote" : processes != null ? "processes" : "threads";
  }

  /**
   * The servers of {@code --remote host:port,...} ({@code [::1]:1978} for IPv6), with the secret.
   *
   * @throws IllegalArgumentException naming the address that is not host:port
   */
  static List<RemoteWorkerOptions> servers(List<String> remote, String secret) {
    List<RemoteWorkerOptions> list = new ArrayList<>();
    for (String address : remote) {
      String a = address.strip();
      int colon = a.lastIndexOf(':');
      String host = colon > 0 ? a.substring(0, colon) : "127.0.0.1";
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1); // [::1]:1978
      }
      int port;
      try {
        port = Integer.parseInt(a.substring(colon + 1));
        list.add(new RemoteWorkerOptions().setHost(host).setPort(port).setSecret(secret)
            .setReconnectAttempts(3));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--remote takes host:port, not '" + address + "'");
      }
    }
    return list;
  }

  private ParameterException usage(String message) {
    return new ParameterException(command.commandLine(), message);
  }
}
