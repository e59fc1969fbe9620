package io.asynqueue.internal;

import io.asynqueue.Task;

/**
 * A task that is only the name of something a worker elsewhere runs (such as a method of a remote server's
 * service): the queue describes its calls by that name, as {@code add(1, 2)}. For sibling modules; no
 * compatibility promise.
 *
 * @param <R> the type of the result
 */
public interface NamedTask<R> extends Task<R> {

  /** @return the name the worker resolves, such as {@code add} */
  String taskName();
}
