package io.asynqueue.mandelbrot;

import io.asynqueue.remote.server.WorkerServer;
import io.asynqueue.remote.server.WorkerServerOptions;
import io.vertx.core.Vertx;

/**
 * The row computation as a remote service: what {@code mcm worker} serves and {@code mcm render --remote} calls,
 * as {@code Remote.named("row")} with a {@link ViewSpec} and a row number.
 */
public final class RowService {

  /** The name remote calls use. */
  public static final String ROW = "row";

  /**
   * One row of a view.
   *
   * @param spec the view
   * @param y the row, from the top
   * @return its RGB bytes, {@code 3 * spec.nx()} of them
   */
  public byte[] row(ViewSpec spec, int y) {
    return MandelbrotValuer.row(spec, y);
  }

  /**
   * A server of rows: {@link RowService} exposed, {@link ViewSpec} allowed on the wire.
   *
   * @param vertx the Vert.x instance
   * @param options where to listen and how clients authenticate
   * @return the server, not yet listening
   */
  public static WorkerServer server(Vertx vertx, WorkerServerOptions options) {
    return WorkerServer.create(vertx, new RowService(), new WorkerServerOptions(options)
        .addDataClass(ViewSpec.class));
  }
}
