/**
 * The implementation of remote workers: the handshake ({@link io.asynqueue.remote.impl.Handshake}), the frames
 * after it ({@link io.asynqueue.remote.impl.RemoteWire}), the server's connections and threads, and the client's
 * connection and reconnection. No compatibility promise.
 */
package io.asynqueue.remote.impl;
