/**
 * AsynQueue for Vert.x: a prioritized task queue whose workers run tasks on an event loop, on threads, in
 * child JVMs or on remote servers, with results, failures and iterations returned as Vert.x Futures and
 * streams.
 *
 * <p>Start with {@link io.asynqueue.TaskQueue} (and {@link io.asynqueue.ThreadQueue} for the common case),
 * {@link io.asynqueue.CallOptions} for priority, series, timeouts and retries, and the typed failures
 * ({@link io.asynqueue.TaskException}, {@link io.asynqueue.TaskTimeoutException},
 * {@link io.asynqueue.WorkerLostException}, {@link io.asynqueue.QueueShutdownException}).
 * Iteration: {@link io.asynqueue.stream.Deferator}, {@link io.asynqueue.stream.Prefetcherator},
 * {@link io.asynqueue.stream.ListConsumer}, {@link io.asynqueue.stream.OrderedItemProducer}. Toolkit:
 * {@link io.asynqueue.toolkit.Delay}, {@link io.asynqueue.toolkit.DeferredTracker}, {@link io.asynqueue.toolkit.DeferredLock}.
 *
 * <p>Threading: every type here may be used from any thread unless its javadoc says otherwise; every Future
 * completes on the Vert.x context of the caller that asked for it.
 */
package io.asynqueue;
