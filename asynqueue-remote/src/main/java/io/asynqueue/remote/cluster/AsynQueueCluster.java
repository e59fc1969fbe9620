package io.asynqueue.remote.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.asynqueue.remote.server.WorkerServer;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The cluster manager for an AsynQueue cluster: Vert.x's Hazelcast cluster manager with a configuration built in
 * code from {@link ClusterOptions}, safe by default.
 *
 * <pre>{@code
 * Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(new ClusterOptions()
 *         .setHost("10.0.0.7").setMembers(List.of("10.0.0.7", "10.0.0.8"))))
 *     .buildClustered()
 *     .onSuccess(vertx -> ...);
 * }</pre>
 *
 * <p>The cluster is used for what it is good at: finding the nodes that offer workers, and noticing when one goes.
 * The calls themselves travel on the remote protocol of {@link WorkerServer} and
 * {@link io.asynqueue.remote.RemoteWorker}, authenticated by the shared secret (or TLS) whatever the cluster says.
 *
 * <p><b>What the configuration does.</b>
 * <ul>
 *   <li>binds Hazelcast (and, through it, the Vert.x event bus) to the one interface of
 *       {@link ClusterOptions#getHost()}, never to all of them;
 *   <li>finds members only at the addresses of {@link ClusterOptions#getMembers()} (TCP-IP); multicast, cloud
 *       discovery (AWS, GCP, Azure, Kubernetes, Eureka) and auto-detection are off;
 *   <li>turns off Hazelcast's phone-home and its shutdown hook (Vert.x leaves the cluster when it closes);
 *   <li>turns off Hazelcast's metrics (for its Management Center and JMX; nothing here reads them): their collector
 *       runs every 5 seconds, and one that a node's shutdown interrupts logs a stack trace;
 *   <li>turns on Hazelcast's Java deserialization filter (off by default): besides {@code io.vertx.*}, it lets
 *       through only what Hazelcast always allows (class names starting with {@code java}, so {@code javax.*}
 *       too, {@code com.hazelcast.*} and arrays), minus its list of known gadget classes;
 *   <li>checks members' heartbeats every second, removing one silent for
 *       {@link ClusterOptions#getHeartbeatTimeout()}; a member whose process died goes as soon as reconnecting to it
 *       fails, within a second;
 *   <li>merges a member that was cut off (a frozen host that resumes, a healed network) back into the cluster
 *       within seconds (Hazelcast waits minutes by default); its servers are then found again;
 *   <li>declares the maps Vert.x needs (as its {@code default-cluster.xml} does).
 * </ul>
 *
 * <p><b>What it cannot do.</b> Open-source Hazelcast does not authenticate members: whoever reaches the cluster port
 * with the cluster's name can join, read the directory of workers (addresses only), add bogus entries (the queues
 * connect to whatever address they name) and remove real ones (the queues let those servers go), use the Vert.x
 * event bus and cluster maps as any node can, and disturb or shut down the cluster. Such an intruder still cannot
 * run a call, nor pose as a worker: both ends of every call prove the shared secret (or
 * present trusted certificates) first. Keep the cluster ports on a private network or behind a firewall.
 */
public final class AsynQueueCluster {

  /** How often a node looks for a cluster it was cut off from, to merge back into it: every 5 seconds. */
  static final int MERGE_DELAY_SECONDS = 5;

  private AsynQueueCluster() {
  }

  /**
   * A Hazelcast cluster manager configured from the options.
   *
   * @param options where to bind and where the other members are
   * @return the cluster manager, for {@code Vertx.builder().withClusterManager(...)}
   * @throws IllegalArgumentException if the host cannot be resolved
   */
  public static ClusterManager hazelcast(ClusterOptions options) {
    return new HazelcastClusterManager(hazelcastConfig(options));
  }

  /**
   * The Hazelcast configuration {@link #hazelcast(ClusterOptions)} uses, to change more settings before passing it to
   * {@code new HazelcastClusterManager(config)}.
   *
   * @param options where to bind and where the other members are
   * @return a new configuration
   * @throws IllegalArgumentException if the host cannot be resolved
   */
  public static Config hazelcastConfig(ClusterOptions options) {
    String address = resolve(options.getHost());
    Config config = new Config();
    config.setClusterName(options.getClusterName());
    config.setLiteMember(options.isLiteMember());
    long joinWait = Math.max(0, options.getJoinWait().toSeconds());
    config.setProperty("hazelcast.wait.seconds.before.join", Long.toString(joinWait));
    config.setProperty("hazelcast.max.wait.seconds.before.join", Long.toString(Math.max(joinWait, 1) * 2));
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds",
        Long.toString(options.getHeartbeatTimeout().toSeconds()));
    // a member cut off (a frozen host that resumes, a healed network) merges back within seconds, not minutes
    config.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(MERGE_DELAY_SECONDS));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(MERGE_DELAY_SECONDS));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.health.monitoring.level", "OFF");
    config.getMetricsConfig().setEnabled(false);

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(options.getPort()).setPortCount(options.getPortCount()).setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).clear().addInterface(address);
    network.getRestApiConfig().setEnabled(false);
    network.getMemcacheProtocolConfig().setEnabled(false);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getAwsConfig().setEnabled(false);
    join.getGcpConfig().setEnabled(false);
    join.getAzureConfig().setEnabled(false);
    join.getKubernetesConfig().setEnabled(false);
    join.getEurekaConfig().setEnabled(false);
    List<String> members = options.getMembers().isEmpty() ? List.of(address) : options.getMembers();
    join.getTcpIpConfig().setEnabled(true).setMembers(members);

    JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig().setDefaultsDisabled(false);
    filter.getWhitelist().addPrefixes("java.", "io.vertx.");
    config.getSerializationConfig().setJavaSerializationFilterConfig(filter);
    config.getJetConfig().setEnabled(false);

    // what Vert.x's default-cluster.xml declares
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return config;
  }

  private static String resolve(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve the cluster host '" + host + "'", e);
    }
  }
}
