package io.asynqueue;

/**
 * A call was cancelled: by its {@link CancelToken}, or by {@link TaskQueue#cancel(String, boolean)} of its
 * series. A call cancelled while queued never ran; one cancelled while running was stopped as its timeout
 * would have stopped it (a thread worker interrupts, a process worker kills and restarts its child, a remote
 * worker cancels). The message describes the call, for example {@code f(3)}.
 */
public class TaskCancelledException extends AsynQueueException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message the call described, and where it was when it was cancelled
   */
  public TaskCancelledException(String message) {
    super(message, true);
  }
}
