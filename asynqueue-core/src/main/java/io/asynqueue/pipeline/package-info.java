/**
 * Pipelines: data through stages of workers, with backpressure, on any of the queue's worker kinds.
 *
 * <p>{@link io.asynqueue.pipeline.Pipeline} is the whole API: an input (an Iterator, Iterable or
 * ReadStream), stages ({@code map}, {@code filter}, {@code flatMap}, {@code mapAsync}, {@code mapArgs}) each
 * placed by a {@link io.asynqueue.pipeline.Stage} (the event loop, private threads, or any
 * {@link io.asynqueue.TaskQueue}), order ({@code ordered}, {@code partitionBy}), flow ({@code rateLimit},
 * {@code batch}, {@code reduce}, {@code frame}), and a sink ({@code to}, {@code forEach}, {@code collect},
 * {@code stream}). Failures are {@link io.asynqueue.pipeline.PipelineException}s naming the stage and the
 * element; {@link io.asynqueue.pipeline.PipelineStats} is a snapshot of a run;
 * {@link io.asynqueue.pipeline.ResourceGuard} pauses the intake when the machine is busy.
 *
 * <p>It brings together what four Python systems do: k3jobq (stages with thread counts, keep_order,
 * dispatchers, EmptyRst, iterator workers, timeout, stats, changing a stage's threads, limit_job_speed),
 * parallel-queue (results in input order from parallel workers, markers, a bounded out-of-order buffer),
 * job_stream (job, reduce with emit, frame and frameEnd, result, finish, init, Multiple, Args) and
 * mt.concurrency (a work iterator running ahead by a bounded buffer, ordered and unordered pmap with batches,
 * resource guards, serial mode for small inputs). Memory is bounded by the stages' windows, so an endless
 * input works.
 *
 * <p>Threading: a pipeline runs on one Vert.x context, where its input is read and its bookkeeping done;
 * work runs on the stages' workers; every Future completes on that context.
 */
package io.asynqueue.pipeline;
