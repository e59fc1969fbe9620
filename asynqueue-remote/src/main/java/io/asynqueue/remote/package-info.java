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
 */
package io.asynqueue.remote;
