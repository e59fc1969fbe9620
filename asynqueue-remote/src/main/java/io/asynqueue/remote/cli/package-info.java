/**
 * The command line of the remote module: {@code serve} (alone, or on a cluster with {@code --cluster}) and
 * {@code secret}; {@link io.asynqueue.remote.cli.ClusterArgs}, the cluster options other command lines mix in;
 * {@link io.asynqueue.remote.cli.CommandErrors}, how these command lines (and {@code mcm}'s) report errors; and
 * {@link io.asynqueue.remote.cli.ServerManager}, which runs {@code serve} in child JVMs for tests and demos.
 */
package io.asynqueue.remote.cli;
