package io.asynqueue;

/**
 * A worker's runner (a {@code WorkerServer}, a child process) refused to run a call, before running it: no
 * exposed method has that name and number of arguments, the task's class is not on its allow-list, or the
 * call could not be decoded there (a class it does not have or does not register). The message says which,
 * and what the runner does expose. The worker carries on; the call is not retried.
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
