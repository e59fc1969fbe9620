package io.asynqueue.remote;

import io.asynqueue.Task;
import io.asynqueue.internal.NamedTask;
import java.util.Objects;

/**
 * The task behind {@code Remote.named}: only a method name, resolved by the server.
 *
 * @param method the name
 * @param <R> the result type
 */
record NamedCall<R>(String method) implements Task<R>, NamedTask {

  /**
   * @param method the name, not empty
   */
  public NamedCall {
    Objects.requireNonNull(method, "method");
    if (method.isEmpty()) {
      throw new IllegalArgumentException("a method name must not be empty");
    }
  }

  @Override
  public String taskName() {
    return method;
  }

  @Override
  public R invoke(Object[] args) {
    throw new UnsupportedOperationException("Remote.named(\"" + method + "\") names a method of a remote server's "
        + "service: it runs only on a RemoteWorker, not on a worker in this JVM (give the call a series that only "
        + "remote workers serve)");
  }
}
