package io.asynqueue.internal.codec;

import com.esotericsoftware.kryo.io.Input;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads length-prefixed frames (a 4-byte big-endian length, then that many bytes) from a blocking stream, for
 * one reading thread. A frame is read whole before it is decoded, so a frame that fails to decode never
 * desynchronizes the stream.
 */
public final class FrameReader {

  private static final int SMALL = 64 * 1024;

  private final InputStream in;
  private final int maxFrameBytes;
  private final byte[] head = new byte[4];
  private byte[] buffer = new byte[SMALL];
  private final Input input = new Input();

  /**
   * @param in the stream, read by one thread only
   * @param maxFrameBytes the largest frame accepted; a longer one is a protocol error
   */
  public FrameReader(InputStream in, int maxFrameBytes) {
    this.in = in;
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Blocks until a whole frame has arrived.
   *
   * @return the frame, positioned at its first byte, valid until the next call; {@code null} at a clean end of
   *     stream (between frames)
   * @throws IOException if the stream fails, ends inside a frame, or announces a frame that is too long
   */
  public Input next() throws IOException {
    if (!readFully(head, 4, true)) {
      return null;
    }
    int length = ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
    if (length < 1 || length > maxFrameBytes) {
      throw new IOException("bad frame length " + length + " (at most " + maxFrameBytes + " allowed)");
    }
    if (length > buffer.length || (buffer.length > SMALL && length <= SMALL)) {
      buffer = new byte[Math.max(length, SMALL)]; // grow for a big frame, shrink back after one
    }
    readFully(buffer, length, false);
    input.setBuffer(buffer, 0, length);
    return input;
  }

  private boolean readFully(byte[] b, int n, boolean eofAllowed) throws IOException {
    int off = 0;
    while (off < n) {
      int r = in.read(b, off, n - off);
      if (r < 0) {
        if (off == 0 && eofAllowed) {
          return false;
        }
        throw new EOFException("stream ended inside a frame");
      }
      off += r;
    }
    return true;
  }
}
