package io.asynqueue;


/**
 * What a queue records of its calls and workers: nothing ({@link #NONE}) unless its options name a Micrometer
 * {@code MeterRegistry}, when it is a {@link MicrometerQueueMetrics}. The engine calls these hooks at fixed
 * points (a call made, started, settled or ended without a worker; a worker attached, lost, restarted or gone),
 * one line each, so that without a registry a call pays a few empty virtual calls and Micrometer need not be on
 * the class path: only {@link #of} names the Micrometer recorder, and only when a registry was given.
 *
 * <p>Every hook is called outside the queue's lock (except where noted) and must not throw.
 */
abstract class QueueMetrics {

  /** Records nothing. */
  static final QueueMetrics NONE = new QueueMetrics() { };

  /** The recorder for a queue: {@link #NONE} without a registry. */
  static QueueMetrics of(Dispatcher dispatcher, TaskQueueOptions options) {
    if (!options.hasMeterRegistry()) {
      return NONE;
    }
    return new MicrometerQueueMetrics(dispatcher, options, options.getName()); // its name, q1, q2, ... by default
  }

  /** A call was made (before it is pushed on the intake). */
  void queued(JobImpl job) {
  }

  /** An attempt is about to be handed to its worker ({@code job.worker}). */
  void started(JobImpl job) {
  }

  /** An attempt was settled by its worker, its timeout or the loss of its worker; {@code retry} if tried again. */
  void settled(JobImpl job, Throwable failure, boolean retry) {
  }

  /** A call ended without an attempt settling it: dropped from the queue, cancelled, or its retry refused. */
  void ended(JobImpl job, Throwable failure) {
  }

  /** A worker was attached and takes calls. */
  void attached(WorkerSlot slot) {
  }

  /** A worker resigned: it is lost. */
  void lost(WorkerSlot slot) {
  }

  /** A worker started over (a new child process, a new connection). */
  void restarted(WorkerSlot slot) {
  }

  /** A worker's server refused its handshake. */
  void handshakeRefused(WorkerSlot slot) {
  }

  /** A worker was taken out of the queue (detached, resigned or shut down). Under the lock. */
  void detached(WorkerSlot slot) {
  }

  /** The queue has stopped: its meters are removed from the registry. */
  void close() {
  }
}
