package io.asynqueue.remote.cluster;

import static io.asynqueue.remote.Servers.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.WorkerLostException;
import io.asynqueue.remote.Relay;
import io.asynqueue.remote.Remote;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.asynqueue.remote.Servers;
import io.asynqueue.remote.cluster.ClusterQueue.WorkerEvent;
import io.asynqueue.remote.server.WorkerServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that stays in the pool while its connection is cut (its node still in the cluster): the worker gives up
 * reconnecting and is dropped, then the queue tries the server again and takes it back once it answers. Two
 * clustered Vert.x instances in this JVM; the server is reached through a TCP relay that the test cuts and restores.
 */
@Timeout(60)
final class ClusterRecoveryTest {

  @Test
  void aWorkerThatGivesUp_isTriedAgain_whileItsServerStaysInThePool() throws Exception {
    int port = 21000 + ThreadLocalRandom.current().nextInt(20000);
    ClusterOptions cluster = new ClusterOptions().setPort(port).setMembers(List.of("127.0.0.1:" + port))
        .setClusterName("recovery-" + UUID.randomUUID()).setJoinWait(Duration.ZERO);
    Vertx node = await(Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(cluster)).buildClustered());
    Vertx client = null;
    try {
      WorkerServer server = Servers.start(node, Servers.serverOptions());
      Relay relay = new Relay(node, server.actualPort());
      int relayPort = await(relay.listen(0));
      String address = "127.0.0.1:" + relayPort;
      await(ClusterDirectory.of(node, "recovery").register(address, Servers.SECRET));

      client = await(Vertx.builder()
          .withClusterManager(AsynQueueCluster.hazelcast(new ClusterOptions(cluster).setLiteMember(true)))
          .buildClustered());
      LinkedBlockingQueue<WorkerEvent> events = new LinkedBlockingQueue<>();
      ClusterQueue q = ClusterQueue.create(client, "recovery", new ClusterQueueOptions()
          .setWorkerOptions(new RemoteWorkerOptions().setSecret(Servers.SECRET).setReconnectAttempts(2)
              .setReconnectDelay(Duration.ofMillis(50)).setMaxReconnectDelay(Duration.ofMillis(100))));
      q.workerHandler(events::add);
      assertThat(events.poll(20, TimeUnit.SECONDS)).extracting(WorkerEvent::kind).isEqualTo(WorkerEvent.Kind.ATTACHED);
      assertThat(await(q.<Integer>call(Remote.named("add"), 1, 2))).isEqualTo(3);

      // cut: the worker loses its connection, cannot reconnect, and gives up; the server is still in the pool
      await(relay.cut());
      WorkerEvent lost = events.poll(20, TimeUnit.SECONDS);
      assertThat(lost).isNotNull();
      assertThat(lost.kind()).isEqualTo(WorkerEvent.Kind.LOST);
      assertThat(lost.cause()).isInstanceOf(WorkerLostException.class);
      assertThat(q.workerAddresses()).isEmpty();
      Future<Integer> waiting = q.call(Remote.named("add"), 2, 3); // waits in the queue meanwhile

      // restore: the queue tries the server again and takes it back
      await(relay.listen(relayPort));
      WorkerEvent back = events.poll(20, TimeUnit.SECONDS);
      assertThat(back).isNotNull();
      assertThat(back.kind()).isEqualTo(WorkerEvent.Kind.ATTACHED);
      assertThat(back.address()).isEqualTo(address);
      assertThat(await(waiting)).isEqualTo(5);
      await(q.shutdown());
    } finally {
      if (client != null) {
        await(client.close());
      }
      await(node.close());
    }
  }

  @Test
  void aServerLostWhileItsWorkerIsStillConnecting_doesNotHoldUpTheShutdown() throws Exception {
    int port = 21000 + ThreadLocalRandom.current().nextInt(20000);
    ClusterOptions cluster = new ClusterOptions().setPort(port).setMembers(List.of("127.0.0.1:" + port))
        .setClusterName("pending-" + UUID.randomUUID()).setJoinWait(Duration.ZERO);
    // the client's node first: the cluster's master, it removes the other node as soon as that one leaves
    Vertx client = await(Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(cluster)).buildClustered());
    Vertx node = null;
    // a server that accepts connections and never answers (a frozen process): the worker's start stays pending
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      List<java.net.Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.concurrent.CountDownLatch connecting = new java.util.concurrent.CountDownLatch(1);
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
            connecting.countDown();
          }
        } catch (java.io.IOException closed) {
          // done
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      node = await(Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(cluster)).buildClustered());
      await(ClusterDirectory.of(node, "pending").register("127.0.0.1:" + silent.getLocalPort(), Servers.SECRET));

      LinkedBlockingQueue<WorkerEvent> events = new LinkedBlockingQueue<>();
      ClusterQueue q = ClusterQueue.create(client, "pending", new ClusterQueueOptions()
          .setWorkerOptions(new RemoteWorkerOptions().setSecret(Servers.SECRET)
              .setConnectTimeout(Duration.ofSeconds(3)).setReconnectAttempts(10)));
      q.workerHandler(events::add);
      await(q.ready());
      assertThat(connecting.await(20, TimeUnit.SECONDS)).isTrue();

      // the server's node leaves the cluster while its worker is still attaching
      await(node.close());
      node = null;
      com.hazelcast.core.HazelcastInstance hz = ((io.vertx.spi.cluster.hazelcast.HazelcastClusterManager)
          ((io.vertx.core.internal.VertxInternal) client).clusterManager()).getHazelcastInstance();
      // shut down as soon as the member list says so: Hazelcast tells its listeners (the queue) only after that, and
      // not those removed meanwhile, so the queue may not have heard of it when its watch closes
      for (int i = 0; i < 2000 && hz.getCluster().getMembers().size() > 1; i++) {
        Thread.sleep(10);
      }
      assertThat(hz.getCluster().getMembers()).hasSize(1);
      long start = System.nanoTime();
      await(q.shutdown().timeout(5, TimeUnit.SECONDS));
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
      assertThat(q.workerAddresses()).isEmpty();
      assertThat(events).noneMatch(e -> e.kind() == WorkerEvent.Kind.ATTACHED);
      accepted.forEach(s -> {
        try {
          s.close();
        } catch (java.io.IOException ignored) {
          // closing anyway
        }
      });
    } finally {
      if (node != null) {
        await(node.close());
      }
      await(client.close());
    }
  }

  @Test
  void aServerThatCloses_leavesNoEntryInAnyPool() throws Exception {
    int port = 21000 + ThreadLocalRandom.current().nextInt(20000);
    ClusterOptions cluster = new ClusterOptions().setPort(port).setMembers(List.of("127.0.0.1:" + port))
        .setClusterName("closing-" + UUID.randomUUID()).setJoinWait(Duration.ZERO);
    Vertx node = await(Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(cluster)).buildClustered());
    try {
      com.hazelcast.core.HazelcastInstance hz = ((io.vertx.spi.cluster.hazelcast.HazelcastClusterManager)
          ((io.vertx.core.internal.VertxInternal) node).clusterManager()).getHazelcastInstance();
      WorkerServer server = Servers.start(node, Servers.serverOptions());
      Future<Integer> joined = ClusterQueue.join(server, "closing"); // registering...
      await(server.close()); // ...while it closes
      await(joined.otherwise(0));
      assertThat(hz.getMap("asynqueue.pool.closing").keySet()).isEmpty();
      // a server in two pools leaves both
      WorkerServer twice = Servers.start(node, Servers.serverOptions());
      await(ClusterQueue.join(twice, "first"));
      await(ClusterQueue.join(twice, "second"));
      assertThat(hz.getMap("asynqueue.pool.first").keySet()).hasSize(1);
      assertThat(hz.getMap("asynqueue.pool.second").keySet()).hasSize(1);
      await(twice.close());
      assertThat(hz.getMap("asynqueue.pool.first").keySet()).isEmpty();
      assertThat(hz.getMap("asynqueue.pool.second").keySet()).isEmpty();
      // and a closed server does not join
      assertThat(Servers.failure(ClusterQueue.join(server, "closing"))).isInstanceOf(IllegalStateException.class);
      assertThat(hz.getMap("asynqueue.pool.closing").keySet()).isEmpty();
    } finally {
      await(node.close());
    }
  }

  @Test
  void aServerThatCloses_letsTheCallsItHoldsFinishAndReply() throws Exception {
    int port = 21000 + ThreadLocalRandom.current().nextInt(20000);
    ClusterOptions cluster = new ClusterOptions().setPort(port).setMembers(List.of("127.0.0.1:" + port))
        .setClusterName("draining-" + UUID.randomUUID()).setJoinWait(Duration.ZERO);
    Vertx node = await(Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(cluster)).buildClustered());
    Vertx client = null;
    try {
      WorkerServer server = Servers.start(node, Servers.serverOptions().setConcurrency(8));
      await(ClusterQueue.join(server, "draining"));
      client = await(Vertx.builder()
          .withClusterManager(AsynQueueCluster.hazelcast(new ClusterOptions(cluster).setLiteMember(true)))
          .buildClustered());
      LinkedBlockingQueue<WorkerEvent> events = new LinkedBlockingQueue<>();
      ClusterQueue q = ClusterQueue.create(client, "draining", new ClusterQueueOptions()
          .setWorkerOptions(new RemoteWorkerOptions().setSecret(Servers.SECRET)));
      q.workerHandler(events::add);
      await(q.awaitWorkers(1));
      // four calls without retries, running on four of the server's eight threads
      List<Future<String>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        calls.add(q.call(Remote.named("sleep"), 1000L));
      }
      assertThat(await(q.<Integer>call(Remote.named("add"), 1, 1))).isEqualTo(2); // sent after them, on a fifth
      assertThat(calls).noneMatch(Future::isComplete);
      await(server.close());
      for (Future<String> f : calls) {
        assertThat(await(f)).isEqualTo("slept 1000"); // none lost: the server replied before closing
      }
      assertThat(events).extracting(WorkerEvent::kind).contains(WorkerEvent.Kind.ATTACHED, WorkerEvent.Kind.LEFT);
      await(q.shutdown());
    } finally {
      if (client != null) {
        await(client.close());
      }
      await(node.close());
    }
  }
}
