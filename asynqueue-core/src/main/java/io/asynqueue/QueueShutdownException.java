package io.asynqueue;

/**
 * The queue was shut down: a call made after {@link TaskQueue#shutdown()}, a task still queued at
 * {@link TaskQueue#shutdownNow()}, or a task that no remaining worker could serve when the queue drained.
 * The message describes the call, for example {@code f(3)}.
 */
public class QueueShutdownException extends AsynQueueException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message the call described, and why it did not run
   */
  public QueueShutdownException(String message) {
    super(message, true);
  }
}
