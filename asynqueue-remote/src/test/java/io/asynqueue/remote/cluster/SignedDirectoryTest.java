package io.asynqueue.remote.cluster;

import static io.asynqueue.remote.Servers.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.map.IMap;
import io.asynqueue.remote.AuthenticationException;
import io.asynqueue.remote.Remote;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.asynqueue.remote.Servers;
import io.asynqueue.remote.cluster.ClusterQueue.WorkerEvent;
import io.asynqueue.remote.server.WorkerServer;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An intruder who can write to the cluster's maps (anyone who reaches a Hazelcast port) but does not hold the secret:
 * it cannot send the queue to an address of its choosing, nor make it drop a server whose connection is alive. Two
 * clustered Vert.x instances in this JVM; the intruder writes to the pool's map through one of them.
 */
@Timeout(90)
final class SignedDirectoryTest {

  /** Captures what is written to System.err (where slf4j-simple logs) while it is open. */
  static final class Stderr implements AutoCloseable {
    private final PrintStream saved = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    Stderr() {
      System.setErr(new PrintStream(new OutputStream() {
        @Override
        public synchronized void write(int b) {
          captured.write(b);
          saved.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
          captured.write(b, off, len);
          saved.write(b, off, len);
        }
      }, true, StandardCharsets.UTF_8));
    }

    synchronized String text() {
      return captured.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
      System.setErr(saved);
    }
  }

  /** A worker node and a client node of a new cluster, and the intruder's view of the pool's map. */
  record Cluster(Vertx node, Vertx client, IMap<String, String> map) {
    void close() throws Exception {
      await(client.close());
      await(node.close());
    }
  }

  static Cluster cluster(String pool) throws Exception {
    int port = 21000 + ThreadLocalRandom.current().nextInt(20000);
    ClusterOptions options = new ClusterOptions().setPort(port).setMembers(List.of("127.0.0.1:" + port))
        .setClusterName("signed-" + UUID.randomUUID()).setJoinWait(Duration.ZERO);
    Vertx node = await(Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(options)).buildClustered());
    Vertx client = await(Vertx.builder()
        .withClusterManager(AsynQueueCluster.hazelcast(new ClusterOptions(options).setLiteMember(true)))
        .buildClustered());
    IMap<String, String> map = ((HazelcastClusterManager) ((VertxInternal) node).clusterManager())
        .getHazelcastInstance().getMap("asynqueue.pool." + pool);
    return new Cluster(node, client, map);
  }

  static ClusterQueue queue(Vertx client, String pool, LinkedBlockingQueue<WorkerEvent> events) {
    ClusterQueue q = ClusterQueue.create(client, pool, new ClusterQueueOptions()
        .setWorkerOptions(new RemoteWorkerOptions().setSecret(Servers.SECRET)));
    q.workerHandler(events::add);
    return q;
  }

  @Test
  void entriesNotSignedWithTheSecret_areIgnored_loggedOnce_andNeverConnectedTo() throws Exception {
    Cluster c = cluster("intruded");
    try (ServerSocket trap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Stderr err = new Stderr()) {
      List<Socket> trapped = new CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            trapped.add(trap.accept());
          }
        } catch (java.io.IOException closed) {
          // done
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      WorkerServer server = Servers.start(c.node(), Servers.serverOptions());
      await(ClusterQueue.join(server, "intruded"));
      String legit = c.map().keySet().iterator().next();
      String nodeId = legit.substring(0, legit.indexOf(' '));
      String evil = "127.0.0.1:" + trap.getLocalPort();
      // entries naming the trap under the live node's ID: a bare address (the old format), unsigned, badly signed
      c.map().set(nodeId + " " + evil, evil);
      c.map().set(nodeId + " " + evil + "0", "aq1 " + evil + "0 r1 up -");
      String forged = "aq1 " + evil + "1 r2 up AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
      c.map().set(nodeId + " " + evil + "1", forged);

      LinkedBlockingQueue<WorkerEvent> events = new LinkedBlockingQueue<>();
      ClusterQueue q = queue(c.client(), "intruded", events);
      await(q.awaitWorkers(1).timeout(30, TimeUnit.SECONDS));
      c.map().set(nodeId + " " + evil + "1", forged); // the same entry again: not logged again
      assertThat(await(q.<Integer>call(Remote.named("add"), 1, 2))).isEqualTo(3);
      List<WorkerEvent> refused = new java.util.ArrayList<>();
      while (refused.size() < 3) {
        WorkerEvent e = events.poll(30, TimeUnit.SECONDS);
        assertThat(e).isNotNull();
        if (e.kind() == WorkerEvent.Kind.REFUSED) {
          refused.add(e);
        }
      }
      assertThat(refused).allSatisfy(e -> assertThat(e.cause()).isInstanceOf(AuthenticationException.class));
      assertThat(refused).extracting(e -> e.cause().getMessage()).anyMatch(m -> m.contains("not an entry of this "
          + "version")).anyMatch(m -> m.contains("it is not signed")).anyMatch(m -> m.contains("not signed with this "
          + "queue's secret"));
      assertThat(q.workerAddresses()).containsExactly(legit.substring(legit.indexOf(' ') + 1));
      // a forged farewell of the real server changes nothing either
      c.map().set(legit, "aq1 " + legit.substring(legit.indexOf(' ') + 1) + " r3 left -");
      assertThat(await(q.<Integer>call(Remote.named("add"), 2, 3))).isEqualTo(5);
      assertThat(q.workerAddresses()).hasSize(1);
      assertThat(trapped).isEmpty();
      // three refused entries and the forged farewell, each logged once; the farewell's line comes from the map's
      // listener, which may run after the call above returned: wait for it rather than race it
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (err.text().lines().filter(l -> l.contains("ignoring the entry")).count() < 4
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(err.text().lines().filter(l -> l.contains("ignoring the entry"))).hasSize(4);
      await(q.shutdown());
      await(server.close());
    } finally {
      c.close();
    }
  }

  @Test
  void removingAnEntry_doesNotDropALiveWorker_andTheSignedFarewellStillDoes() throws Exception {
    Cluster c = cluster("removed");
    try {
      WorkerServer server = Servers.start(c.node(), Servers.serverOptions());
      await(ClusterQueue.join(server, "removed"));
      LinkedBlockingQueue<WorkerEvent> events = new LinkedBlockingQueue<>();
      ClusterQueue q = queue(c.client(), "removed", events);
      await(q.awaitWorkers(1).timeout(30, TimeUnit.SECONDS));
      assertThat(events.poll(30, TimeUnit.SECONDS).kind()).isEqualTo(WorkerEvent.Kind.ATTACHED);

      // the intruder deletes the server's entry: its worker is connected, so it stays and takes calls
      c.map().delete(c.map().keySet().iterator().next());
      for (int i = 0; i < 20; i++) {
        assertThat(await(q.<Integer>call(Remote.named("add"), i, 1))).isEqualTo(i + 1);
      }
      assertThat(q.workerAddresses()).hasSize(1);

      // the server itself leaves: its signed farewell detaches the worker gracefully
      await(server.close());
      WorkerEvent left = events.poll(30, TimeUnit.SECONDS);
      assertThat(left).isNotNull();
      assertThat(left.kind()).isEqualTo(WorkerEvent.Kind.LEFT);
      assertThat(q.workerAddresses()).isEmpty();
      assertThat(events).noneMatch(e -> e.kind() == WorkerEvent.Kind.LOST || e.kind() == WorkerEvent.Kind.REFUSED);
      await(q.shutdown());
    } finally {
      c.close();
    }
  }
}
