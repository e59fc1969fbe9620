package io.asynqueue.mandelbrot.web;

import io.asynqueue.mandelbrot.PngWriteStream;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.WriteStream;

/**
 * The rows' destination for one HTTP render: a {@link PngWriteStream} whose write queue also counts as full
 * while the HTTP response's is. A pipe from the rows pauses them then, so a slow client slows its render down
 * instead of filling memory. Used on the request's context.
 */
final class ResponseRowSink implements WriteStream<byte[]> {

  private final PngWriteStream png;
  private final HttpServerResponse response;
  private Handler<Void> drainHandler;

  ResponseRowSink(PngWriteStream png, HttpServerResponse response) {
    this.png = png;
    this.response = response;
  }

  @Override
  public ResponseRowSink exceptionHandler(Handler<Throwable> handler) {
    png.exceptionHandler(handler);
    return this;
  }

  @Override
  public Future<Void> write(byte[] row) {
    return png.write(row);
  }

  @Override
  public Future<Void> end() {
    return png.end();
  }

  @Override
  public ResponseRowSink setWriteQueueMaxSize(int maxSize) {
    png.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return png.writeQueueFull() || (!response.ended() && !response.closed() && response.writeQueueFull());
  }

  @Override
  public ResponseRowSink drainHandler(Handler<Void> handler) {
    drainHandler = handler;
    png.drainHandler(v -> drained());
    response.drainHandler(v -> drained());
    return this;
  }

  /** One side drained: call the handler once both have room. */
  private void drained() {
    Handler<Void> h = drainHandler;
    if (h != null && !writeQueueFull()) {
      drainHandler = null;
      h.handle(null);
    }
  }
}
