package io.asynqueue.mandelbrot;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link WriteStream} of image rows that encodes them into a PNG on an output stream.
 *
 * <p><b>Concurrency.</b> The stream is used on one Vert.x context. Compressing and writing (blocking
 * I/O) run off that context, in ordered blocking tasks of it. A task starts once {@value #BATCH} rows
 * are queued (or at {@link #end()}) and takes every row queued by then, so rows cost one hand-off per
 * batch, not one each: on two cores shared with the workers, every wake-up of the encoding thread
 * takes time from them. Rows are reported written back on the context in batches of at most
 * {@value #BATCH}. The write queue holds at most
 * {@link #setWriteQueueMaxSize(int) maxSize} rows (default {@value #DEFAULT_WRITE_QUEUE_MAX_SIZE}); a
 * pipe pauses its source while it is full. So the rows held at once are bounded whatever the image's
 * height.
 *
 * <p>{@link #end()} finishes the PNG after the last queued row and then closes the output stream if
 * asked to. The first failure fails that write, every later one and {@code end()}, and goes to the
 * exception handler.
 */
public final class PngWriteStream implements WriteStream<byte[]> {

  /** Rows queued for encoding, at most, before {@link #writeQueueFull()}. */
  public static final int DEFAULT_WRITE_QUEUE_MAX_SIZE = 16;
  /** Rows encoded, at most, before they are reported back on the context. */
  static final int BATCH = 8;
  /** Rows encoded, at most, by one blocking task; then it hands the worker thread back. */
  static final int ROWS_PER_TASK = 256;

  private record Item(byte[] row, Promise<Void> written) {
  }

  private final Context context;
  private final PngEncoder encoder;
  private final OutputStream out;
  private final boolean closeOut;
  private final Handler<Integer> rowWritten;
  /** Rows handed to the encoding side: written on the context, read by the encoding tasks. */
  private final Queue<Item> queue = new ConcurrentLinkedQueue<>();
  /** Set by the encoding side, read on both. */
  private volatile Throwable failure;
  // All below: only touched on the context.
  private int maxSize = DEFAULT_WRITE_QUEUE_MAX_SIZE;
  private int pending;
  private int written;
  private boolean draining;
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
   * @param rowWritten called on the context with the number of rows written so far, after each batch;
   *     may be {@code null}
   */
  public PngWriteStream(Context context, PngEncoder encoder, OutputStream out, boolean closeOut,
      Handler<Integer> rowWritten) {
    this.context = context;
    this.encoder = encoder;
    this.out = out;
    this.closeOut = closeOut;
    this.rowWritten = rowWritten;
  }

  @Override
  public PngWriteStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public Future<Void> write(byte[] row) {
    Throwable failed = failure;
    if (failed != null) {
      return Future.failedFuture(failed);
    }
    if (ended != null) {
      return Future.failedFuture(new IllegalStateException("the PNG stream has ended"));
    }
    Promise<Void> promise = Promise.promise();
    pending++;
    queue.add(new Item(row, promise));
    if (!draining && pending >= Math.min(BATCH, maxSize)) {
      scheduleEncoding();
    }
    return promise.future();
  }

  /** Submits an encoding task, and another if rows came in as it returned. On the context. */
  private void scheduleEncoding() {
    draining = true;
    context.<Void>executeBlocking(() -> encodeQueued(ROWS_PER_TASK), true).onComplete(ar -> {
      draining = false;
      if (queue.size() >= Math.min(BATCH, maxSize) && ended == null) {
        scheduleEncoding();
      }
    });
  }

  /**
   * On the encoding side: encodes the queued rows, at most {@code limit} of them (so that one task never
   * holds a worker thread for a whole render), reporting them back in batches.
   */
  private Void encodeQueued(int limit) {
    List<Item> batch = new ArrayList<>(BATCH);
    Item item;
    for (int n = 0; n < limit && (item = queue.poll()) != null; n++) {
      if (failure == null) {
        try {
          encoder.writeRow(item.row());
        } catch (Throwable t) {
          failure = t;
        }
      }
      batch.add(item);
      if (batch.size() == BATCH) {
        report(batch);
        batch = new ArrayList<>(BATCH);
      }
    }
    if (!batch.isEmpty()) {
      report(batch);
    }
    return null;
  }

  private void report(List<Item> batch) {
    Throwable failed = failure;
    context.runOnContext(v -> {
      pending -= batch.size();
      if (failed != null) {
        for (Item i : batch) {
          i.written().tryFail(failed);
        }
        fail(failed);
        return;
      }
      written += batch.size();
      for (Item i : batch) {
        i.written().tryComplete();
      }
      if (rowWritten != null) {
        rowWritten.handle(written);
      }
      Handler<Void> drain = drainHandler;
      if (drain != null && pending <= maxSize / 2) {
        drainHandler = null;
        drain.handle(null);
      }
    });
  }

  @Override
  public Future<Void> end() {
    if (ended == null) {
      // Ordered after every encoding task submitted so far; it encodes any rows still queued itself.
      ended = context.executeBlocking(() -> {
        encodeQueued(Integer.MAX_VALUE);
        Throwable failed = failure;
        try {
          if (failed != null) {
            throw failed instanceof Exception e ? e : new IOException(failed);
          }
          encoder.finish();
          if (closeOut) {
            out.close();
          }
          return null;
        } catch (Exception e) {
          encoder.abandon();
          closeQuietly();
          throw e;
        }
      }, true);
    }
    return ended;
  }

  @Override
  public PngWriteStream setWriteQueueMaxSize(int maxSize) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize must be at least 1, not " + maxSize);
    }
    this.maxSize = maxSize;
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

  private void fail(Throwable cause) {
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
