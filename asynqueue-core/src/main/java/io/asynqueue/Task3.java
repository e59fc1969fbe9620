package io.asynqueue;

/**
 * A task of three arguments.
 *
 * @param <A> the type of the first argument
 * @param <B> the type of the second argument
 * @param <C> the type of the third argument
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface Task3<A, B, C, R> extends Task<R> {

  /**
   * Runs the task.
   *
   * @param a the first argument
   * @param b the second argument
   * @param c the third argument
   * @return the result
   * @throws Exception anything; it fails the call with a {@link TaskException}
   */
  R apply(A a, B b, C c) throws Exception;

  @Override
  @SuppressWarnings("unchecked")
  default R invoke(Object[] args) throws Exception {
    Task.checkArity(args, 3);
    return apply((A) args[0], (B) args[1], (C) args[2]);
  }
}
