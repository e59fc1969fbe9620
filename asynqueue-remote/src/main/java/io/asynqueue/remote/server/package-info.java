/**
 * The worker server: {@link io.asynqueue.remote.server.WorkerServer} runs calls from remote workers, after they
 * prove they hold its secret (or present a trusted TLS client certificate), configured by
 * {@link io.asynqueue.remote.server.WorkerServerOptions}. Its connections are the runner side of the task protocol
 * of asynqueue-core, package-private here, as are its threads and the methods its service exposes.
 * {@link io.asynqueue.remote.server.WorkerServerInternal} is what the cluster code needs of a server; not for
 * users.
 */
package io.asynqueue.remote.server;
