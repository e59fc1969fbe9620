package io.asynqueue.remote.cluster;

import io.asynqueue.remote.server.WorkerServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a node joins an AsynQueue cluster: the Hazelcast settings that {@link AsynQueueCluster#hazelcast(ClusterOptions)}
 * builds its configuration from.
 *
 * <p>The defaults are the safe ones: bind to 127.0.0.1 only, find the other members at the addresses given here
 * (TCP-IP; no multicast, no cloud discovery, no auto-detection), no phone-home. To run across hosts, set
 * {@link #setHost(String) host} to this host's address on the private network and list one or more members of the
 * cluster in {@link #setMembers(List) members} (the same list on every node is simplest).
 *
 * <pre>{@code
 * new ClusterOptions().setHost("10.0.0.7").setMembers(List.of("10.0.0.7:5701", "10.0.0.8:5701"))
 * }</pre>
 */
public class ClusterOptions {

  /** Bind to the loopback interface only. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Hazelcast's port: the first one tried; the next free one is taken when it is in use. */
  public static final int DEFAULT_PORT = 5701;
  /** How many ports from {@link #getPort()} up a node may take: 20. */
  public static final int DEFAULT_PORT_COUNT = 20;
  /** The cluster's name: nodes join only a cluster of their own name. */
  public static final String DEFAULT_CLUSTER_NAME = "asynqueue";
  /** How long a starting node looks for a cluster before it starts one: 2 seconds. */
  public static final Duration DEFAULT_JOIN_WAIT = Duration.ofSeconds(2);
  /**
   * A member silent this long is removed: 10 seconds. A member whose process dies is removed much sooner, as soon
   * as connecting to it fails (a few hundred milliseconds); this timeout is for a host that stops answering.
   */
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private int portCount = DEFAULT_PORT_COUNT;
  private List<String> members = new ArrayList<>();
  private String clusterName = DEFAULT_CLUSTER_NAME;
  private Duration joinWait = DEFAULT_JOIN_WAIT;
  private Duration heartbeatTimeout = DEFAULT_HEARTBEAT_TIMEOUT;
  private boolean liteMember;

  /** Default options: a cluster on this host only. */
  public ClusterOptions() {
  }

  /**
   * A copy.
   *
   * @param other the options to copy
   */
  public ClusterOptions(ClusterOptions other) {
    host = other.host;
    port = other.port;
    portCount = other.portCount;
    members = new ArrayList<>(other.members);
    clusterName = other.clusterName;
    joinWait = other.joinWait;
    heartbeatTimeout = other.heartbeatTimeout;
    liteMember = other.liteMember;
  }

  /** @return the interface Hazelcast and the event bus bind to */
  public String getHost() {
    return host;
  }

  /**
   * @param host the address of the interface to bind to (default {@value #DEFAULT_HOST}); the other members must
   *     reach this node there. A wildcard ({@code 0.0.0.0}, {@code ::}) is refused: name the interface.
   * @return a reference to this, so the API can be used fluently
   */
  public ClusterOptions setHost(String host) {
    Objects.requireNonNull(host, "host");
    if (host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("*")) {
      throw new IllegalArgumentException("host must name one interface, not '" + host + "'");
    }
    this.host = host;
    return this;
  }

  /** @return the first port tried */
  public int getPort() {
    return port;
  }

  /**
   * @param port the first port tried (default {@value #DEFAULT_PORT}); when taken, the next of
   *     {@link #getPortCount()} ports
   * @return a reference to this, so the API can be used fluently
   */
  public ClusterOptions setPort(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, was " + port);
    }
    this.port = port;
    return this;
  }

  /** @return how many ports from {@link #getPort()} up this node may take */
  public int getPortCount() {
    return portCount;
  }

  /**
   * @param portCount how many ports from {@link #getPort()} up this node may take, at least 1 (default
   *     {@value #DEFAULT_PORT_COUNT})
   * @return a reference to this, so the API can be used fluently
   */
  public ClusterOptions setPortCount(int portCount) {
    if (portCount < 1) {
      throw new IllegalArgumentException("portCount must be at least 1, was " + portCount);
    }
    this.portCount = portCount;
    return this;
  }

  /** @return the members to join through, {@code host} or {@code host:port} */
  public List<String> getMembers() {
    return members;
  }

  /**
   * @param members where to find the cluster: {@code host:port} (or {@code host}, for the ports from
   *     {@link #getPort()} up) of one or more members; it may list this node too. Empty (the default) means this
   *     node's host, so the nodes of one host find each other.
   * @return a reference to this, so the API can be used fluently
   */
  public ClusterOptions setMembers(List<String> members) {
    List<String> copy = new ArrayList<>();
    for (String m : Objects.requireNonNull(members, "members")) {
      String member = Objects.requireNonNull(m, "member").trim();
      if (member.isEmpty()) {
        throw new IllegalArgumentException("a member address is empty");
      }
      copy.add(member);
    }
    this.members = copy;
    return this;
  }

  /** @return the cluster's name */
  public String getClusterName() {
    return clusterName;
  }

  /**
   * @param clusterName the cluster's name (default {@value #DEFAULT_CLUSTER_NAME}): nodes join only a cluster of
   *     their name. It keeps clusters apart; it is not a password (it travels in clear).
   * @return a reference to this, so the API can be used fluently
   */
  public ClusterOptions setClusterName(String clusterName) {
    if (Objects.requireNonNull(clusterName, "clusterName").isBlank()) {
      throw new IllegalArgumentException("clusterName is blank");
    }
    this.clusterName = clusterName;
    return this;
  }

  /** @return how long a starting node looks for a cluster before it starts one */
  public Duration getJoinWait() {
    return joinWait;
  }

  /**
   * @param joinWait how long a starting node looks for a cluster before it starts one, whole seconds (default 2 s).
   *     Zero starts fastest; nodes that all start at the same moment may then form separate clusters for a while,
   *     so use it when one node is known to start first (as in tests).
   * @return a reference to this, so the API can be used fluently
   */
  public ClusterOptions setJoinWait(Duration joinWait) {
    if (Objects.requireNonNull(joinWait, "joinWait").isNegative()) {
      throw new IllegalArgumentException("joinWait is negative");
    }
    this.joinWait = joinWait;
    return this;
  }

  /** @return how long a silent member stays in the cluster */
  public Duration getHeartbeatTimeout() {
    return heartbeatTimeout;
  }

  /**
   * @param heartbeatTimeout how long a member that stops answering stays in the cluster, at least 2 seconds
   *     (default 10 s). A member whose process dies goes much sooner, as soon as connecting to it fails.
   * @return a reference to this, so the API can be used fluently
   */
  public ClusterOptions setHeartbeatTimeout(Duration heartbeatTimeout) {
    if (Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout").toSeconds() < 2) {
      throw new IllegalArgumentException("heartbeatTimeout must be at least 2 seconds, was " + heartbeatTimeout);
    }
    this.heartbeatTimeout = heartbeatTimeout;
    return this;
  }

  /** @return whether this node holds none of the cluster's data */
  public boolean isLiteMember() {
    return liteMember;
  }

  /**
   * @param liteMember whether this node holds none of the cluster's data (default no). A node that only sends
   *     calls (a {@link ClusterQueue}, not a {@link WorkerServer}) and comes and goes often should be a lite member:
   *     its joining and leaving move no data between the others. A lite member cannot start a cluster: Vert.x
   *     needs one ordinary member to be there first (a worker node, say).
   * @return a reference to this, so the API can be used fluently
   */
  public ClusterOptions setLiteMember(boolean liteMember) {
    this.liteMember = liteMember;
    return this;
  }
}
