package io.asynqueue.remote.cluster;

import io.asynqueue.TaskQueue;
import io.asynqueue.remote.Remote;
import io.asynqueue.remote.RemoteWorker;
import io.asynqueue.remote.RemoteWorkerOptions;
import io.asynqueue.remote.Servers;
import io.asynqueue.remote.server.WorkerServer;
import io.vertx.core.Vertx;

/**
 * Run by {@link OptionalHazelcastTest} in a child JVM whose class path lacks Hazelcast: plain remote workers work,
 * and the cluster entry points fail with a clear error. Prints what it finds, one line each.
 */
public final class WithoutHazelcast {

  private WithoutHazelcast() {
  }

  public static void main(String[] args) throws Exception {
    try {
      Class.forName("com.hazelcast.core.HazelcastInstance");
      System.out.println("hazelcast: present");
    } catch (ClassNotFoundException expected) {
      System.out.println("hazelcast: absent");
    }
    Vertx vertx = Vertx.vertx();
    WorkerServer server = Servers.start(vertx, Servers.serverOptions());
    TaskQueue q = TaskQueue.create(vertx);
    Servers.await(q.attachWorker(RemoteWorker.create(vertx, Servers.workerOptions(server.actualPort()))));
    Integer sum = Servers.await(q.call(Remote.named("add"), 1, 2));
    System.out.println("remote call: " + sum);
    try {
      ClusterQueue.join(server, "pool");
      System.out.println("joinCluster: no error");
    } catch (Throwable t) {
      System.out.println("joinCluster: " + t.getClass().getName() + ": " + t.getMessage());
    }
    try {
      ClusterQueue.create(vertx, "pool", new ClusterQueueOptions()
          .setWorkerOptions(new RemoteWorkerOptions().setSecret(Servers.SECRET)));
      System.out.println("ClusterQueue: no error");
    } catch (Throwable t) {
      System.out.println("ClusterQueue: " + t.getClass().getName() + ": " + t.getMessage());
    }
    System.out.flush();
    Servers.await(q.shutdown());
    Servers.await(server.close());
    Servers.await(vertx.close());
    System.exit(0);
  }
}
