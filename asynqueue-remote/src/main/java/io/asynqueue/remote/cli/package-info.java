/**
 * The command line of the remote module: {@code serve} (alone, or on a cluster with {@code --cluster}) and
 * {@code secret}; and {@link io.asynqueue.remote.cli.ClusterArgs}, the cluster options other command lines mix in.
 */
package io.asynqueue.remote.cli;
