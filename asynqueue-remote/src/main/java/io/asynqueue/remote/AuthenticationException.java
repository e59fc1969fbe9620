package io.asynqueue.remote;

import io.asynqueue.AsynQueueException;

/**
 * A {@link RemoteWorker} and its server did not authenticate each other: the server refused the worker's proof of
 * the secret, the server could not prove it holds the secret, or one side wants a secret the other does not have.
 */
public class AuthenticationException extends AsynQueueException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed
   */
  public AuthenticationException(String message) {
    super(message);
  }
}
