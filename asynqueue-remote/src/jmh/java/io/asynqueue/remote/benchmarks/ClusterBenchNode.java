package io.asynqueue.remote.benchmarks;

import io.asynqueue.remote.cluster.ClusterQueue;
import io.asynqueue.remote.cluster.AsynQueueCluster;
import io.asynqueue.remote.cluster.ClusterOptions;
import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerOptions;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A worker node of {@link ClusterBenchmark}, run in a child JVM: joins the cluster, starts a {@link WorkerServer} of
 * {@link ClusterBenchmark.Service} in the pool {@value ClusterBenchmark#POOL}, registers the event-bus consumers
 * {@value ClusterBenchmark#ECHO_ADDRESS} (replies with the body) and {@value ClusterBenchmark#PID_ADDRESS} (replies
 * with this process's id), then prints {@value ClusterBenchmark#READY} and its pid on standard output. It leaves the
 * cluster and exits when its standard input closes (the parent closed it, or died).
 *
 * <pre>
 * java -cp benchmarks.jar io.asynqueue.remote.benchmarks.ClusterBenchNode CLUSTER_NAME BASE_PORT MEMBER MAX_IN_FLIGHT
 * </pre>
 */
public final class ClusterBenchNode {

  private ClusterBenchNode() {
  }

  public static void main(String[] args) throws Exception {
    String clusterName = args[0];
    int basePort = Integer.parseInt(args[1]);
    String member = args[2];
    int maxInFlight = Integer.parseInt(args[3]);
    ClusterOptions cluster = new ClusterOptions().setClusterName(clusterName).setPort(basePort)
        .setMembers(List.of(member)).setJoinWait(Duration.ZERO);
    Vertx vertx = ClusterBenchmark.await(Vertx.builder().withClusterManager(AsynQueueCluster.hazelcast(cluster))
        .buildClustered());
    long pid = ProcessHandle.current().pid();
    ClusterBenchmark.await(vertx.eventBus().<Object>consumer(ClusterBenchmark.ECHO_ADDRESS, m -> m.reply(m.body()))
        .completion());
    ClusterBenchmark.await(vertx.eventBus().<Object>consumer(ClusterBenchmark.PID_ADDRESS, m -> m.reply(pid))
        .completion());
    WorkerServer server = WorkerServer.create(vertx, new ClusterBenchmark.Service(), new WorkerServerOptions()
        .setPort(0).setSecret(RemoteBenchmark.SECRET).setConcurrency(2).setMaxInFlight(maxInFlight));
    int port = ClusterBenchmark.await(ClusterQueue.join(server, ClusterBenchmark.POOL));
    System.out.println(ClusterBenchmark.READY + pid + " port " + port);
    System.out.flush();

    // until the parent closes our standard input (or dies)
    InputStream in = System.in;
    byte[] buf = new byte[256];
    try {
      while (in.read(buf) >= 0) {
        // ignore
      }
    } catch (IOException e) {
      // the parent is gone
    }
    try {
      server.close().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      System.exit(0);
    }
  }
}
