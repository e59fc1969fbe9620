package io.asynqueue.pipeline;

/**
 * One step of a running pipeline, linked to the step before it ({@link #upstream}). Confined to the engine's
 * context.
 *
 * <p>Elements move by pull: a node takes from its upstream with {@link #poll()} only when it has room, so a
 * node that stops taking stops everything before it. {@link Engine#pump()} calls {@link #step()} on every node,
 * sink first, until a whole pass changes nothing.
 */
abstract class Node {

  final Engine engine;
  Node upstream;

  Node(Engine engine) {
    this.engine = engine;
  }

  /**
   * Called by the downstream node when it has room for one more element.
   *
   * @return the next output, or {@code null} if none is ready now
   */
  Envelope poll() {
    return null;
  }

  /** @return {@code true} when no output will ever be ready again: the upstream is exhausted and this is empty */
  abstract boolean exhausted();

  /**
   * Makes what progress it can: takes from upstream, starts work.
   *
   * @return {@code true} if anything changed (so another pass may make more progress)
   */
  boolean step() {
    return false;
  }

  /** Called once on the context when the run starts, before the first step. */
  void open() {
  }

  /**
   * Called once when the run ends: release timers and streams.
   *
   * @param failed {@code true} when the run failed or was cancelled: drop what is in flight
   */
  void close(boolean failed) {
  }
}
