package io.asynqueue.remote.cli;

import io.asynqueue.remote.cluster.AsynQueueCluster;
import io.asynqueue.remote.cluster.ClusterOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The command-line options of a cluster node, for picocli commands to mix in ({@code @Mixin ClusterArgs cluster}):
 * {@code --cluster}, {@code --cluster-host}, {@code --cluster-port}, {@code --cluster-name}, {@code --pool} and
 * {@code --join-wait}.
 */
public final class ClusterArgs {

  /** The pool a node offers its workers to when none is named. */
  public static final String DEFAULT_POOL = "default";

  @Option(names = "--cluster", paramLabel = "host:port", split = ",",
      description = "Join the AsynQueue cluster through these members (host:port of Hazelcast, comma-separated).")
  List<String> members;

  @Option(names = "--cluster-host", paramLabel = "address",
      description = "Interface the cluster binds to, never all of them (default: ${DEFAULT-VALUE}).")
  String host = ClusterOptions.DEFAULT_HOST;

  @Option(names = "--cluster-port", paramLabel = "port", converter = PortConverter.class,
      description = "First cluster port tried; the next free one is taken (default: ${DEFAULT-VALUE}).")
  int port = ClusterOptions.DEFAULT_PORT;

  @Option(names = "--cluster-name", paramLabel = "name",
      description = "Name of the cluster to join (default: ${DEFAULT-VALUE}).")
  String name = ClusterOptions.DEFAULT_CLUSTER_NAME;

  @Option(names = "--pool", paramLabel = "name", description = "Pool of workers in the cluster (default: ${DEFAULT-VALUE}).")
  String pool = DEFAULT_POOL;

  @Option(names = "--join-wait", paramLabel = "seconds",
      description = "Seconds to look for the cluster before starting one (default: ${DEFAULT-VALUE}).")
  long joinWaitSeconds = ClusterOptions.DEFAULT_JOIN_WAIT.toSeconds();

  /** @return whether {@code --cluster} was given */
  public boolean enabled() {
    return members != null && !members.isEmpty();
  }

  /** @return the pool's name */
  public String pool() {
    return pool;
  }

  /**
   * @param liteMember whether this node holds none of the cluster's data (a client that comes and goes)
   * @return the cluster options these arguments give
   * @throws IllegalArgumentException for a bad value
   */
  public ClusterOptions options(boolean liteMember) {
    if (joinWaitSeconds < 0) {
      throw new IllegalArgumentException("--join-wait must be 0 or more, not " + joinWaitSeconds);
    }
    ClusterOptions options = new ClusterOptions().setJoinWait(Duration.ofSeconds(joinWaitSeconds))
        .setLiteMember(liteMember);
    // each refusal of ClusterOptions named by the option it came from
    set("--cluster-host", () -> options.setHost(host));
    set("--cluster-port", () -> options.setPort(port));
    set("--cluster-name", () -> options.setClusterName(name));
    set("--cluster", () -> options.setMembers(members == null ? List.of() : members));
    return options;
  }

  private static void set(String option, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  /**
   * Starts a clustered Vert.x instance.
   *
   * @param liteMember whether this node holds none of the cluster's data
   * @return a Future of it, once it has joined
   */
  public Future<Vertx> start(boolean liteMember) {
    return Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(options(liteMember))).buildClustered();
  }

  /**
   * Sends Hazelcast's logging through SLF4J (even what it logs before reading its configuration), and quietens its
   * chatty INFO logging under slf4j-simple, unless the user chose otherwise.
   */
  public static void quietHazelcast() {
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
    if (System.getProperty("org.slf4j.simpleLogger.log.com.hazelcast") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
      // warns that CP data structures are unsafe without the CP subsystem: Vert.x's locks and counters, unused here
      System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast.cp.CPSubsystem", "error");
    }
  }
}
