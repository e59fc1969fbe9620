package io.asynqueue.mandelbrot;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link WriteStream} of image rows that encodes them into a PNG on an output stream.
 *
 * <p><b>Concurrency.</b> The stream is used on one Vert.x context. Rows are compressed off that context, a
 * group of about {@value #GROUP_BYTES} bytes of rows at a time, in unordered blocking tasks: the groups of an
 * image compress in parallel, each as an independent part of one zlib stream ({@link DeflatedRows}, as pigz
 * does). The compressed groups are written in order, by ordered blocking tasks of the context, so the only
 * serial stage left is writing bytes. Rows are reported written back on the context a group at a time.
 *
 * <p>The write queue holds at most {@link #setWriteQueueMaxSize(int) maxSize} rows (by default three groups,
 * and at least {@value #DEFAULT_WRITE_QUEUE_MAX_SIZE}); a pipe pauses its source while it is full, and a group
 * is sent to compression early when the queue fills. So the rows held at once are bounded whatever the
 * image's height.
 *
 * <p>{@link #end()} finishes the PNG after the last queued row and then closes the output stream if
 * asked to. The first failure fails that write, every later one and {@code end()}, and goes to the
 * exception handler.
 */
public final class PngWriteStream implements WriteStream<byte[]> {

  /** The least default of {@link #setWriteQueueMaxSize(int) maxSize}, in rows. */
  public static final int DEFAULT_WRITE_QUEUE_MAX_SIZE = 16;
  /** Uncompressed bytes of rows compressed as one group, about: big enough that a group costs little. */
  static final int GROUP_BYTES = 128 * 1024;

  private record Item(byte[] row, Promise<Void> written) {
  }

  /** Rows sent to compression together; then written, in order with the other groups. */
  private static final class Group {
    final List<Item> items;
    final boolean last;
    /** Set on the context when its compression ends, one or the other. */
    DeflatedRows deflated;
    Throwable failure;

    Group(List<Item> items, boolean last) {
      this.items = items;
      this.last = last;
    }

    boolean compressed() {
      return deflated != null || failure != null;
    }
  }

  private final Context context;
  private final PngEncoder encoder;
  private final OutputStream out;
  private final boolean closeOut;
  private final Handler<Integer> rowWritten;
  private final int groupRows;
  private final DeflatedRows.Deflaters deflaters;
  /** Completed when the last group is written; failed with the stream's first failure. */
  private final Promise<Void> lastWritten = Promise.promise();
  /** Set by the writing tasks once a write failed; read by the ones after it. */
  private volatile boolean writeFailed;
  // All below: only touched on the context.
  /** Groups sent to compression and not yet to the writer, oldest first. */
  private final ArrayDeque<Group> compressing = new ArrayDeque<>();
  /** The rows of the next group. */
  private List<Item> filling = new ArrayList<>();
  /** The rows of the group sent last: the next group's dictionary comes from them. */
  private List<byte[]> previous = List.of();
  private Throwable failure;
  private int maxSize;
  private int pending;
  private int written;
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;
  private Future<Void> ended;

  /**
   * A stream that encodes rows on {@code encoder}, which writes to {@code out}.
   *
   * @param context the context the stream is used on
   * @param encoder the encoder, its header written
   * @param out the stream the encoder writes to
   * @param closeOut whether {@link #end()} closes {@code out}
   * @param rowWritten called on the context with the number of rows written so far, after each group;
   *     may be {@code null}
   */
  public PngWriteStream(Context context, PngEncoder encoder, OutputStream out, boolean closeOut,
      Handler<Integer> rowWritten) {
    this.context = context;
    this.encoder = encoder;
    this.out = out;
    this.closeOut = closeOut;
    this.rowWritten = rowWritten;
    this.groupRows = Math.max(1, GROUP_BYTES / (encoder.stride() + 1));
    this.maxSize = Math.max(DEFAULT_WRITE_QUEUE_MAX_SIZE, 3 * groupRows);
    this.deflaters = new DeflatedRows.Deflaters(encoder.level());
  }

  @Override
  public PngWriteStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public Future<Void> write(byte[] row) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    if (ended != null) {
      return Future.failedFuture(new IllegalStateException("the PNG stream has ended"));
    }
    if (row.length != encoder.stride()) {
      IllegalArgumentException bad = new IllegalArgumentException(
          "row of " + row.length + " bytes; expected " + encoder.stride());
      fail(bad);
      return Future.failedFuture(bad);
    }
    Promise<Void> promise = Promise.promise();
    pending++;
    filling.add(new Item(row, promise));
    if (filling.size() >= groupRows || pending >= maxSize) {
      compress(false);
    }
    return promise.future();
  }

  /** Sends the rows gathered so far to compression, as the next group. On the context. */
  private void compress(boolean last) {
    Group group = new Group(filling, last);
    filling = new ArrayList<>();
    List<byte[]> rows = new ArrayList<>(group.items.size());
    for (Item item : group.items) {
      rows.add(item.row());
    }
    List<byte[]> before = previous;
    previous = rows;
    compressing.add(group);
    int stride = encoder.stride();
    context.<DeflatedRows>executeBlocking(() -> DeflatedRows.deflate(rows, before, stride, last, deflaters), false)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            group.deflated = ar.result();
          } else {
            group.failure = ar.cause();
          }
          writeCompressed();
        });
  }

  /** Hands the groups compressed so far, in order, to the writer. On the context. */
  private void writeCompressed() {
    while (!compressing.isEmpty() && compressing.peek().compressed()) {
      Group group = compressing.poll();
      if (group.failure != null) {
        fail(group.failure);
      }
      if (failure != null) {
        pending -= group.items.size();
        for (Item item : group.items) {
          item.written().tryFail(failure);
        }
        continue;
      }
      DeflatedRows deflated = group.deflated;
      context.<Void>executeBlocking(() -> {
        if (!writeFailed) { // after a failed write, the groups queued behind it are not written
          try {
            encoder.writeDeflated(deflated);
          } catch (Throwable t) {
            writeFailed = true;
            throw t;
          }
        }
        return null;
      }, true).onComplete(ar -> written(group, ar.cause()));
    }
  }

  /** A group was written, or failed to be. On the context. */
  private void written(Group group, Throwable cause) {
    pending -= group.items.size();
    if (cause != null || failure != null) {
      fail(cause != null ? cause : failure);
      for (Item item : group.items) {
        item.written().tryFail(failure);
      }
      return;
    }
    written += group.items.size();
    for (Item item : group.items) {
      item.written().tryComplete();
    }
    if (rowWritten != null) {
      rowWritten.handle(written);
    }
    if (group.last) {
      lastWritten.tryComplete();
    }
    Handler<Void> drain = drainHandler;
    if (drain != null && pending <= maxSize / 2) {
      drainHandler = null;
      drain.handle(null);
    }
  }

  @Override
  public Future<Void> end() {
    if (ended == null) {
      if (failure == null) {
        compress(true); // the rows still gathered (perhaps none): the final block of the stream
      }
      ended = lastWritten.future()
          .compose(v -> context.<Void>executeBlocking(() -> {
            encoder.finish();
            if (closeOut) {
              out.close();
            }
            return null;
          }, true))
          .recover(e -> context.<Void>executeBlocking(() -> {
            encoder.abandon();
            closeQuietly();
            return null;
          }, true).transform(ar -> Future.failedFuture(e)))
          .andThen(ar -> deflaters.end());
    }
    return ended;
  }

  @Override
  public PngWriteStream setWriteQueueMaxSize(int maxSize) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize must be at least 1, not " + maxSize);
    }
    this.maxSize = maxSize;
    if (pending >= maxSize && !filling.isEmpty() && ended == null && failure == null) {
      compress(false); // a pipe now waits for a drain: the rows gathered must be on their way
    }
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return pending >= maxSize;
  }

  @Override
  public PngWriteStream drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    return this;
  }

  /** @return the rows encoded so far; on the context */
  public int rowsWritten() {
    return written;
  }

  /** The stream's first failure: it fails every later write and {@code end()}. On the context. */
  private void fail(Throwable cause) {
    if (failure != null) {
      return;
    }
    failure = cause;
    lastWritten.tryFail(cause);
    Handler<Throwable> handler = exceptionHandler;
    if (handler != null) {
      exceptionHandler = null; // once
      handler.handle(cause);
    }
  }

  private void closeQuietly() {
    if (closeOut) {
      try {
        out.close();
      } catch (IOException ignored) {
        // the first failure is the one reported
      }
    }
  }
}
