package io.asynqueue.stream;

/**
 * A pull-style operation was asked for again before the previous one completed, for example
 * {@link Deferator#next()} called twice without waiting for the first Future.
 */
public class NotReadyException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what was not ready
   */
  public NotReadyException(String message) {
    super(message);
  }
}
