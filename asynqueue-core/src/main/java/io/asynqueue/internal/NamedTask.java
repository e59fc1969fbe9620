package io.asynqueue.internal;

/**
 * Marks a task that is only the name of something a worker elsewhere runs (such as a method of a remote
 * server's service): the queue describes its calls by that name, as {@code add(1, 2)}, and the wire sends the
 * name. A marker beside {@code io.asynqueue.Task}, not a subtype, so this tier does not depend on the API's. For
 * sibling modules; no compatibility promise.
 */
public interface NamedTask {

  /** @return the name the worker resolves, such as {@code add} */
  String taskName();
}
