package io.asynqueue.pipeline;

import io.vertx.core.Future;

/** The end of a pipeline: takes every element the last node gives, and says when the run is over. */
abstract class Sink extends Node {

  Sink(Engine engine) {
    super(engine);
  }

  @Override
  boolean exhausted() {
    return false;
  }

  /**
   * The run is ending (once, on the context): end what the sink writes to.
   *
   * @param cause the failure, or {@code null} on success
   * @return a Future completed when the sink is ended
   */
  abstract Future<Void> finish(Throwable cause);

  /**
   * The run has ended and everything is released.
   *
   * @param cause the failure, or {@code null}
   */
  void ended(Throwable cause) {
  }
}
