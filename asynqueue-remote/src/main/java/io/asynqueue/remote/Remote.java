package io.asynqueue.remote;

import io.asynqueue.Task;
import java.util.Iterator;

/**
 * Names of what a {@link io.asynqueue.remote.server.WorkerServer}'s service exposes, to call through a queue with
 * {@link RemoteWorker}s:
 *
 * <pre>{@code
 * q.call(Remote.named("add", Integer.class), 1, 2).onSuccess(sum -> ...);   // Tasks.add(1, 2) on the server
 * q.iterate(Remote.iterator("lines", String.class), "log.txt")            // a method returning an Iterator
 *  .compose(d -> d.pipeTo(writeStream));
 * }</pre>
 *
 * <p>The types given are what the caller expects; nothing checks them against the server's methods, and a
 * result of another type fails where it is used, as an unchecked cast would.
 */
public final class Remote {

  private Remote() {
  }

  /**
   * A task that is the name of a public method of the server's service object; the server finds it by this name
   * and the number of arguments of the call. The task carries nothing but the name, so nothing of the caller's
   * code travels. Run on any worker other than a {@link RemoteWorker}, it fails with a message saying so.
   *
   * @param method the method's name
   * @param resultType the type of its result, for the call's Future
   * @param <R> the type of its result
   * @return the task
   * @throws IllegalArgumentException if the name is empty
   */
  public static <R> Task<R> named(String method, Class<R> resultType) {
    return new NamedCall<>(method);
  }

  /**
   * As {@link #named(String, Class)}, with the result's type left to the caller's context (an assignment, or a
   * type witness: {@code q.<Integer>call(Remote.named("add"), 1, 2)}).
   *
   * @param method the method's name
   * @param <R> the type of its result
   * @return the task
   * @throws IllegalArgumentException if the name is empty
   */
  public static <R> Task<R> named(String method) {
    return new NamedCall<>(method);
  }

  /**
   * A named method that returns an {@code Iterator} (or a {@code Stream} or {@code Iterable}), for
   * {@code iterate}: the iterator stays on the server, which sends its elements as the caller reads them.
   *
   * @param method the method's name
   * @param elementType the type of its elements, for the Deferator
   * @param <T> the type of its elements
   * @return the task
   * @throws IllegalArgumentException if the name is empty
   */
  public static <T> Task<Iterator<T>> iterator(String method, Class<T> elementType) {
    return new NamedCall<>(method);
  }
}
