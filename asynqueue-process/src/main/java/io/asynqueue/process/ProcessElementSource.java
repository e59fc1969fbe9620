package io.asynqueue.process;

import io.asynqueue.spi.ElementSource;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The elements of an iterator held in a child process, fetched in batches bounded by count and bytes. The
 * first batch comes with the reply to the call that made the iterator.
 */
final class ProcessElementSource implements ElementSource<Object> {

  private final ProcessWorker worker;
  final ChildConnection child;
  final long id;
  final String call;
  private final ArrayDeque<Object> buffered;
  private volatile boolean exhausted;
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();

  ProcessElementSource(ProcessWorker worker, ChildConnection child, long id, String call, List<Object> first,
      boolean last) {
    this.worker = worker;
    this.child = child;
    this.id = id;
    this.call = call;
    this.buffered = new ArrayDeque<>(first);
    this.exhausted = last;
    finished.set(last);
  }

  void received(boolean last) {
    if (last) {
      exhausted = true;
      finish();
    }
  }

  // the child no longer holds the iterator: read out, failed or closed
  void finish() {
    if (finished.compareAndSet(false, true)) {
      worker.iteratorFinished(child);
    }
  }

  @Override
  public Future<Batch<Object>> fetch(int max) {
    if (!buffered.isEmpty()) {
      List<Object> out = new ArrayList<>(Math.min(max, buffered.size()));
      while (out.size() < max && !buffered.isEmpty()) {
        out.add(buffered.poll());
      }
      return Future.succeededFuture(new Batch<>(out, exhausted && buffered.isEmpty()));
    }
    if (exhausted || closed) {
      return Future.succeededFuture(new Batch<>(List.of(), true));
    }
    return worker.fetch(this, max);
  }

  @Override
  public Future<Void> close() {
    if (!exhausted && !closed) {
      closed = true;
      worker.closeIterator(this);
    }
    finish();
    buffered.clear();
    return Future.succeededFuture();
  }
}
