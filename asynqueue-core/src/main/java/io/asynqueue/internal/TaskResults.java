package io.asynqueue.internal;

import io.vertx.core.Future;
import java.util.Iterator;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.BaseStream;

/**
 * The one rule for what a task's return value means, used by every worker kind: the thread and event-loop
 * workers, the child JVM and the remote server. Written once so that a task means the same wherever it runs.
 *
 * <table>
 *   <caption>What a call completes with</caption>
 *   <tr><th>the task returns</th><th>{@code call} / {@code callAsync}</th><th>{@code iterate}</th></tr>
 *   <tr><td>a value (a {@code List} included)</td><td>the value</td>
 *       <td>a list or other {@code Iterable}: its elements; else an {@code IllegalArgumentException}</td></tr>
 *   <tr><td>a Vert.x {@code Future} or a {@code CompletionStage}</td>
 *       <td colspan="2">its outcome, read by the same rule once it has one (the worker holds the call
 *       until then); its failure is the task's failure</td></tr>
 *   <tr><td>an {@code Iterator} or a {@code Stream}</td>
 *       <td>an {@code IllegalArgumentException} naming {@code iterate()} (an iterator cannot leave the
 *       worker that holds it; the stream is closed)</td>
 *       <td>its elements, stepped where the task ran; a stream is closed when read out or stopped</td></tr>
 * </table>
 *
 * <p>A failure of the rule is reported as the task's own failure, so the caller sees a
 * {@code TaskException} naming {@code IllegalArgumentException}, from every kind alike.
 */
public final class TaskResults {

  private TaskResults() {
  }

  /** Where the outcome of a task goes: exactly one of these is called, once. */
  public interface Outcome {

    /**
     * The call's value.
     *
     * @param value the value, may be {@code null}
     */
    void value(Object value);

    /**
     * The elements of an iteration, to step where the task ran. Closing it (it may be
     * {@link AutoCloseable}) releases what it holds.
     *
     * @param iterator the iterator
     */
    void iterator(Iterator<?> iterator);

    /**
     * The task's failure: what it threw, what its Future failed with, or why its result breaks the rule.
     *
     * @param failure the failure
     */
    void failure(Throwable failure);
  }

  /**
   * Reads what a task returned and reports it to the outcome: at once, or, for a Future or a
   * CompletionStage, once that has an outcome (on whatever thread completes it).
   *
   * @param result what the task returned
   * @param iterate whether the call was {@code iterate} (else {@code call} or {@code callAsync})
   * @param outcome where the outcome goes; called exactly once
   */
  public static void resolve(Object result, boolean iterate, Outcome outcome) {
    if (result instanceof Future<?> future) {
      future.onComplete(ar -> {
        if (ar.succeeded()) {
          resolve(ar.result(), iterate, outcome);
        } else {
          outcome.failure(ar.cause());
        }
      });
    } else if (result instanceof CompletionStage<?> stage) {
      stage.whenComplete((value, failure) -> {
        if (failure == null) {
          resolve(value, iterate, outcome);
        } else {
          outcome.failure(failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure);
        }
      });
    } else if (iterate) {
      Iterator<?> iterator = asIterator(result);
      if (iterator == null) {
        outcome.failure(new IllegalArgumentException("the task of iterate() returned " + typeOf(result)
            + ", not an Iterator, Iterable or Stream"));
      } else {
        outcome.iterator(iterator);
      }
    } else if (result instanceof Iterator<?> || result instanceof BaseStream<?, ?>) {
      closeQuietly(result);
      outcome.failure(new IllegalArgumentException("the task returned " + typeOf(result)
          + ": use iterate() to stream its elements"));
    } else {
      outcome.value(result);
    }
  }

  /**
   * Closes an iterator (or stream) if it holds anything; what closing throws is dropped.
   *
   * @param resource an iterator, stream or anything else
   */
  public static void closeQuietly(Object resource) {
    if (resource instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // releasing is best effort: the iteration is over either way
      }
    }
  }

  private static Iterator<?> asIterator(Object result) {
    if (result instanceof Iterator<?> iterator) {
      return iterator;
    }
    if (result instanceof BaseStream<?, ?> stream) {
      return new StreamIterator<>(stream);
    }
    if (result instanceof Iterable<?> iterable) {
      return iterable.iterator();
    }
    return null;
  }

  private static String typeOf(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }

  /** The iterator of a stream, which closes the stream when closed. */
  private static final class StreamIterator<T> implements Iterator<T>, AutoCloseable {
    private final BaseStream<T, ?> stream;
    private final Iterator<T> iterator;

    StreamIterator(BaseStream<T, ?> stream) {
      this.stream = stream;
      this.iterator = stream.iterator();
    }

    @Override
    public boolean hasNext() {
      return iterator.hasNext();
    }

    @Override
    public T next() {
      return iterator.next();
    }

    @Override
    public void close() {
      stream.close();
    }
  }
}
