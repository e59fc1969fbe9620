/**
 * Remote workers: a {@link io.asynqueue.remote.WorkerServer} on another host runs calls that a
 * {@link io.asynqueue.remote.RemoteWorker}, attached to any {@link io.asynqueue.TaskQueue}, sends it over TCP.
 *
 * <p>Calls name a method of the server's service ({@link io.asynqueue.remote.Remote#named(String)}) or are
 * instances of task classes on its allow-list. The client proves it holds a shared secret, or presents a trusted
 * TLS client certificate, before the server decodes anything; see {@link io.asynqueue.remote.WorkerServer} for the
 * security model and {@link io.asynqueue.remote.RemoteWorkerOptions} for what happens when a connection drops.
 * {@link io.asynqueue.remote.ServerManager} spawns servers in child JVMs for tests and demos; the command line is
 * {@code io.asynqueue.remote.cli.Main} ({@code java -jar asynqueue-remote.jar serve ...}).
 *
 * <p>Clusters: on a Vert.x cluster built with {@link io.asynqueue.remote.AsynQueueCluster} (Hazelcast, an optional
 * dependency), servers {@linkplain io.asynqueue.remote.WorkerServer#joinCluster(String) join a pool} and a
 * {@link io.asynqueue.remote.ClusterQueue} attaches every server of the pool as it joins and lets it go when it
 * leaves or its node dies. The cluster only finds the servers; calls stay on the authenticated remote protocol.
 */
package io.asynqueue.remote;
