/**
 * Remote workers: a {@link io.asynqueue.remote.server.WorkerServer} on another host runs calls that a
 * {@link io.asynqueue.remote.RemoteWorker}, attached to any {@link io.asynqueue.TaskQueue}, sends it over TCP.
 *
 * <p>Calls name a method of the server's service ({@link io.asynqueue.remote.Remote#named(String)}) or are
 * instances of task classes on its allow-list. The client proves it holds a shared secret, or presents a trusted
 * TLS client certificate, before the server decodes anything; see {@link io.asynqueue.remote.server.WorkerServer}
 * for the security model and {@link io.asynqueue.remote.RemoteWorkerOptions} for what happens when a connection
 * drops. The worker is the channel kernel of asynqueue-core over a TCP transport, package-private here.
 *
 * <p>Beside it: {@link io.asynqueue.remote.server} (the server), {@link io.asynqueue.remote.cluster} (one queue
 * over the servers of a Vert.x cluster), {@link io.asynqueue.remote.cli} (the command line, and
 * {@link io.asynqueue.remote.cli.ServerManager}, which spawns servers in child JVMs for tests and demos), and
 * {@code io.asynqueue.remote.internal} (the handshake and framing both ends share; no compatibility promise).
 */
package io.asynqueue.remote;
