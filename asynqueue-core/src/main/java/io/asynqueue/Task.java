package io.asynqueue;

import java.io.Serializable;

/**
 * The general form of a task: a function of positional arguments, run by a worker.
 *
 * <p>Users rarely implement this directly: write a lambda or method reference for one of the typed
 * forms {@link Task0}, {@link Task1}, {@link Task2} or {@link Task3}, each of which is a {@code Task}.
 * Tasks are {@link Serializable} so that a process worker can send a lambda or method reference to
 * a child JVM; a task that only ever runs in this JVM need not capture serializable state.
 *
 * <p>A task that is only a <em>name</em> for something a remote server exposes (see the remote module)
 * also implements this interface; running it locally fails with a clear message.
 *
 * @param <R> the type of the result
 */
@FunctionalInterface
public interface Task<R> extends Serializable {

  /**
   * Runs the task with these arguments.
   *
   * @param args the positional arguments, never {@code null}
   * @return the result, which may be {@code null}
   * @throws Exception anything the task throws; it fails the call with a {@link TaskException}
   */
  R invoke(Object[] args) throws Exception;

  /**
   * Checks that a typed task got the number of arguments it takes.
   *
   * @param args the arguments given
   * @param expected how many the task takes
   * @throws IllegalArgumentException if the counts differ
   */
  static void checkArity(Object[] args, int expected) {
    if (args.length != expected) {
      throw new IllegalArgumentException(
          "task takes " + expected + " argument(s) but was given " + args.length);
    }
  }
}
