package io.asynqueue;

/** How {@link TaskQueue#detachWorker(int, DetachMode)} lets a worker go. */
public enum DetachMode {
  /**
   * Take no new tasks; let the worker finish the ones it holds, within the queue's
   * {@linkplain TaskQueueOptions#setStopTimeout(java.time.Duration) stop timeout}; after that, crash it.
   */
  GRACEFUL,
  /** Crash it now and put the tasks it held back on the queue, ahead of everything else, to run elsewhere. */
  REASSIGN,
  /**
   * Crash it now; the tasks it held fail with {@link WorkerLostException}, or go back on the queue when
   * their call {@linkplain CallOptions#setRetries(int) allowed a retry}.
   */
  CRASH
}
