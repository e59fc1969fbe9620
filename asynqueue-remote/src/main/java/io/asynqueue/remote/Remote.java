package io.asynqueue.remote;

import io.asynqueue.Task;
import io.asynqueue.remote.server.WorkerServer;

/**
 * Names of what a {@link WorkerServer}'s service exposes, to call through a queue with {@link RemoteWorker}s:
 *
 * <pre>{@code
 * q.call(Remote.named("add"), 1, 2).onSuccess(sum -> ...);          // Tasks.add(1, 2) on the server
 * q.iterate(Remote.named("lines"), null, "log.txt")                 // a method returning an Iterator
 *  .compose(d -> d.pipeTo(writeStream));
 * }</pre>
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
   * @param <R> the type of its result (unchecked: as the server's method returns)
   * @return the task
   * @throws IllegalArgumentException if the name is empty
   */
  public static <R> Task<R> named(String method) {
    return new NamedCall<>(method);
  }
}
