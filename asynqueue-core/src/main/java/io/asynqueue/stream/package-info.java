/**
 * Iteration as Vert.x streams: a task's iterator stays where the task ran, and the caller reads it here.
 *
 * <p>{@link io.asynqueue.stream.Deferator} is a {@code ReadStream} with a pull-style {@code next()} over a
 * bounded prefetch window; {@link io.asynqueue.stream.Prefetcherator} is the window itself, over any
 * {@link io.asynqueue.stream.ElementSource}. {@link io.asynqueue.stream.ListConsumer} is a {@code WriteStream}
 * that processes each element with an async function, in order; {@link io.asynqueue.stream.OrderedItemProducer}
 * runs an async function over many inputs, a bounded number at a time, and streams the results in input
 * order. Backpressure holds end to end: a slow consumer stops the producer, wherever it runs.
 *
 * <p>Threading: all handlers and Futures run on the context given to each type, whatever thread did the
 * work.
 */
package io.asynqueue.stream;
