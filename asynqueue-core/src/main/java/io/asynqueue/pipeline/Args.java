package io.asynqueue.pipeline;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The positional arguments of one call, as an element: {@link Pipeline#mapArgs(io.asynqueue.Task, Stage)}
 * spreads them over a task of several arguments (job_stream's {@code Args}).
 *
 * <pre>{@code
 * Pipeline.from(vertx, List.of(Args.of(1, 2, 3, 4)))
 *     .mapArgs((Task<String>) a -> "Got " + a[0] + ", " + a[1] + ", " + a[2] + ", " + a[3], stage())
 * }</pre>
 */
public final class Args implements Serializable {

  private static final long serialVersionUID = 1L;

  /** @serial the arguments, in order */
  private final Object[] values;

  private Args(Object[] values) {
    this.values = values;
  }

  /**
   * @param values the arguments, in order (copied)
   * @return the arguments
   */
  public static Args of(Object... values) {
    return new Args(values.clone());
  }

  /** @return a copy of the arguments */
  public Object[] values() {
    return values.clone();
  }

  /** @return how many arguments */
  public int size() {
    return values.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Args && Arrays.equals(values, ((Args) o).values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "Args" + Arrays.toString(values);
  }
}
