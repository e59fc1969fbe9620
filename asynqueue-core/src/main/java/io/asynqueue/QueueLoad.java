package io.asynqueue;

import java.util.Map;

/**
 * A snapshot of a queue's load.
 *
 * @param queued tasks waiting for a worker
 * @param running tasks held by workers
 * @param workers per attached worker ID, its load
 */
public record QueueLoad(int queued, int running, Map<Integer, WorkerLoad> workers) {

  /**
   * One worker's load.
   *
   * @param running tasks it holds now
   * @param done tasks it has finished (successfully or not)
   */
  public record WorkerLoad(int running, long done) {
  }
}
