package io.asynqueue.stream;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * An ElementSource over an iterator in this JVM whose steps run on an Executor (a worker's thread).
 *
 * One executor task per batch, not per element: a fetch(max) runs up to `max` iterator steps in one task and
 * completes one Future. A batch is cut short after MAX_BATCH_NANOS, so a slow iterator (one element every
 * 100 ms) still streams its elements as they come instead of holding them until the batch is full.
 *
 * Exhaustion is found by hasNext() returning false, never by calling hasNext() after a full batch: an
 * iterator whose hasNext() blocks until its next element exists is not waited on before its batch ships.
 *
 * Concurrency: the Prefetcherator never has two fetches in flight, nor a close() during a fetch, so the
 * iterator is used by one task at a time; each task is submitted after the previous one's Future completed,
 * which orders the memory accesses of successive tasks even on different pool threads.
 */
final class IteratorSource<T> implements ElementSource<T> {

  private static final Logger log = LoggerFactory.getLogger(IteratorSource.class);

  /** A batch ships once it has been gathering this long, full or not. */
  static final long MAX_BATCH_NANOS = 1_000_000L;

  private final Iterator<? extends T> iterator;
  private final Executor fetcher;
  private final AtomicBoolean released = new AtomicBoolean();
  private volatile Throwable deferredFailure; // thrown after some elements of a batch: reported by the next fetch

  IteratorSource(Iterator<? extends T> iterator, Executor fetcher) {
    this.iterator = iterator;
    this.fetcher = fetcher;
  }

  @Override
  public Future<Batch<T>> fetch(int max) {
    Throwable failed = deferredFailure;
    if (failed != null) {
      return Future.failedFuture(failed);
    }
    Promise<Batch<T>> promise = Promise.promise();
    try {
      fetcher.execute(() -> step(max, promise));
    } catch (Throwable rejected) {
      release();
      promise.tryFail(rejected);
    }
    return promise.future();
  }

  private void step(int max, Promise<Batch<T>> promise) {
    ArrayList<T> out = new ArrayList<>(Math.min(max, 1024));
    try {
      long start = System.nanoTime();
      boolean more;
      while (more = iterator.hasNext()) {
        out.add(iterator.next());
        if (out.size() >= max || System.nanoTime() - start > MAX_BATCH_NANOS) {
          break;
        }
      }
      if (!more) {
        Throwable closeFailure = release();
        if (closeFailure != null) {
          log.warn("Closing an exhausted iterator failed", closeFailure);
        }
      }
      promise.complete(new Batch<>(out, !more));
    } catch (Throwable t) {
      Throwable closeFailure = release();
      if (closeFailure != null) {
        t.addSuppressed(closeFailure);
      }
      if (out.isEmpty()) {
        promise.fail(t);
      } else {
        deferredFailure = t; // deliver the elements read before the failure first
        promise.complete(new Batch<>(out, false));
      }
    }
  }

  @Override
  public Future<Void> close() {
    if (released.get()) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    Runnable closing = () -> {
      Throwable failure = release();
      if (failure == null) {
        promise.tryComplete();
      } else {
        promise.tryFail(failure);
      }
    };
    try {
      fetcher.execute(closing);
    } catch (Throwable rejected) {
      closing.run(); // the worker is gone: nobody else is using the iterator
    }
    return promise.future();
  }

  /** Closes the iterator once, if it is AutoCloseable. @return what close() threw, or null */
  private Throwable release() {
    if (!released.compareAndSet(false, true) || !(iterator instanceof AutoCloseable)) {
      return null;
    }
    try {
      ((AutoCloseable) iterator).close();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }
}
