package io.asynqueue.internal.codec;

import com.esotericsoftware.kryo.io.Output;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Writes length-prefixed frames to a blocking stream (a pipe), coalescing the frames of a burst into one write.
 *
 * <p>Any thread {@linkplain #append appends} encoded frames to a pending buffer (a memory copy, never I/O). The
 * pending bytes go out in one {@code write} either on the appending thread ({@link #flush()}: when nothing else is
 * writing, which is the fast path for a lone call) or on this writer's own thread ({@link #flushLater()}: when
 * more frames are about to follow, or the caller must not block). While one write is in progress, frames
 * appended meanwhile wait and go out together in the next write. Two buffers swap, so appending never waits for
 * the I/O.
 *
 * <p>An I/O failure (the peer is gone) is reported once to the failure handler; appends then throw.
 */
public final class FrameWriter implements AutoCloseable {

  /** Frames up to this size are copied into the pending buffer; larger ones can go through {@link #writeDirect}. */
  public static final int SMALL = 64 * 1024;

  private final OutputStream out;
  private final Consumer<IOException> onFailure;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition idle = lock.newCondition();
  private final Thread thread;
  // @protectedby lock
  private byte[] pending = new byte[SMALL];
  private int pendingLength;
  private byte[] spare = new byte[SMALL];
  private boolean writing;
  private boolean wanted;
  private int idleWaiters;
  private boolean closed;
  private IOException failure;

  /**
   * @param out the stream; written by one thread at a time
   * @param threadName the name of the writer's thread (a daemon)
   * @param onFailure called once, on the thread that saw it, when a write fails
   */
  public FrameWriter(OutputStream out, String threadName, Consumer<IOException> onFailure) {
    this.out = out;
    this.onFailure = onFailure;
    this.thread = new Thread(this::loop, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Starts a frame in {@code output}: reserves its length prefix.
   *
   * @param output where the frame is being encoded
   * @return the frame's start, for {@link #endFrame}
   */
  public static int beginFrame(Output output) {
    int start = output.position();
    output.writeInt(0);
    return start;
  }

  /**
   * Ends a frame begun at {@code start}: fills in its length prefix (4 bytes, big-endian).
   *
   * @param output where the frame was encoded
   * @param start what {@link #beginFrame} returned
   * @return the frame's total length, prefix included
   */
  public static int endFrame(Output output, int start) {
    int total = output.position() - start;
    int length = total - 4;
    byte[] b = output.getBuffer();
    b[start] = (byte) (length >>> 24);
    b[start + 1] = (byte) (length >>> 16);
    b[start + 2] = (byte) (length >>> 8);
    b[start + 3] = (byte) length;
    return total;
  }

  /**
   * Adds encoded frames to the pending buffer. Never does I/O.
   *
   * @param b the bytes, whole frames
   * @param off where they start
   * @param len how many
   * @throws IOException if the writer failed or was closed
   */
  public void append(byte[] b, int off, int len) throws IOException {
    lock.lock();
    try {
      checkOpen();
      if (pendingLength + len > pending.length) {
        byte[] bigger = new byte[Math.max(pending.length * 2, pendingLength + len)];
        System.arraycopy(pending, 0, bigger, 0, pendingLength);
        pending = bigger;
      }
      System.arraycopy(b, off, pending, pendingLength, len);
      pendingLength += len;
    } finally {
      lock.unlock();
    }
  }

  /** @return how many bytes are waiting to be written */
  public int pendingBytes() {
    lock.lock();
    try {
      return pendingLength;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes the pending bytes now, on this thread, unless another write is in progress (then that writer sends
   * them right after). Blocks for the duration of one write.
   */
  public void flush() {
    byte[] batch;
    int n;
    lock.lock();
    try {
      if (writing || pendingLength == 0 || failure != null) {
        return;
      }
      writing = true;
      batch = swap();
      n = batchLength;
    } finally {
      lock.unlock();
    }
    IOException error = write(batch, n, null, 0, 0);
    finishWrite(batch, error);
  }

  /** Has the writer's thread write the pending bytes soon. Never blocks. */
  public void flushLater() {
    lock.lock();
    try {
      if (pendingLength > 0) {
        wanted = true;
        if (!writing) {
          work.signal(); // cheap when the writer is already awake
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes the pending bytes and then one large frame, on this thread, without copying the frame. Blocks until
   * written (for example while the peer reads tens of megabytes).
   *
   * @param b the frame's bytes
   * @param off where it starts
   * @param len its length
   * @throws IOException if the writer failed or was closed
   */
  public void writeDirect(byte[] b, int off, int len) throws IOException {
    byte[] batch;
    int n;
    lock.lock();
    try {
      idleWaiters++;
      try {
        while (writing && failure == null) {
          idle.awaitUninterruptibly();
        }
      } finally {
        idleWaiters--;
      }
      checkOpen();
      writing = true;
      batch = swap();
      n = batchLength;
    } finally {
      lock.unlock();
    }
    IOException error = write(batch, n, b, off, len);
    finishWrite(batch, error);
    if (error != null) {
      throw error;
    }
  }

  /**
   * Writes what is pending, then closes the stream (the peer sees end of stream). Blocks until done.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      idleWaiters++;
      try {
        while (failure == null && (writing || pendingLength > 0)) {
          if (!writing) {
            wanted = true;
            work.signal();
          }
          idle.awaitUninterruptibly();
        }
      } finally {
        idleWaiters--;
      }
      closed = true;
      work.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      out.close();
    } catch (IOException ignored) {
      // the peer is gone already
    }
  }

  /** Closes the stream at once, dropping what is pending. */
  public void abort() {
    lock.lock();
    try {
      closed = true;
      pendingLength = 0;
      work.signalAll();
      idle.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      out.close();
    } catch (IOException ignored) {
      // the peer is gone already
    }
  }

  private void loop() {
    while (true) {
      byte[] batch;
      int n;
      lock.lock();
      try {
        while (!closed && failure == null && !(wanted && !writing && pendingLength > 0)) {
          if (wanted && pendingLength == 0 && !writing) {
            wanted = false;
          }
          work.awaitUninterruptibly();
        }
        if (closed || failure != null) {
          return;
        }
        writing = true;
        wanted = false;
        batch = swap();
        n = batchLength;
      } finally {
        lock.unlock();
      }
      finishWrite(batch, write(batch, n, null, 0, 0));
    }
  }

  // @protectedby lock: the length of the batch swap() last returned
  private int batchLength;

  // with lock held: takes the pending buffer for writing and gives an empty one for appends
  private byte[] swap() {
    byte[] batch = pending;
    batchLength = pendingLength;
    pending = spare;
    pendingLength = 0;
    spare = null;
    return batch;
  }

  private IOException write(byte[] batch, int n, byte[] extra, int off, int len) {
    try {
      if (n > 0) {
        out.write(batch, 0, n);
      }
      if (len > 0) {
        out.write(extra, off, len);
      }
      out.flush();
      return null;
    } catch (IOException e) {
      return e;
    }
  }

  private void finishWrite(byte[] batch, IOException error) {
    boolean report = false;
    lock.lock();
    try {
      writing = false;
      spare = batch.length > 4 * SMALL ? new byte[SMALL] : batch; // shrink back after a big burst
      if (error != null && failure == null) {
        failure = error;
        report = true;
        pendingLength = 0;
        work.signalAll();
      } else if (pendingLength > 0) {
        wanted = true;
        work.signal();
      }
      if (idleWaiters > 0) {
        idle.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (report) {
      onFailure.accept(error);
    }
  }

  private void checkOpen() throws IOException {
    if (failure != null) {
      throw new IOException("the stream failed: " + failure.getMessage(), failure);
    }
    if (closed) {
      throw new IOException("the stream is closed");
    }
  }
}
