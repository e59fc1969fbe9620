/** The command line of the remote module: {@code serve} and {@code secret}. */
package io.asynqueue.remote.cli;
