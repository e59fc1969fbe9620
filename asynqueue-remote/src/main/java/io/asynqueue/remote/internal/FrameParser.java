package io.asynqueue.remote.internal;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;

/**
 * Splits a socket's bytes into frames: a fixed 4-byte length, then that many bytes. The length is checked against
 * the maximum before a byte of the body is buffered, so a peer cannot make it hold more than one maximum frame.
 * After a bad length it stops: the owner closes the connection.
 */
public final class FrameParser implements Handler<Buffer> {

  /** Where frames go. */
  public interface Sink {
    /** A whole frame body (its first byte is the type). */
    void frame(Buffer body);

    /** The peer broke the framing: close. */
    void framingError(String why);
  }

  private final RecordParser parser = RecordParser.newFixed(4);
  private final int maxFrameBytes;
  private final Sink sink;
  private boolean header = true;
  private boolean dead;

  public FrameParser(int maxFrameBytes, Sink sink) {
    this.maxFrameBytes = maxFrameBytes;
    this.sink = sink;
    parser.handler(this::record);
  }

  @Override
  public void handle(Buffer bytes) {
    if (!dead) {
      parser.handle(bytes);
    }
  }

  /** Stops delivering frames (the connection is closing). */
  public void stop() {
    dead = true;
  }

  private void record(Buffer b) {
    if (dead) {
      return;
    }
    if (header) {
      int length = b.getInt(0);
      if (length < 1 || length > maxFrameBytes) {
        dead = true;
        sink.framingError("a frame of " + Integer.toUnsignedString(length) + " bytes announced (at most "
            + maxFrameBytes + " allowed)");
        return;
      }
      header = false;
      parser.fixedSizeMode(length);
    } else {
      header = true;
      parser.fixedSizeMode(4);
      sink.frame(b);
    }
  }
}
