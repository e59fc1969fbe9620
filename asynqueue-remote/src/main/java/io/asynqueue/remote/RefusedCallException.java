package io.asynqueue.remote;

import io.asynqueue.AsynQueueException;

/**
 * A {@link WorkerServer} refused to run a call: no exposed method has that name and number of arguments, the task's
 * class is not on its allow-list, or the call could not be decoded (a class it does not register). The message says
 * which, and what the server does expose. The connection stays usable; the call is not retried.
 */
public class RefusedCallException extends AsynQueueException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message why, as the server said
   */
  public RefusedCallException(String message) {
    super(message);
  }
}
