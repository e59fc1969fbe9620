package io.asynqueue.mandelbrot.web;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.OutputStream;

/**
 * The PNG encoder's output: bytes written on the encoding thread go to the HTTP response on its context, in
 * order ({@code runOnContext} runs tasks in the order they were posted). Once the client has gone, writes are
 * dropped. Closing it does not end the response: the server does, once the PNG is whole and the render counted,
 * after {@link #closed()}.
 *
 * <p>Why {@link #closed()} and not the end of the encoding: a Future completed on the encoding thread runs a
 * listener attached later at once, on the context, ahead of the writes the encoder posted there just before.
 * (A pipe calls {@code end()} and then attaches its listener; if the event loop is preempted between the two, the
 * encoding finishes in between.) The response was then ended first and the PNG's rows were dropped: a 200 with
 * only the 33-byte header. {@link #close()} posts its signal behind the writes instead, on the same queue.
 *
 * <p>No backpressure here: {@link ResponseRowSink} pauses the rows while the response's write queue is full,
 * so the encoder, which only runs on rows it was given, stops too.
 */
final class ResponseOutputStream extends OutputStream {

  private final Context context;
  private final HttpServerResponse response;
  /** Set on the context when the connection closes; read on the encoding thread too. */
  private volatile boolean gone;
  /** Completed on the context by the task {@link #close()} posts, so after every write before it. */
  private final Promise<Void> closed = Promise.promise();

  ResponseOutputStream(Context context, HttpServerResponse response) {
    this.context = context;
    this.response = response;
  }

  /** The client has gone: drop every later write. On the context. */
  void clientGone() {
    gone = true;
  }

  boolean isClientGone() {
    return gone;
  }

  /** @return a Future completed on the context once the stream is closed and every write before has been done */
  Future<Void> closed() {
    return closed.future();
  }

  /** Closes the stream: posts the {@link #closed()} signal to the context, behind every write so far. */
  @Override
  public void close() {
    context.runOnContext(v -> closed.tryComplete());
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (gone || len == 0) {
      return;
    }
    Buffer chunk = Buffer.buffer(len).appendBytes(b, off, len); // a copy: the encoder reuses its array
    context.runOnContext(v -> {
      if (!gone && !response.ended()) {
        response.write(chunk);
      }
    });
  }
}
