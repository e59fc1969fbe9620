/**
 * Extension points: {@link io.asynqueue.spi.Worker} (something that runs the queue's jobs), the
 * {@link io.asynqueue.spi.Job} it is handed, the {@link io.asynqueue.spi.WorkerSupervisor} it reports to, and
 * {@link io.asynqueue.stream.ElementSource}, where a {@link io.asynqueue.stream.Prefetcherator} gets the elements of an
 * iterator held elsewhere. The process and remote modules build on these.
 */
package io.asynqueue.spi;
