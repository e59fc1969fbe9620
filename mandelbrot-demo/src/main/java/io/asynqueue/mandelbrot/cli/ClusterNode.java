package io.asynqueue.mandelbrot.cli;

import com.hazelcast.partition.NoDataMemberInClusterException;
import io.asynqueue.remote.cluster.ClusterOptions;
import io.asynqueue.remote.cli.ClusterArgs;
import io.vertx.core.Vertx;
// Vert.x internal API (listed in InternalImportsTest): the cluster manager of a Vert.x instance (clusterManager()), to
// reach its Hazelcast instance; Vert.x 5 has no public getter.
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/** Joining the cluster of {@code --cluster} for a command: a clustered Vert.x instance, started and awaited. */
final class ClusterNode {

  /** The longest a command waits to join the cluster, beyond {@code --join-wait}. */
  static final long JOIN_TIMEOUT_SECONDS = 60;

  private ClusterNode() {
  }

  /**
   * Starts a clustered Vert.x instance and waits until it has joined.
   *
   * @param cluster the command's cluster options
   * @param liteMember whether this node holds none of the cluster's data (a render client): it then needs a data
   *     member (an {@code mcm worker --cluster}) to be running already
   * @return the clustered Vert.x instance
   * @throws IllegalArgumentException for a bad option value (a usage error)
   * @throws ClusterException if it cannot join in time
   * @throws InterruptedException if interrupted while waiting
   */
  static Vertx start(ClusterArgs cluster, boolean liteMember) throws InterruptedException {
    ClusterOptions options = cluster.options(liteMember); // validates: IllegalArgumentException for a bad value
    long timeout = options.getJoinWait().toSeconds() * 2 + JOIN_TIMEOUT_SECONDS;
    AtomicBoolean gaveUp = new AtomicBoolean();
    var starting = cluster.start(liteMember);
    // joined after all, too late: leave at once rather than linger as a member nobody uses
    starting.onSuccess(vertx -> {
      if (gaveUp.get()) {
        vertx.close();
      }
    });
    try {
      return starting.toCompletionStage().toCompletableFuture().get(timeout, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      gaveUp.set(true);
      if (starting.succeeded()) {
        starting.result().close(); // joined between the timeout and now
      }
      throw new ClusterException("cannot join the cluster '" + options.getClusterName() + "' through "
          + options.getMembers() + " within " + timeout + " seconds" + (liteMember
          ? " (is an 'mcm worker --cluster' running there?)" : ""), null);
    } catch (ExecutionException e) {
      if (liteMember && rootCause(e) instanceof NoDataMemberInClusterException) {
        throw new ClusterException("found no 'mcm worker --cluster' in the cluster '" + options.getClusterName()
            + "' through " + options.getMembers() + ": start the workers first, they hold the cluster", e.getCause());
      }
      throw new ClusterException("cannot join the cluster '" + options.getClusterName() + "' through "
          + options.getMembers() + ": " + Mcm.describe(rootCause(e)), e.getCause());
    }
  }

  /**
   * @param vertx a Vert.x instance {@linkplain #start started} here
   * @return this node's Hazelcast member address, {@code host:port}: the address other nodes name in
   *     {@code --cluster}; or "?" if it is not clustered with Hazelcast
   */
  static String memberAddress(Vertx vertx) {
    ClusterManager manager = vertx instanceof VertxInternal internal ? internal.clusterManager() : null;
    if (manager instanceof HazelcastClusterManager hazelcast && hazelcast.getHazelcastInstance() != null) {
      var address = hazelcast.getHazelcastInstance().getCluster().getLocalMember().getAddress();
      return address.getHost() + ":" + address.getPort();
    }
    return "?";
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  /** This node could not join the cluster: the command fails (exit code 1) with its message. */
  static final class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ClusterException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
