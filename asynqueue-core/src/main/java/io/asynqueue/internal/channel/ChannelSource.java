package io.asynqueue.internal.channel;

import io.asynqueue.stream.ElementSource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The elements of an iterator held by the runner. The runner pushes them as credit allows; this source buffers
 * them and grants more credit as its consumer takes them, so the runner never runs more than {@code window}
 * elements (or about {@code windowBytes} bytes) ahead, and a consumer that stops taking stops the runner.
 *
 * <p>Concurrency: batches arrive on the reading thread, fetches come from the Prefetcherator's context; the
 * state is guarded by this object's lock, and promises are completed outside it.
 */
final class ChannelSource implements ElementSource<Object> {

  /** A batch as it arrived, taken from the front. */
  private static final class Arrived {
    final List<Object> elements;
    final int bytes;
    int index;

    Arrived(List<Object> elements, int bytes) {
      this.elements = elements;
      this.bytes = bytes;
    }
  }

  private final Connection conn;
  final long id;
  final String call;
  private final int window;
  private final int windowBytes;
  // @protectedby this
  private final ArrayDeque<Arrived> buffer = new ArrayDeque<>();
  private int bufferedCount;
  private long bufferedBytes;
  private long outstanding;
  private long outstandingBytes;
  private boolean last;
  private Throwable failure;
  private Promise<Batch<Object>> waiting;
  private int waitingMax;
  private boolean closed;

  ChannelSource(Connection conn, long id, String call, int window, int windowBytes, long granted,
      long grantedBytes) {
    this.conn = conn;
    this.id = id;
    this.call = call;
    this.window = window;
    this.windowBytes = windowBytes;
    this.outstanding = granted;
    this.outstandingBytes = grantedBytes;
  }

  /** Elements from the runner (the transport's reading thread). */
  void receive(List<Object> elements, int bytes, boolean isLast) {
    Promise<Batch<Object>> p = null;
    Batch<Object> batch = null;
    synchronized (this) {
      outstanding -= elements.size();
      outstandingBytes -= bytes;
      if (closed) {
        return;
      }
      if (!elements.isEmpty()) {
        buffer.add(new Arrived(elements, bytes));
        bufferedCount += elements.size();
        bufferedBytes += bytes;
      }
      last |= isLast;
      if (waiting != null && (bufferedCount > 0 || last)) {
        p = waiting;
        waiting = null;
        batch = take(waitingMax);
      }
    }
    if (p != null) {
      p.tryComplete(batch);
      grantIfRoom();
    }
  }

  /** The iterator failed in the runner, or the channel was lost (the reading thread). */
  void fail(Throwable cause) {
    Promise<Batch<Object>> p = null;
    synchronized (this) {
      if (failure != null || closed) {
        return;
      }
      failure = cause;
      if (waiting != null) {
        p = waiting;
        waiting = null;
      }
    }
    if (p != null) {
      p.tryFail(cause);
    }
  }

  @Override
  public Future<Batch<Object>> fetch(int max) {
    Batch<Object> batch;
    synchronized (this) {
      if (bufferedCount > 0) {
        batch = take(max);
      } else if (failure != null) {
        return Future.failedFuture(failure);
      } else if (last) {
        return Future.succeededFuture(new Batch<>(List.of(), true));
      } else {
        waiting = Promise.promise();
        waitingMax = max;
        Future<Batch<Object>> f = waiting.future();
        batch = null;
        if (outstanding <= 0 || outstandingBytes <= 0) {
          // nothing is coming: grant now (a call that returned an iterator without being asked gets its first
          // credit here)
          grantLocked();
        }
        return f;
      }
    }
    grantIfRoom();
    return Future.succeededFuture(batch);
  }

  @Override
  public Future<Void> close() {
    boolean tell;
    synchronized (this) {
      if (closed) {
        return Future.succeededFuture();
      }
      closed = true;
      tell = !last && failure == null;
      buffer.clear();
      bufferedCount = 0;
    }
    conn.iteratorClosed(this, tell);
    return Future.succeededFuture();
  }

  // with the lock held
  private Batch<Object> take(int max) {
    List<Object> out = new ArrayList<>(Math.min(max, bufferedCount));
    while (out.size() < max && !buffer.isEmpty()) {
      Arrived a = buffer.peek();
      int n = Math.min(max - out.size(), a.elements.size() - a.index);
      out.addAll(a.elements.subList(a.index, a.index + n));
      a.index += n;
      if (a.index == a.elements.size()) {
        buffer.poll();
        bufferedBytes -= a.bytes;
      }
    }
    bufferedCount -= out.size();
    boolean end = bufferedCount == 0 && last;
    return new Batch<>(out, end);
  }

  private void grantIfRoom() {
    synchronized (this) {
      grantLocked();
    }
  }

  // with the lock held: grants credit when at least half a window (of elements or bytes) is free
  private void grantLocked() {
    if (last || closed || failure != null) {
      return;
    }
    long roomElements = window - bufferedCount - Math.max(0, outstanding);
    long roomBytes = windowBytes - bufferedBytes - Math.max(0, outstandingBytes);
    long elements = Math.max(0, roomElements);
    long bytes = Math.max(0, roomBytes);
    boolean starved = outstanding <= 0 || outstandingBytes <= 0;
    if ((elements >= Math.max(1, window / 2) || bytes >= windowBytes / 2 || starved && (elements > 0 || bytes > 0))
        && (outstanding + elements > 0 && outstandingBytes + bytes > 0)) {
      outstanding += elements;
      outstandingBytes += bytes;
      conn.sendCredit(id, (int) elements, (int) bytes);
    }
  }

  synchronized boolean isFinished() {
    return closed || last || failure != null;
  }
}
