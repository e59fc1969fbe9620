package io.asynqueue.process;

import io.asynqueue.internal.codec.FrameWriter;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
// Vert.x internal API (listed in InternalImportsTest): its event loop's execute, timers and promises bound to it.
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The parent's end of a child's reply socket: a Unix domain socket, in a new directory only this user may enter,
 * on which the child connects once and sends its frames. They are read on an event loop (the worker's context), so
 * a reply reaches a caller on that event loop without waking a thread in between, as a raw pipe echo does.
 *
 * <p>The server takes one connection (closing the server would close it too, so it stays until the connection
 * ends, refusing any other); the socket file and its directory are deleted as soon as the child is connected (or
 * when it could not be), and they are the only files this creates.
 *
 * <p>Calls that the frames' listener hands to workers while it reads a burst of replies are flushed once the
 * burst is read ({@link #owe}), so a burst wakes each child's writer once.
 */
final class ReplySocket {

  /** What the socket's frames go to, on the event loop. */
  interface Sink {

    /**
     * One frame.
     *
     * @param body its bytes, from 0; only valid during the call
     * @param length its length
     * @throws RuntimeException if the frame breaks the protocol (the child is then killed)
     */
    void frame(byte[] body, int length);

    /**
     * The stream broke the protocol (a frame too long); the child must be killed.
     *
     * @param why why
     */
    void broken(String why);
  }

  /** The writers owed a flush at the end of the burst being read on this thread, or null when none is read. */
  private static final ThreadLocal<List<FrameWriter>> OWED = new ThreadLocal<>();

  private final ContextInternal context;
  private final Path dir;
  private final Path file;
  private final int maxFrameBytes;
  private final Sink sink;
  private final Promise<Void> closed = Promise.promise();
  private NetServer server;
  private NetSocket socket;
  private byte[] pending = new byte[4096];
  private int pendingLength;
  private byte[] frame = new byte[4096];
  private boolean broken;
  private volatile boolean connected;

  private ReplySocket(ContextInternal context, Path dir, int maxFrameBytes, Sink sink) {
    this.context = context;
    this.dir = dir;
    this.file = dir.resolve("s");
    this.maxFrameBytes = maxFrameBytes;
    this.sink = sink;
  }

  /**
   * Listens on a new socket, waiting (on this thread, not an event loop) until it does.
   *
   * @param context where the frames are read
   * @param maxFrameBytes the longest frame accepted
   * @param sink where they go
   * @return the socket, listening
   * @throws Exception if it cannot listen (no domain sockets here, a temporary directory too deep): the caller
   *     then reads replies from the child's standard output
   */
  static ReplySocket listen(ContextInternal context, int maxFrameBytes, Sink sink) throws Exception {
    Path dir = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
        ? Files.createTempDirectory("asynqueue-", PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")))
        : Files.createTempDirectory("asynqueue-");
    ReplySocket s = new ReplySocket(context, dir, maxFrameBytes, sink);
    try {
      Promise<Void> listening = Promise.promise();
      context.runOnContext(v -> {
        s.server = context.owner().createNetServer();
        s.server.connectHandler(s::accepted);
        s.server.listen(SocketAddress.domainSocketAddress(s.file.toString())).<Void>mapEmpty().onComplete(listening);
      });
      listening.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return s;
    } catch (Exception e) {
      s.close();
      throw e;
    }
  }

  /** @return the socket's path, for the child */
  String path() {
    return file.toString();
  }

  /**
   * Waits, on this thread (not an event loop), until the connection has closed after its last frame, which it
   * does when the child has exited; closes it after {@code millis} if it has not by then.
   *
   * @param millis how long to wait
   */
  void awaitClosed(long millis) {
    if (!connected) {
      close(); // the child never connected: nothing to wait for
    }
    try {
      closed.future().toCompletionStage().toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      close();
    }
  }

  /**
   * Closes the server and the connection, and deletes the socket's file and directory (at once, on this thread,
   * so that they go even if the event loop is closing). Any thread.
   */
  void close() {
    deleteFiles();
    context.runOnContext(v -> {
      if (socket != null) {
        socket.close();
      } else {
        closeServer();
        closed.tryComplete();
      }
    });
  }

  /**
   * Flushes the writer once the burst of frames being read on this thread is done, if one is; else at once.
   *
   * @param writer the writer
   * @return whether it was left for the end of a burst
   */
  static boolean owe(FrameWriter writer) {
    List<FrameWriter> owed = OWED.get();
    if (owed == null) {
      return false;
    }
    for (int i = 0; i < owed.size(); i++) {
      if (owed.get(i) == writer) {
        return true;
      }
    }
    owed.add(writer);
    return true;
  }

  // ---------------------------------------------------------------- the event loop

  private void accepted(NetSocket s) {
    if (socket != null || closed.future().isComplete()) {
      s.close();
      return;
    }
    socket = s;
    connected = true;
    deleteFiles();
    s.handler(this::bytes);
    s.closeHandler(v -> {
      closeServer();
      closed.tryComplete();
    });
    s.exceptionHandler(e -> { }); // the close follows; the child's exit says why
  }

  private void closeServer() {
    if (server != null) {
      server.close();
      server = null;
    }
    deleteFiles();
  }

  private synchronized void deleteFiles() {
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // a temporary directory: nothing else depends on it
    }
  }

  private void bytes(Buffer b) {
    if (broken) {
      return;
    }
    int n = b.length();
    if (pendingLength + n > pending.length) {
      byte[] bigger = new byte[Math.max(pending.length * 2, pendingLength + n)];
      System.arraycopy(pending, 0, bigger, 0, pendingLength);
      pending = bigger;
    }
    b.getBytes(0, n, pending, pendingLength);
    pendingLength += n;
    boolean outer = OWED.get() == null;
    List<FrameWriter> owed = outer ? new ArrayList<>(2) : null;
    if (outer) {
      OWED.set(owed);
    }
    int pos = 0;
    try {
      while (pendingLength - pos >= 4) {
        int length = ((pending[pos] & 0xff) << 24) | ((pending[pos + 1] & 0xff) << 16)
            | ((pending[pos + 2] & 0xff) << 8) | (pending[pos + 3] & 0xff);
        if (length < 1 || length > maxFrameBytes) {
          broken = true;
          sink.broken("a frame of " + length + " bytes (at most " + maxFrameBytes + " allowed)");
          return;
        }
        if (pendingLength - pos - 4 < length) {
          break;
        }
        if (frame.length < length || frame.length > 1 << 20 && length <= 4096) {
          frame = new byte[Math.max(length, 4096)]; // grow for a big frame, shrink back after one
        }
        System.arraycopy(pending, pos + 4, frame, 0, length);
        pos += 4 + length;
        sink.frame(frame, length);
      }
    } finally {
      if (pos > 0) {
        System.arraycopy(pending, pos, pending, 0, pendingLength - pos);
        pendingLength -= pos;
      }
      if (pending.length > 1 << 20 && pendingLength <= 4096) {
        pending = Arrays.copyOf(pending, 4096);
      }
      if (outer) {
        OWED.remove();
        for (int i = 0; i < owed.size(); i++) {
          owed.get(i).flushLater();
        }
      }
    }
  }
}
