package io.asynqueue.impl.iteration;

import io.asynqueue.Deferator;
import io.asynqueue.spi.ElementSource;
import io.vertx.core.Context;
import java.util.Iterator;
import java.util.concurrent.Executor;

/** Factories behind {@link Deferator}'s static methods. */
public final class Deferators {

  private Deferators() {
  }

  /** See {@link Deferator#fromIterator}. */
  public static <T> Deferator<T> fromIterator(Context context, Iterator<? extends T> iterator, Executor fetcher,
      int window) {
    throw new UnsupportedOperationException("TODO");
  }

  /** See {@link Deferator#fromSource}. */
  public static <T> Deferator<T> fromSource(Context context, ElementSource<T> source, int window) {
    throw new UnsupportedOperationException("TODO");
  }
}
