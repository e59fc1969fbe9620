package io.asynqueue.stream;

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
 * <p><b>Threading.</b> Handlers and Futures run on the context given when it was made (the caller's context),
 * whatever thread the elements were fetched on. Its methods may be called from any thread; a call from
 * another thread is re-run on the context, in call order.
 *
 * <p><b>Stream semantics.</b> A new Deferator is flowing: setting a handler starts delivery (in a later task on
 * the context, never inside the {@code handler(...)} call, so {@code handler(h).endHandler(e)} cannot miss
 * the end). {@code pause()}, {@code resume()} and {@code fetch(n)} control demand as for any Vert.x stream.
 * The end ({@code endHandler}) or the failure ({@code exceptionHandler}; reported to the context when there is
 * none) comes after the last element, whatever the demand, and only once someone reads: a Deferator handed
 * over in a Future keeps its end until its reader attaches. {@code pipeTo(writeStream)} honours
 * {@code writeQueueFull}/{@code drainHandler}. If a pipe fails because the write stream failed, call
 * {@link #stop()} to release the source.
 *
 * <p><b>Pull semantics.</b> One {@link #next()}, {@link #hasNext()} or {@link #toList()} at a time. The end is
 * found by asking: {@code next()} failing with {@link java.util.NoSuchElementException}, or
 * {@code hasNext()} giving {@code false}.
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
   * <p>The iterator's {@code hasNext()}/{@code next()} run on {@code fetcher}, a batch of steps per task
   * (one hop per batch, not per element); a batch also ships after about a millisecond, so a slow iterator
   * streams. An iterator that throws fails the stream after the elements it gave before.
   *
   * @param context where handlers and Futures run
   * @param iterator the iterator; closed (on {@code fetcher}) if {@link AutoCloseable} when it is exhausted,
   *     throws, or the iteration is stopped
   * @param fetcher runs the iterator's steps, one task at a time
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

  /**
   * @return a Future of whether {@link #next()} has another element to give; failed as {@code next()} would
   *     be (except that it gives {@code false} at the end and after a stop)
   */
  Future<Boolean> hasNext();

  /**
   * Ends the iteration early and releases the source (the iterator where it ran). Elements not yet read are
   * dropped; {@link #done()} completes with {@code false}; the end handler is called (so a pipe completes,
   * with exactly the elements written before the stop); a pending {@code next()} or {@code toList()} fails
   * with {@link java.util.concurrent.CancellationException}, and later ones fail with
   * {@link java.util.NoSuchElementException}. A no-op once the iteration has ended or failed.
   *
   * @return a Future completed when the source is released (after any fetch in flight has finished)
   */
  Future<Void> stop();

  /**
   * @return a Future completed with {@code true} when all elements were read, {@code false} if stopped
   *     first (once the source is released); failed with the source's failure once that has been reached
   */
  Future<Boolean> done();

  /**
   * Reads every remaining element into a list, in order.
   *
   * @return a Future of the list (empty at the end); failed as {@link #next()} would be, or with
   *     {@link java.util.concurrent.CancellationException} on {@link #stop()}
   */
  Future<List<T>> toList();
}
