package io.asynqueue;

import io.asynqueue.impl.iteration.Deferators;
import io.asynqueue.spi.ElementSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The elements of an iterator that stayed where its task ran (a worker thread, a child process, a remote
 * server), fetched with a bounded prefetch window by a {@link Prefetcherator}.
 *
 * <p>Two ways to read it, not both at once:
 * <ul>
 *   <li>as a Vert.x {@link ReadStream}: set a {@link #handler(Handler)}, or {@code pipeTo(writeStream)}. A
 *   paused stream, or a full consumer, stops the fetching once the window is full, so a slow consumer
 *   slows the producer and nothing buffers without bound;</li>
 *   <li>pull style: {@link #next()}, one at a time.</li>
 * </ul>
 *
 * <p>Handlers and Futures run on the context given when it was made (the caller's context).
 *
 * @param <T> the element type
 */
public interface Deferator<T> extends ReadStream<T> {

  /** The default prefetch window, in elements. */
  int DEFAULT_WINDOW = 64;

  /**
   * A Deferator over an iterator in this JVM whose {@code next()} runs on {@code fetcher} (a worker's
   * thread, or its event loop).
   *
   * @param context where handlers and Futures run
   * @param iterator the iterator; closed if {@link AutoCloseable} when the iteration stops early or ends
   * @param fetcher runs the iterator's steps
   * @param <T> the element type
   * @return the Deferator
   */
  static <T> Deferator<T> fromIterator(Context context, Iterator<? extends T> iterator, Executor fetcher) {
    return Deferators.fromIterator(context, iterator, fetcher, DEFAULT_WINDOW);
  }

  /**
   * A Deferator over any element source, such as an iterator in a child process.
   *
   * @param context where handlers and Futures run
   * @param source the source
   * @param window how many elements to fetch ahead at most, at least 1
   * @param <T> the element type
   * @return the Deferator
   */
  static <T> Deferator<T> fromSource(Context context, ElementSource<T> source, int window) {
    return Deferators.fromSource(context, source, window);
  }

  /**
   * The next element, pull style.
   *
   * @return a Future of the next element (which may be {@code null}); failed with
   *     {@link java.util.NoSuchElementException} when there are no more, with {@link NotReadyException} if
   *     the previous {@code next()} has not completed, with {@link IllegalStateException} while a handler is
   *     set, or with the source's failure
   */
  Future<T> next();

  /** @return a Future of whether {@link #next()} has another element to give */
  Future<Boolean> hasNext();

  /**
   * Ends the iteration early and releases the source (the iterator where it ran). Elements not yet read are
   * dropped; {@link #done()} completes with {@code false}.
   *
   * @return a Future completed when the source is released
   */
  Future<Void> stop();

  /** @return a Future completed with {@code true} when all elements were read, {@code false} if stopped */
  Future<Boolean> done();

  /**
   * Reads every remaining element into a list, in order.
   *
   * @return a Future of the list
   */
  Future<List<T>> toList();
}
