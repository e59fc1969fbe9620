package io.asynqueue.stream;

import io.vertx.core.Context;
// Vert.x internal API (listed in InternalImportsTest): the caller's context as DeferatorImpl needs it (see there).
import io.vertx.core.internal.ContextInternal;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.Executor;

/** Factories behind {@link Deferator}'s static methods. */
final class Deferators {

  private Deferators() {
  }

  /** See {@link Deferator#fromIterator}. */
  public static <T> Deferator<T> fromIterator(Context context, Iterator<? extends T> iterator, Executor fetcher,
      int window) {
    Objects.requireNonNull(iterator, "iterator");
    Objects.requireNonNull(fetcher, "fetcher");
    return fromSource(context, new IteratorSource<T>(iterator, fetcher), window);
  }

  /** See {@link Deferator#fromSource}. */
  public static <T> Deferator<T> fromSource(Context context, ElementSource<T> source, int window) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(source, "source");
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1, was " + window);
    }
    return new DeferatorImpl<>((ContextInternal) context, source, window);
  }
}
