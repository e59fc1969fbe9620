package io.asynqueue.remote.cluster;

import io.vertx.core.Vertx;

/**
 * The way into the cluster classes, which need Hazelcast ({@code io.vertx:vertx-hazelcast}, an optional dependency):
 * without it on the class path, a clear error instead of a {@code NoClassDefFoundError}. This class refers to no
 * Hazelcast type, so loading it never fails.
 */
public final class Clustering {

  private static final boolean HAZELCAST = present("io.vertx.spi.cluster.hazelcast.HazelcastClusterManager")
      && present("com.hazelcast.core.HazelcastInstance");

  private Clustering() {
  }

  /**
   * The directory of a pool.
   *
   * @param vertx a clustered Vert.x instance, with a Hazelcast cluster manager
   * @param pool the pool's name
   * @return the directory
   * @throws IllegalStateException if Hazelcast is not on the class path
   * @throws IllegalArgumentException if Vert.x is not clustered by Hazelcast, or the pool name is blank
   */
  public static ClusterDirectory directory(Vertx vertx, String pool) {
    if (!HAZELCAST) {
      throw new IllegalStateException("clusters need io.vertx:vertx-hazelcast on the class path: add it to the build "
          + "(asynqueue-remote declares it optional)");
    }
    return ClusterDirectory.of(vertx, pool);
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, Clustering.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
