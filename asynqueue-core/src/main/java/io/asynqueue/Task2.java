package io.asynqueue;

/**
 * A task of two arguments: {@code q.call((a, b) -> a + b, 1, 2)}.
 *
 * @param <A> the type of the first argument
 * @param <B> the type of the second argument
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface Task2<A, B, R> extends Task<R> {

  /**
   * Runs the task.
   *
   * @param a the first argument
   * @param b the second argument
   * @return the result
   * @throws Exception anything; it fails the call with a {@link TaskException}
   */
  R apply(A a, B b) throws Exception;

  @Override
  @SuppressWarnings("unchecked")
  default R invoke(Object[] args) throws Exception {
    Task.checkArity(args, 2);
    return apply((A) args[0], (B) args[1]);
  }
}
