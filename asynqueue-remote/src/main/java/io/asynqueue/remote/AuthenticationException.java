package io.asynqueue.remote;

import io.asynqueue.AsynQueueException;

/**
 * A {@link RemoteWorker} and its server did not authenticate each other: the server refused the worker's proof of
 * the secret, the server could not prove it holds the secret, or one side wants a secret the other does not have;
 * or a server's entry in a cluster pool is not signed with the queue's secret.
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
