package io.asynqueue;

/**
 * The worker holding a task was lost before the task finished: its child process died, its connection
 * dropped, or it was detached with {@link DetachMode#CRASH}. The call was not retried, either because it did
 * not {@linkplain CallOptions#setRetries(int) allow retries} or because it used them all.
 */
public class WorkerLostException extends AsynQueueException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what was lost, and why
   */
  public WorkerLostException(String message) {
    super(message, true);
  }

  /**
   * @param message what was lost
   * @param cause why
   */
  public WorkerLostException(String message, Throwable cause) {
    super(message, cause);
  }
}
