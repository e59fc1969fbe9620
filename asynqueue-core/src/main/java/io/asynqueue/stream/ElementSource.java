package io.asynqueue.stream;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where a {@link io.asynqueue.stream.Prefetcherator} gets elements: an iterator in this JVM run on its worker, or one
 * held in a child process or on a remote server.
 *
 * <p><b>Calls.</b> {@link #fetch(int)} is never called again before the Future of the previous call
 * completes, and {@link #close()} is never called while a fetch is in flight, so an implementation needs no
 * locking of its own. Neither is called again after a batch with {@link Batch#last()} set or a failed fetch:
 * the source has released itself by then. Calls come from the Prefetcherator's context; the Futures may be
 * completed on any thread.
 *
 * <p><b>Batch sizes and bytes.</b> The Prefetcherator counts elements; the source decides how much goes in
 * each batch, up to {@code max}. A source whose elements cost memory or bandwidth (a remote one) caps each
 * batch by bytes as well, returning fewer elements than asked; a source over a slow iterator ships what it
 * has after a short while rather than waiting for {@code max}.
 *
 * @param <T> the element type
 */
public interface ElementSource<T> {

  /**
   * Fetches up to {@code max} elements.
   *
   * @param max how many at most, at least 1
   * @return a Future of the next batch, in order: at most {@code max} elements (fewer when the source is
   *     exhausted, has a byte budget, or ships early; an empty batch that is not the last is allowed but
   *     wasteful); a failed Future ends the iteration with that failure, after the elements already
   *     delivered. A source that fails part-way through a batch should deliver the elements it has as a
   *     batch and fail the next fetch, so that none is lost
   */
  Future<Batch<T>> fetch(int max);

  /**
   * Releases the source early (the consumer stopped): close the iterator, tell the child or server to drop
   * it. Not called during a fetch, after the last batch, or after a failed fetch.
   *
   * @return a Future completed when released
   */
  Future<Void> close();

  /**
   * A batch of elements.
   *
   * @param elements the elements, in order; may contain {@code null}; handed over: the source must not
   *     change the list afterwards
   * @param last whether the source is exhausted after these
   * @param <T> the element type
   */
  record Batch<T>(List<T> elements, boolean last) {
  }
}
