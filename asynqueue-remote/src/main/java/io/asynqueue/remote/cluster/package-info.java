/**
 * One queue over the worker servers of a Vert.x cluster. {@link io.asynqueue.remote.cluster.AsynQueueCluster}
 * makes the Hazelcast cluster manager (an optional dependency: {@code io.vertx:vertx-hazelcast}); servers
 * {@linkplain io.asynqueue.remote.cluster.ClusterQueue#join join a pool}; a
 * {@link io.asynqueue.remote.cluster.ClusterQueue} attaches every server of the pool as it joins and lets it go
 * when it leaves or its node dies. The cluster only finds the servers; calls stay on the authenticated remote
 * protocol.
 */
package io.asynqueue.remote.cluster;
