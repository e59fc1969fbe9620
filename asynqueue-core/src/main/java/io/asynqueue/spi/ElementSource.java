package io.asynqueue.spi;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where a {@link io.asynqueue.Prefetcherator} gets elements: an iterator in this JVM run on its worker, or one
 * held in a child process or on a remote server. {@link #fetch(int)} is never called again before the Future
 * of the previous call completes.
 *
 * @param <T> the element type
 */
public interface ElementSource<T> {

  /**
   * Fetches up to {@code max} elements.
   *
   * @param max how many at most, at least 1
   * @return a Future of the next batch; the batch may hold fewer than {@code max} (even none) only when
   *     {@link Batch#last()} is true... or when the source must yield early (a byte budget); a failed
   *     Future ends the iteration with that failure
   */
  Future<Batch<T>> fetch(int max);

  /**
   * Releases the source early (the consumer stopped); a no-op after the last batch.
   *
   * @return a Future completed when released
   */
  Future<Void> close();

  /**
   * A batch of elements.
   *
   * @param elements the elements, in order; may contain {@code null}
   * @param last whether the source is exhausted after these
   * @param <T> the element type
   */
  record Batch<T>(List<T> elements, boolean last) {
  }
}
