package io.asynqueue.remote.cluster;

import io.asynqueue.TaskQueue;
import io.asynqueue.TaskQueueOptions;
import io.asynqueue.contract.ContractTasks;
import io.asynqueue.contract.WorkerContractTest;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.asynqueue.remote.Servers;
import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerOptions;
import io.asynqueue.spi.Worker;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The worker contract for {@link ClusterQueue}, the cases that fit its time budget: one clustered Vert.x node
 * (a Hazelcast member on 127.0.0.1) for the whole class, with a pool of one server and a pool of two; each case
 * makes its own queue of a pool. Workers are attached by the queue as it finds them, so the cases that attach,
 * detach, lose or restart workers by hand are left to the remote worker's subclass (the same workers) and to
 * {@code ClusterTest} (nodes that die, freeze and leave).
 */
final class ClusterQueueContractTest extends WorkerContractTest {

  private static Vertx node;

  @BeforeAll
  static void startNode() {
    int port = 21000 + ThreadLocalRandom.current().nextInt(20000);
    ClusterOptions cluster = new ClusterOptions().setPort(port).setMembers(List.of("127.0.0.1:" + port))
        .setClusterName("contract-" + UUID.randomUUID()).setJoinWait(Duration.ZERO);
    node = await(Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(cluster)).buildClustered());
    for (String pool : List.of("one", "two", "two")) {
      await(ClusterQueue.join(WorkerServer.create(node, null, new WorkerServerOptions().setPort(0).setSecret(Servers.SECRET)
          .setConcurrency(4).addTaskClass(ContractTasks.class)), pool));
    }
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      await(node.close());
    }
  }

  @Override
  protected void setUpKind() {
    vertx = node; // the queue's Futures complete on contexts of its own Vert.x instance
  }

  @Override
  protected TaskQueue newQueue(TaskQueueOptions options, int workers) {
    ClusterQueue q = ClusterQueue.create(node, workers == 1 ? "one" : "two", new ClusterQueueOptions()
        .setQueueOptions(options).setWorkerOptions(new RemoteWorkerOptions().setSecret(Servers.SECRET)
            .setMaxInFlight(1)));
    await(q.awaitWorkers(workers));
    return q;
  }

  @Override
  protected boolean attachesWorkers() {
    return false;
  }

  @Override
  protected Worker newWorker() {
    throw new UnsupportedOperationException("a cluster queue attaches its workers itself");
  }

  @Override
  protected TimeoutStop timeoutStop() {
    return TimeoutStop.INTERRUPT;
  }

  @Override
  protected int prefetchWindow() {
    return RemoteWorkerOptions.DEFAULT_PREFETCH;
  }

  @Override
  protected int rounds() {
    return Math.min(super.rounds(), 5);
  }
}
