package io.asynqueue.benchmarks;

import io.asynqueue.TaskQueue;
import io.asynqueue.ThreadQueue;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;

final class Queues {

  private Queues() {
  }

  /** A {@link ThreadQueue} whose workers have all attached. */
  static TaskQueue threadQueue(Vertx vertx, int workers) throws Exception {
    TaskQueue queue = ThreadQueue.create(vertx, workers);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (queue.size() < workers) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(workers + " thread workers did not attach within 10 s");
      }
      Thread.sleep(1);
    }
    return queue;
  }
}
