package io.asynqueue;

/**
 * A task of no arguments: {@code q.call(() -> compute())}.
 *
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface Task0<R> extends Task<R> {

  /**
   * Runs the task.
   *
   * @return the result
   * @throws Exception anything; it fails the call with a {@link TaskException}
   */
  R call() throws Exception;

  @Override
  default R invoke(Object[] args) throws Exception {
    Task.checkArity(args, 0);
    return call();
  }
}
