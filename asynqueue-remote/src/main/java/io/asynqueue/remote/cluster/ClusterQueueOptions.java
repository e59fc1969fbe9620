package io.asynqueue.remote.cluster;

import io.asynqueue.TaskQueueOptions;
import io.asynqueue.remote.RemoteWorkerOptions;
import java.util.Objects;

/**
 * Options of a {@link ClusterQueue}: those of its queue, and those of the {@link io.asynqueue.remote.RemoteWorker} it
 * attaches for each server it finds (the secret or TLS settings, in-flight limits, prefetch, reconnection; the host
 * and port come from the cluster).
 *
 * <pre>{@code
 * new ClusterQueueOptions().setWorkerOptions(new RemoteWorkerOptions().setSecret(secret))
 * }</pre>
 */
public class ClusterQueueOptions {

  private TaskQueueOptions queueOptions = new TaskQueueOptions();
  private RemoteWorkerOptions workerOptions = new RemoteWorkerOptions();

  /** Default options: give the workers a secret (or TLS settings) before use. */
  public ClusterQueueOptions() {
  }

  /**
   * A copy.
   *
   * @param other the options to copy
   */
  public ClusterQueueOptions(ClusterQueueOptions other) {
    queueOptions = new TaskQueueOptions(other.queueOptions);
    workerOptions = new RemoteWorkerOptions(other.workerOptions);
  }

  /** @return the queue's options */
  public TaskQueueOptions getQueueOptions() {
    return queueOptions;
  }

  /**
   * @param queueOptions the queue's options
   * @return a reference to this, so the API can be used fluently
   */
  public ClusterQueueOptions setQueueOptions(TaskQueueOptions queueOptions) {
    this.queueOptions = Objects.requireNonNull(queueOptions, "queueOptions");
    return this;
  }

  /** @return the options of every remote worker (their host and port are ignored) */
  public RemoteWorkerOptions getWorkerOptions() {
    return workerOptions;
  }

  /**
   * @param workerOptions the options of every remote worker: the secret or TLS settings the servers expect, and
   *     the rest; their host and port are ignored (each worker gets its server's)
   * @return a reference to this, so the API can be used fluently
   */
  public ClusterQueueOptions setWorkerOptions(RemoteWorkerOptions workerOptions) {
    this.workerOptions = Objects.requireNonNull(workerOptions, "workerOptions");
    return this;
  }
}
