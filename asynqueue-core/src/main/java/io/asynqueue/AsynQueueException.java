package io.asynqueue;

import io.vertx.core.VertxException;

/**
 * The base of every failure the queue reports. Unchecked, as Vert.x failures are.
 *
 * <p>Subclasses say what went wrong: {@link TaskException} (the task threw), {@link TaskTimeoutException}
 * (the task ran past its timeout), {@link WorkerLostException} (the worker holding the task died or was
 * crashed) and {@link QueueShutdownException} (the queue no longer takes or runs tasks).
 */
public class AsynQueueException extends VertxException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what went wrong
   */
  public AsynQueueException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public AsynQueueException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * @param message what went wrong
   * @param noStackTrace {@code true} to skip filling in the stack trace (a cheap control-flow failure)
   */
  protected AsynQueueException(String message, boolean noStackTrace) {
    super(message, noStackTrace);
  }
}
