package io.asynqueue.stream;

import io.asynqueue.stream.ElementSource.Batch;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
// Vert.x internal API (listed in InternalImportsTest): execute (at once when already on the context) and promises bound
// to the caller's context; Context has neither.
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayDeque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Keeps a bounded window of elements fetched ahead from an {@link ElementSource}: the engine under every
 * {@link Deferator}. Named after the original AsynQueue's {@code Prefetcherator}, which stayed one element
 * ahead; this one stays up to {@code window} elements ahead and fetches them a batch at a time.
 *
 * <p><b>Fetch policy.</b> It asks the source for {@code window} elements when it starts, and for
 * {@code window - buffered} more whenever the buffer falls to half the window or below. It never has two
 * {@link ElementSource#fetch(int)} calls in flight, and it does not fetch while the buffer is more than half
 * full. So a consumer that stops taking elements stops the source after at most {@code window} elements: an
 * iterator on a worker thread, in a child JVM or on a remote server is not advanced further. That is what
 * carries backpressure end to end.
 *
 * <p><b>Byte budgets.</b> The window counts elements. A source whose elements are large (a remote one)
 * bounds the bytes of each batch itself, by returning fewer than it was asked for (see
 * {@link ElementSource#fetch(int)}); the window then bounds how many such batches are ahead.
 *
 * <p><b>End and failure.</b> The end of the source, or its failure, is reported only once every element
 * fetched before it has been {@linkplain #poll() taken}: {@link #isExhausted()} and {@link #failure()} stay
 * {@code false}/{@code null} while elements remain. {@code null} elements are valid.
 *
 * <p><b>Threading.</b> A Prefetcherator is confined to its context: call its methods only on that context
 * (its event-loop thread, or the worker context's current thread). Fetch completions may arrive on any
 * thread; each is handed to the context as a task of its own (never handled inside the call that started
 * the fetch) before it touches any state, and the {@linkplain #readyHandler(Handler) ready handler} runs
 * there.
 *
 * @param <T> the element type
 */
public final class Prefetcherator<T> {

  private final ContextInternal context;
  private final ElementSource<T> source;
  private final int window;

  // Buffered batches, taken from the front; `index` is the next element of the first one. Keeping the
  // source's lists instead of copying their elements saves a copy per element and handles null elements.
  private final ArrayDeque<List<T>> batches = new ArrayDeque<>();
  private int index;
  private int buffered;

  private Handler<Void> readyHandler;
  private boolean started;
  private boolean fetching;     // a fetch() is in flight
  private boolean refilling;    // refill() is on the stack
  private boolean sourceDone;   // the last batch arrived, or a fetch failed: never fetch again
  private Throwable failure;    // the source's failure, reported once the buffer is empty
  private boolean closed;
  private Promise<Void> closeAfterFetch; // close() called while a fetch was in flight
  private Future<Void> closeFuture;
  private long fetchedCount;

  private Prefetcherator(ContextInternal context, ElementSource<T> source, int window) {
    this.context = context;
    this.source = source;
    this.window = window;
  }

  /**
   * A Prefetcherator that starts fetching at once (on the context).
   *
   * @param context the context it is confined to, where the ready handler runs; any thread may call this
   * @param source where the elements come from
   * @param window how many elements to fetch ahead at most, at least 1
   * @param <T> the element type
   * @return the Prefetcherator
   * @throws IllegalArgumentException if {@code window < 1}
   */
  public static <T> Prefetcherator<T> create(Context context, ElementSource<T> source, int window) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(source, "source");
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1, was " + window);
    }
    Prefetcherator<T> p = new Prefetcherator<>((ContextInternal) context, source, window);
    p.context.execute(p::start);
    return p;
  }

  /** @return the window: how many elements it fetches ahead at most */
  public int window() {
    return window;
  }

  /**
   * Sets the handler called (on the context) whenever a fetch completes: new elements, the end, or a failure
   * may be available. It is not called for elements already buffered when it is set.
   *
   * @param handler the handler, or {@code null}
   * @return a reference to this, so the API can be used fluently
   */
  public Prefetcherator<T> readyHandler(Handler<Void> handler) {
    this.readyHandler = handler;
    return this;
  }

  /** @return how many elements are buffered, ready for {@link #poll()} */
  public int available() {
    return buffered;
  }

  /**
   * Takes the next buffered element; may start a fetch.
   *
   * @return the element, possibly {@code null}
   * @throws NoSuchElementException if none is {@linkplain #available() available}
   */
  public T poll() {
    if (buffered == 0) {
      throw new NoSuchElementException("no element buffered");
    }
    List<T> head = batches.peekFirst();
    T element = head.get(index++);
    if (index == head.size()) {
      batches.pollFirst();
      index = 0;
    }
    buffered--;
    if (!fetching && buffered <= window / 2) {
      refill();
    }
    return element;
  }

  /** @return {@code true} once the source is exhausted and every element has been taken */
  public boolean isExhausted() {
    return buffered == 0 && sourceDone && failure == null;
  }

  /** @return the source's failure once every element fetched before it has been taken, else {@code null} */
  public Throwable failure() {
    return buffered == 0 ? failure : null;
  }

  /** @return {@code true} if no element will ever be available again: exhausted, failed or closed */
  public boolean isEnded() {
    return closed || (buffered == 0 && sourceDone);
  }

  /** @return how many elements the source has delivered so far (a statistic) */
  public long fetchedCount() {
    return fetchedCount;
  }

  /**
   * Stops: drops the buffered elements and releases the source. A fetch in flight is let finish first (its
   * elements are dropped), so the source never sees {@code close()} during a {@code fetch()}. A source that
   * is exhausted or failed has released itself and is not called.
   *
   * @return a Future, completed on the context when the source is released
   */
  public Future<Void> close() {
    if (closeFuture != null) {
      return closeFuture;
    }
    closed = true;
    batches.clear();
    buffered = 0;
    index = 0;
    if (sourceDone) {
      closeFuture = context.succeededFuture();
    } else if (fetching) {
      closeAfterFetch = context.promise();
      closeFuture = closeAfterFetch.future();
    } else {
      Promise<Void> promise = context.promise();
      closeSource(promise);
      closeFuture = promise.future();
    }
    return closeFuture;
  }

  // ---------------------------------------------------------------- internals

  private void start() {
    if (!started) {
      started = true;
      refill();
    }
  }

  /** Fetches while there is room: at most one fetch in flight. */
  private void refill() {
    if (refilling || !started) {
      return;
    }
    refilling = true;
    try {
      while (!fetching && !sourceDone && !closed && buffered <= window / 2) {
        fetching = true;
        Future<Batch<T>> fetched;
        try {
          fetched = source.fetch(window - buffered);
          if (fetched == null) {
            throw new NullPointerException("ElementSource.fetch returned null");
          }
        } catch (Throwable t) {
          fetched = Future.failedFuture(t);
        }
        // Always a separate task on the context, even when the fetch completed at once (a direct executor,
        // or a fast worker beating this onComplete): the buffer then never grows during a caller's
        // synchronous chain of next() calls, so such a chain ends after at most `window` elements instead
        // of recursing until the stack overflows.
        fetched.onComplete(ar -> context.runOnContext(v -> onFetched(ar)));
      }
    } finally {
      refilling = false;
    }
  }

  private void onFetched(AsyncResult<Batch<T>> ar) {
    fetching = false;
    if (closed) {
      Promise<Void> promise = closeAfterFetch;
      closeAfterFetch = null;
      if (promise != null) {
        boolean released = ar.failed() || ar.result() == null || ar.result().last();
        if (released) {
          promise.tryComplete();
        } else {
          closeSource(promise);
        }
      }
      return;
    }
    if (ar.failed()) {
      sourceDone = true;
      failure = ar.cause();
    } else {
      Batch<T> batch = ar.result();
      if (batch == null) {
        sourceDone = true;
        failure = new NullPointerException("ElementSource.fetch completed with a null batch");
      } else {
        List<T> elements = batch.elements();
        if (!elements.isEmpty()) {
          batches.addLast(elements);
          buffered += elements.size();
          fetchedCount += elements.size();
        }
        sourceDone = batch.last();
      }
    }
    refill();
    Handler<Void> handler = readyHandler;
    if (handler != null) {
      handler.handle(null);
    }
  }

  private void closeSource(Promise<Void> promise) {
    Future<Void> released;
    try {
      released = source.close();
      if (released == null) {
        throw new NullPointerException("ElementSource.close returned null");
      }
    } catch (Throwable t) {
      released = Future.failedFuture(t);
    }
    released.onComplete(promise);
  }
}
