package io.asynqueue.remote.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
// Vert.x internal API (listed in InternalImportsTest): the cluster manager of a Vert.x instance (clusterManager()), to
// reach its Hazelcast instance; Vert.x 5 has no public getter.
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The directory of the worker servers of one pool in a Hazelcast-managed Vert.x cluster, and the membership events
 * that go with it. Each server is an entry of the pool's map, keyed by its node's ID and its address
 * ({@code nodeId address}); a server that closes removes its entry, and the entries of a node that dies are ignored
 * (and removed by whoever notices) once the cluster has removed the node.
 *
 * <p>The only class of this module that touches Hazelcast: everything else stays loadable without it.
 */
public final class ClusterDirectory {

  /** What a watcher hears, on the context that started the watch. */
  public interface Listener {
    /**
     * A server registered.
     *
     * @param nodeId the ID of its cluster node
     * @param address its address, {@code host:port}
     */
    void joined(String nodeId, String address);

    /**
     * A server unregistered: it is closing.
     *
     * @param nodeId the ID of its cluster node
     * @param address its address, {@code host:port}
     */
    void left(String nodeId, String address);

    /**
     * A node left the cluster, or was removed from it: its servers are gone.
     *
     * @param nodeId the node's ID
     */
    void lost(String nodeId);
  }

  /** A watch in place, until closed. */
  public interface Watch {
    /** Stops the events. */
    void close();
  }

  private static final String MAP_PREFIX = "asynqueue.pool.";

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final String mapName;

  private ClusterDirectory(Vertx vertx, HazelcastInstance hazelcast, String pool) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.mapName = MAP_PREFIX + pool;
  }

  /**
   * The directory of a pool.
   *
   * @param vertx a clustered Vert.x instance, with a Hazelcast cluster manager
   * @param pool the pool's name
   * @return the directory
   * @throws IllegalArgumentException if Vert.x is not clustered by Hazelcast, or the pool name is blank
   */
  public static ClusterDirectory of(Vertx vertx, String pool) {
    Objects.requireNonNull(vertx, "vertx");
    if (Objects.requireNonNull(pool, "pool").isBlank()) {
      throw new IllegalArgumentException("the pool name is blank");
    }
    ClusterManager manager = vertx instanceof VertxInternal ? ((VertxInternal) vertx).clusterManager() : null;
    if (!(manager instanceof HazelcastClusterManager)) {
      throw new IllegalArgumentException("Vert.x is not clustered with Hazelcast: build it with "
          + "Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(options)).buildClustered()");
    }
    HazelcastInstance hz = ((HazelcastClusterManager) manager).getHazelcastInstance();
    if (hz == null) {
      throw new IllegalArgumentException("the Hazelcast cluster manager has not joined a cluster");
    }
    return new ClusterDirectory(vertx, hz, pool);
  }

  /** @return this node's ID in the cluster */
  public String localNodeId() {
    return hazelcast.getCluster().getLocalMember().getUuid().toString();
  }

  /** @return the address other members reach this node at */
  public String localHost() {
    return hazelcast.getCluster().getLocalMember().getAddress().getHost();
  }

  /**
   * @param nodeId a node's ID
   * @return whether the node is in the cluster now
   */
  public boolean isMember(String nodeId) {
    for (Member m : hazelcast.getCluster().getMembers()) {
      if (m.getUuid().toString().equals(nodeId)) {
        return true;
      }
    }
    return false;
  }

  /** A server's entry in the pool. */
  public interface Registration {
    /**
     * Removes the entry.
     *
     * @return a Future completed once the cluster knows
     */
    Future<Void> unregister();
  }

  /**
   * Registers a server of this node. Should this node be cut off from the cluster and merge back into it later
   * (a frozen host that resumes, a healed network), it comes back under a new node ID, and the entry is made again
   * under that ID.
   *
   * @param address where clients reach it, {@code host:port}
   * @return a Future of the registration, completed once the cluster knows
   */
  public Future<Registration> register(String address) {
    return vertx.executeBlocking(() -> {
      Entry entry = new Entry(address);
      entry.put();
      entry.lifecycle = hazelcast.getLifecycleService().addLifecycleListener(event -> {
        if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
          vertx.executeBlocking(entry::put, false);
        }
      });
      return entry;
    }, false);
  }

  /** A registered server: its key follows this node's ID. */
  private final class Entry implements Registration {
    private final String address;
    private String key;
    private boolean removed;
    private UUID lifecycle;

    Entry(String address) {
      this.address = address;
    }

    /** (Re)makes the entry under this node's ID now, dropping one under an older ID. Blocking. */
    Void put() {
      String now = key(localNodeId(), address);
      String before;
      synchronized (this) {
        if (removed) {
          return null;
        }
        before = key;
        key = now;
      }
      map().set(now, address);
      if (before != null && !before.equals(now)) {
        map().delete(before);
      }
      return null;
    }

    @Override
    public Future<Void> unregister() {
      return vertx.executeBlocking(() -> {
        String k;
        synchronized (this) {
          removed = true;
          k = key;
        }
        if (lifecycle != null) {
          hazelcast.getLifecycleService().removeLifecycleListener(lifecycle);
        }
        if (k != null) {
          map().delete(k);
        }
        return null;
      }, false);
    }
  }

  /**
   * Watches the pool: the listener hears of every server registered now, then of every change, on the context.
   *
   * @param context where the listener runs
   * @param listener the listener
   * @return a Future of the watch, completed once the servers registered now have been reported
   */
  public Future<Watch> watch(Context context, Listener listener) {
    return context.executeBlocking(() -> {
      IMap<String, String> map = map();
      UUID members = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
        @Override
        public void memberAdded(MembershipEvent event) {
          // its servers may have been listed before this node knew of it: report them now
          String nodeId = event.getMember().getUuid().toString();
          vertx.executeBlocking(() -> scan(map, context, listener, nodeId), false);
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
          String nodeId = event.getMember().getUuid().toString();
          context.runOnContext(v -> listener.lost(nodeId));
          vertx.executeBlocking(() -> forget(map, nodeId), false);
        }
      });
      UUID entries = map.addEntryListener(new Entries(context, listener), true);
      // this node cut off and merged back: what it missed meanwhile
      UUID merges = hazelcast.getLifecycleService().addLifecycleListener(event -> {
        if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
          vertx.executeBlocking(() -> scan(map, context, listener, null), false);
        }
      });
      scan(map, context, listener, null);
      return () -> {
        hazelcast.getCluster().removeMembershipListener(members);
        hazelcast.getLifecycleService().removeLifecycleListener(merges);
        map.removeEntryListener(entries);
      };
    }, false);
  }

  /**
   * Reports the servers registered now (of one node, or of all when {@code only} is null) whose nodes this node
   * knows as members. Entries of other nodes are left alone: a node that just joined may not be known here yet
   * (its member event then reports them), and those of nodes gone are removed when they go. Blocking.
   */
  private Void scan(IMap<String, String> map, Context context, Listener listener, String only) {
    Set<String> live = hazelcast.getCluster().getMembers().stream().map(m -> m.getUuid().toString())
        .collect(Collectors.toSet());
    for (Map.Entry<String, String> e : map.entrySet()) {
      String nodeId = nodeOf(e.getKey());
      if (live.contains(nodeId) && (only == null || only.equals(nodeId))) {
        context.runOnContext(v -> listener.joined(nodeId, e.getValue()));
      }
    }
    return null;
  }

  private IMap<String, String> map() {
    return hazelcast.getMap(mapName);
  }

  /** Removes the entries a lost node left behind (every watcher may do it: deleting twice does no harm). */
  private static Void forget(IMap<String, String> map, String nodeId) {
    try {
      for (String key : map.keySet()) {
        if (nodeOf(key).equals(nodeId)) {
          map.delete(key);
        }
      }
    } catch (RuntimeException e) {
      // this node is leaving too, or the cluster is shutting down: the next watcher cleans up
    }
    return null;
  }

  private static String key(String nodeId, String address) {
    return nodeId + " " + address;
  }

  private static String nodeOf(String key) {
    int space = key.indexOf(' ');
    return space < 0 ? key : key.substring(0, space);
  }

  private static final class Entries implements EntryAddedListener<String, String>,
      EntryRemovedListener<String, String> {
    private final Context context;
    private final Listener listener;

    Entries(Context context, Listener listener) {
      this.context = context;
      this.listener = listener;
    }

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      String nodeId = nodeOf(event.getKey());
      String address = event.getValue();
      context.runOnContext(v -> listener.joined(nodeId, address));
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      String key = event.getKey();
      String nodeId = nodeOf(key);
      String address = key.substring(Math.min(nodeId.length() + 1, key.length()));
      context.runOnContext(v -> listener.left(nodeId, address));
    }
  }
}
