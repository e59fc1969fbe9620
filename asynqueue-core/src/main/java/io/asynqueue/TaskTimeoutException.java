package io.asynqueue;

import java.time.Duration;

/**
 * A task ran longer than its {@linkplain CallOptions#setTimeout(Duration) timeout}, counted from the
 * moment a worker accepted it, on its last allowed attempt. The worker stopped it: a thread worker
 * interrupts (and replaces a thread that ignores the interrupt), a process worker kills and restarts its
 * child, a remote worker cancels.
 */
public class TaskTimeoutException extends AsynQueueException {

  private static final long serialVersionUID = 1L;

  /**
   * @param call a description of the call
   * @param timeout the timeout that ran out
   * @param attempts how many times the call was tried
   */
  public TaskTimeoutException(String call, Duration timeout, int attempts) {
    super("timed out after " + timeout.toMillis() + " ms" + (attempts > 1 ? " on each of " + attempts + " attempts" : "")
        + ": " + call, true);
  }
}
