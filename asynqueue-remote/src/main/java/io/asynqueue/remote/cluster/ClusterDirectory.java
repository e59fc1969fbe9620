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
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
// Vert.x internal API (listed in InternalImportsTest): the cluster manager of a Vert.x instance (clusterManager()), to
// reach its Hazelcast instance; Vert.x 5 has no public getter.
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory of the worker servers of one pool in a Hazelcast-managed Vert.x cluster, and the membership events
 * that go with it. Each server is an entry of the pool's map, keyed by its node's ID and its address
 * ({@code nodeId address}); a server that closes marks its entry as left, then removes it, and the entries of a node
 * that dies are ignored (and removed by whoever notices) once the cluster has removed the node.
 *
 * <p><b>Signed entries.</b> Whoever reaches the cluster can write to its maps, so each entry is signed with the
 * servers' shared secret: its value is {@code aq1 address registration state signature}, the signature an
 * HMAC-SHA256 of the pool, the key, the address, the registration's random ID and its state ({@code up} or
 * {@code left}). A watcher that holds the secret ignores an entry that is not signed with it (and says so once per
 * entry), so an intruder cannot send the queues to an address of its choosing, nor make a server look as if it left.
 * An entry removed without its server's signed farewell is reported as {@link Listener#removed removed}, for the
 * queue to keep a worker whose connection is alive. Without a secret (TLS client certificates only) entries carry
 * no signature, and any is taken.
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
     * A server unregistered, with its signed farewell: it is closing.
     *
     * @param nodeId the ID of its cluster node
     * @param address its address, {@code host:port}
     */
    void left(String nodeId, String address);

    /**
     * A server's entry was removed without its signed farewell: anyone in the cluster may have done it.
     *
     * @param nodeId the ID of its cluster node
     * @param address its address, {@code host:port}
     */
    void removed(String nodeId, String address);

    /**
     * An entry not signed with the secret (or not readable), ignored; reported once per entry.
     *
     * @param nodeId the node ID its key names
     * @param address the address its key names
     * @param why why it was ignored
     */
    void ignored(String nodeId, String address, String why);

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
  private static final Logger log = LoggerFactory.getLogger(ClusterQueue.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final String pool;
  private final String mapName;

  private ClusterDirectory(Vertx vertx, HazelcastInstance hazelcast, String pool) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.pool = pool;
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
   * @param secret the servers' shared secret, which signs the entry; {@code null} for none (TLS client certificates
   *     only: the entry is not signed)
   * @return a Future of the registration, completed once the cluster knows
   */
  public Future<Registration> register(String address, String secret) {
    byte[] key = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    return vertx.executeBlocking(() -> {
      Entry entry = new Entry(address, key);
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
    private final byte[] secret;
    private final String registration = UUID.randomUUID().toString();
    private String key;
    private boolean removed;
    private UUID lifecycle;

    Entry(String address, byte[] secret) {
      this.address = address;
      this.secret = secret;
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
      map().set(now, value(secret, now, address, registration, UP));
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
          map().set(k, value(secret, k, address, registration, LEFT)); // the signed farewell, then the removal
          map().delete(k);
        }
        return null;
      }, false);
    }
  }

  private static final String FORMAT = "aq1";
  private static final String UP = "up";
  private static final String LEFT = "left";
  private static final String UNSIGNED = "-";
  /** Entries reported as ignored at most once each, and at most this many per watch. */
  private static final int MAX_IGNORED = 1024;

  /** The value of an entry: {@code aq1 address registration state signature}. */
  private String value(byte[] secret, String key, String address, String registration, String state) {
    return FORMAT + " " + address + " " + registration + " " + state + " "
        + (secret == null ? UNSIGNED : sign(secret, key, address, registration, state));
  }

  private String sign(byte[] secret, String key, String address, String registration, String state) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      String text = "asynqueue pool entry\n" + pool + "\n" + key + "\n" + address + "\n" + registration + "\n"
          + state;
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /**
   * Reads an entry.
   *
   * @return its state ({@link #UP} or {@link #LEFT})
   * @throws IllegalArgumentException why it is not taken
   */
  private String check(byte[] secret, String key, String value) {
    String[] f = value == null ? new String[0] : value.split(" ", -1);
    if (f.length != 5 || !f[0].equals(FORMAT)) {
      throw new IllegalArgumentException("it is not an entry of this version");
    }
    String address = f[1];
    if (!key.equals(key(nodeOf(key), address))) {
      throw new IllegalArgumentException("its address is not that of its key");
    }
    if (!f[3].equals(UP) && !f[3].equals(LEFT)) {
      throw new IllegalArgumentException("its state '" + f[3] + "' is unknown");
    }
    if (secret != null && !MessageDigest.isEqual(
        sign(secret, key, address, f[2], f[3]).getBytes(StandardCharsets.UTF_8),
        f[4].getBytes(StandardCharsets.UTF_8))) {
      throw new IllegalArgumentException(f[4].equals(UNSIGNED) ? "it is not signed"
          : "it is not signed with this queue's secret");
    }
    return f[3];
  }

  /**
   * Watches the pool: the listener hears of every server registered now, then of every change, on the context.
   *
   * @param context where the listener runs
   * @param secret the servers' shared secret, which the entries must be signed with; {@code null} to take any entry
   *     (TLS client certificates only)
   * @param listener the listener
   * @return a Future of the watch, completed once the servers registered now have been reported
   */
  public Future<Watch> watch(Context context, String secret, Listener listener) {
    Reader reader = new Reader(secret == null ? null : secret.getBytes(StandardCharsets.UTF_8), context, listener);
    return context.executeBlocking(() -> {
      IMap<String, String> map = map();
      UUID members = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
        @Override
        public void memberAdded(MembershipEvent event) {
          // its servers may have been listed before this node knew of it: report them now
          String nodeId = event.getMember().getUuid().toString();
          vertx.executeBlocking(() -> scan(map, reader, nodeId), false);
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
          String nodeId = event.getMember().getUuid().toString();
          context.runOnContext(v -> listener.lost(nodeId));
          vertx.executeBlocking(() -> forget(map, nodeId), false);
        }
      });
      UUID entries = map.addEntryListener(new Entries(reader), true);
      // this node cut off and merged back: what it missed meanwhile
      UUID merges = hazelcast.getLifecycleService().addLifecycleListener(event -> {
        if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
          vertx.executeBlocking(() -> scan(map, reader, null), false);
        }
      });
      scan(map, reader, null);
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
  private Void scan(IMap<String, String> map, Reader reader, String only) {
    Set<String> live = hazelcast.getCluster().getMembers().stream().map(m -> m.getUuid().toString())
        .collect(Collectors.toSet());
    for (Map.Entry<String, String> e : map.entrySet()) {
      String nodeId = nodeOf(e.getKey());
      if (live.contains(nodeId) && (only == null || only.equals(nodeId))) {
        reader.entry(e.getKey(), e.getValue(), true);
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

  private static String addressOf(String key) {
    int space = key.indexOf(' ');
    return space < 0 ? "" : key.substring(space + 1);
  }

  /** Checks the entries a watch sees and tells its listener, on its context. */
  private final class Reader {
    private final byte[] secret;
    private final Context context;
    private final Listener listener;
    /** The entries reported as ignored (by key and value): each once. */
    private final Set<String> ignored = new LinkedHashSet<>();

    Reader(byte[] secret, Context context, Listener listener) {
      this.secret = secret;
      this.context = context;
      this.listener = listener;
    }

    /** An entry seen: a server up, leaving, or an entry to ignore. {@code scanning}: left ones are not news. */
    void entry(String key, String value, boolean scanning) {
      String nodeId = nodeOf(key);
      String address = addressOf(key);
      String state;
      try {
        state = check(secret, key, value);
      } catch (IllegalArgumentException e) {
        boolean first;
        synchronized (ignored) {
          first = ignored.size() < MAX_IGNORED && ignored.add(key + "\n" + value);
        }
        if (first) {
          log.warn("pool '{}': ignoring the entry of {} (node {}): {}; whoever can write to the cluster's maps may be "
              + "trying to send the queues elsewhere (said once per entry)", pool, address, nodeId, e.getMessage());
          context.runOnContext(v -> listener.ignored(nodeId, address, e.getMessage()));
        }
        return;
      }
      if (state.equals(UP)) {
        context.runOnContext(v -> listener.joined(nodeId, address));
      } else if (!scanning) {
        context.runOnContext(v -> listener.left(nodeId, address));
      }
    }

    void removed(String key) {
      String nodeId = nodeOf(key);
      String address = addressOf(key);
      context.runOnContext(v -> listener.removed(nodeId, address));
    }
  }

  private static final class Entries implements EntryAddedListener<String, String>,
      EntryUpdatedListener<String, String>, EntryRemovedListener<String, String> {
    private final Reader reader;

    Entries(Reader reader) {
      this.reader = reader;
    }

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      reader.entry(event.getKey(), event.getValue(), false);
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      reader.entry(event.getKey(), event.getValue(), false);
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      reader.removed(event.getKey());
    }
  }
}
