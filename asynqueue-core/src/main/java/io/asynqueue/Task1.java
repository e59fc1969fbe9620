package io.asynqueue;

/**
 * A task of one argument: {@code q.call(x -> x * 2, 21)} or {@code q.call(Parser::parse, path)}.
 *
 * @param <A> the type of the argument
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface Task1<A, R> extends Task<R> {

  /**
   * Runs the task.
   *
   * @param a the argument
   * @return the result
   * @throws Exception anything; it fails the call with a {@link TaskException}
   */
  R apply(A a) throws Exception;

  @Override
  @SuppressWarnings("unchecked")
  default R invoke(Object[] args) throws Exception {
    Task.checkArity(args, 1);
    return apply((A) args[0]);
  }
}
