/**
 * What the client and the server of the remote module share: the handshake records
 * ({@link io.asynqueue.remote.internal.Handshake}), the framing of a socket's bytes
 * ({@link io.asynqueue.remote.internal.FrameParser}) and the frames going out on one
 * ({@link io.asynqueue.remote.internal.Outbox}). The frames themselves are the task protocol of asynqueue-core
 * ({@code io.asynqueue.internal.codec.Wire}). For this module; no compatibility promise.
 */
package io.asynqueue.remote.internal;
