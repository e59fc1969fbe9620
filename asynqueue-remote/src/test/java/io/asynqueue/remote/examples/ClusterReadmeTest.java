package io.asynqueue.remote.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.CallOptions;
import io.asynqueue.remote.cluster.AsynQueueCluster;
import io.asynqueue.remote.cluster.ClusterOptions;
import io.asynqueue.remote.cluster.ClusterQueue;
import io.asynqueue.remote.cluster.ClusterQueueOptions;
import io.asynqueue.remote.Remote;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.asynqueue.remote.Tasks;
import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's cluster section, run: a worker node and a lite client node, each a clustered Vert.x with its own
 * Hazelcast member, here in one JVM on 127.0.0.1 (on two hosts in real life).
 */
@Timeout(60)
final class ClusterReadmeTest {

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void readmeExample_runs() throws Exception {
    String secret = "a secret of at least sixteen bytes, shared by every host";
    int port = 21000 + ThreadLocalRandom.current().nextInt(20000);
    ClusterOptions cluster = new ClusterOptions()
        .setHost("127.0.0.1")                                       // 10.0.0.7 in the README
        .setPort(port)
        .setMembers(List.of("127.0.0.1:" + port))
        .setClusterName("readme-" + UUID.randomUUID())              // keeps parallel test runs apart
        .setJoinWait(Duration.ZERO);

    // on every worker node
    Vertx workerNode = await(Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(cluster)).buildClustered());
    Vertx client = null;
    try {
      int serverPort = await(ClusterQueue.join(WorkerServer.create(workerNode, new Tasks(), new WorkerServerOptions()
          .setHost("127.0.0.1").setPort(0).setSecret(secret)),                // 10.0.0.7 in the README
          "render-pool"));
      assertThat(serverPort).isPositive();

      // on the node that makes calls
      client = await(Vertx.builder()
          .withClusterManager(AsynQueueCluster.hazelcast(new ClusterOptions(cluster).setLiteMember(true)))
          .buildClustered());
      ClusterQueue q = ClusterQueue.create(client, "render-pool", new ClusterQueueOptions()
          .setWorkerOptions(new RemoteWorkerOptions().setSecret(secret)));
      Future<Integer> sum = q.call(Remote.named("add"), new CallOptions().setRetries(2), 1, 2);

      assertThat(await(sum)).isEqualTo(3);
      assertThat(q.workerAddresses()).containsExactly("127.0.0.1:" + serverPort);
      await(q.shutdown());
    } finally {
      if (client != null) {
        await(client.close());
      }
      await(workerNode.close());
    }
  }
}
