package io.asynqueue.remote.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * What the cluster code needs of a {@link WorkerServer}: its options, whether it is closing, and steps that
 * {@link #close()} runs first (leaving the pools it joined). For this project's modules; not for users.
 */
public interface WorkerServerInternal extends WorkerServer {

  /** @return the Vert.x instance it runs on */
  Vertx vertx();

  /** @return the server's options */
  WorkerServerOptions options();

  /** @return whether {@link #close()} was called */
  boolean isClosing();

  /**
   * Adds a step that {@link #close()} runs first, such as leaving a cluster pool.
   *
   * @param leave the step
   * @return {@code false} if the server is closing already: the step will not run
   */
  boolean beforeClose(Supplier<Future<Void>> leave);

  /**
   * Takes a step back, unless close() took it already.
   *
   * @param leave the step
   * @return whether it was there (and so is now the caller's to run)
   */
  boolean removeBeforeClose(Supplier<Future<Void>> leave);
}
