package io.asynqueue;

import io.vertx.core.Vertx;

/**
 * A {@link TaskQueue} of {@linkplain Workers#thread() thread workers}, one thread each: the usual way to run blocking or CPU-bound
 * work off the event loop, by priority.
 *
 * <pre>{@code
 * TaskQueue q = ThreadQueue.create(vertx, 4);
 * q.call(x -> x * 2, 21).onSuccess(v -> ...);
 * }</pre>
 */
public final class ThreadQueue {

  private ThreadQueue() {
  }

  /**
   * @param vertx the Vert.x instance
   * @param workers how many thread workers, at least 1
   * @return a queue with that many thread workers attached (they take calls at once)
   */
  public static TaskQueue create(Vertx vertx, int workers) {
    return create(vertx, workers, new TaskQueueOptions());
  }

  /**
   * @param vertx the Vert.x instance
   * @param workers how many thread workers, at least 1
   * @param options the queue's options
   * @return a queue with that many thread workers attached (they take calls at once)
   */
  public static TaskQueue create(Vertx vertx, int workers, TaskQueueOptions options) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, was " + workers);
    }
    TaskQueue queue = TaskQueue.create(vertx, options);
    for (int i = 0; i < workers; i++) {
      queue.attachWorker(Workers.thread());
    }
    return queue;
  }
}
