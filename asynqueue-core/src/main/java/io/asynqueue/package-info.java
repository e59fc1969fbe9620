/**
 * AsynQueue for Vert.x: a prioritized task queue whose workers run tasks on an event loop, on threads, in
 * child JVMs or on remote servers, with results, failures and iterations returned as Vert.x Futures and
 * streams.
 *
 * <p>Start with {@link io.asynqueue.TaskQueue} (and {@link io.asynqueue.ThreadQueue} for the common case),
 * {@link io.asynqueue.CallOptions} for priority, series, timeouts and retries, {@link io.asynqueue.Workers}
 * for the workers that run in this JVM, and the typed failures ({@link io.asynqueue.TaskException},
 * {@link io.asynqueue.TaskTimeoutException}, {@link io.asynqueue.WorkerLostException},
 * {@link io.asynqueue.QueueShutdownException}, {@link io.asynqueue.CodecException}).
 *
 * <p>Beside it: {@link io.asynqueue.stream} (iteration: Deferator and friends), {@link io.asynqueue.toolkit}
 * (Delay, DeferredTracker, DeferredLock), {@link io.asynqueue.pipeline} (data through stages of workers) and
 * {@link io.asynqueue.spi} (for writing a worker).
 *
 * <p>The queue's engine lives here too, package-private: the scheduler's design note opens
 * {@code Dispatcher} (and {@code TaskQueueImpl} names the parts).
 *
 * <p>Threading: every type here may be used from any thread unless its javadoc says otherwise; every Future
 * completes on the Vert.x context of the caller that asked for it.
 */
package io.asynqueue;
