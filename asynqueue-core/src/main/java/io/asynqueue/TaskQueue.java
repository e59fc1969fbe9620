package io.asynqueue;

import io.asynqueue.stream.Deferator;
import io.asynqueue.spi.Worker;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A prioritized queue of tasks, run by the workers attached to it.
 *
 * <pre>{@code
 * TaskQueue q = ThreadQueue.create(vertx, 4);                   // 4 thread workers
 * q.call(x -> x * 2, 21).onSuccess(v -> ...);                   // Future<Integer>
 * q.call(task, new CallOptions().setNiceness(10).setSeries("io").setTimeout(Duration.ofSeconds(5)), arg);
 * q.iterate(() -> bigIterator()).compose(d -> d.pipeTo(someWriteStream));
 * q.shutdown();                                                 // always completes
 * }</pre>
 *
 * <p><b>Threading.</b> Every method may be called from any thread. Every Future a queue returns completes
 * on the Vert.x context of the caller (the context current when the call was made, or a new event-loop
 * context when called from a non-Vert.x thread).
 *
 * <p><b>Scheduling.</b> A task runs on a worker that serves its series, in order of priority (see
 * {@link CallOptions}), first come first served among equals. A task that no idle worker can take never
 * holds up tasks that one can. Every worker runs as many tasks at once as its
 * {@linkplain Worker#capacity() capacity}.
 *
 * <p><b>Results.</b> What a task returns means the same on every worker kind, in this JVM, in a child
 * process or on a remote server:
 * <ul>
 *   <li>a Vert.x {@code Future} or a {@code CompletionStage} is awaited: the call completes with its outcome,
 *       and the worker holds the call until then ({@link #callAsync} types this);
 *   <li>{@code call} of any other value completes with the value; of an {@code Iterator} or a {@code Stream}
 *       it fails, naming {@code iterate()}, since an iterator cannot leave the worker that holds it;
 *   <li>{@code iterate} takes an {@code Iterator}, an {@code Iterable} or a {@code Stream} (closed at the end)
 *       and gives a {@link Deferator} over its elements, stepped where the task ran; anything else fails.
 * </ul>
 * A result that breaks the rule fails the call as the task's own failure would.
 *
 * <p><b>Failures.</b> A task that throws fails its Future with a {@link TaskException}; the worker carries
 * on. A task that runs past its timeout fails with {@link TaskTimeoutException}; a task whose worker is lost
 * fails with {@link WorkerLostException}; either is retried first, at the head of the queue, if the call
 * allowed retries. A call that is {@linkplain CancelToken cancelled} fails with {@link TaskCancelledException}.
 * After {@link #shutdown()} a call fails at once with {@link QueueShutdownException}. No Future is left
 * hanging.
 *
 * <p>Every worker kind is held to this contract by one test suite, {@code WorkerContractTest} in
 * asynqueue-core's test jar.
 */
public interface TaskQueue {

  /**
   * A queue with no workers yet; {@linkplain #attachWorker(Worker) attach} some. Calls made before then wait.
   *
   * @param vertx the Vert.x instance for timers and contexts
   * @return the queue
   */
  static TaskQueue create(Vertx vertx) {
    return create(vertx, new TaskQueueOptions());
  }

  /**
   * A queue with no workers yet, with these options.
   *
   * @param vertx the Vert.x instance for timers and contexts
   * @param options the options
   * @return the queue
   */
  static TaskQueue create(Vertx vertx, TaskQueueOptions options) {
    return new TaskQueueImpl(vertx, options);
  }

  // ---------------------------------------------------------------- calls
  //
  // Every form takes the task first, then, optionally, its CallOptions, then the task's arguments: options are
  // always in the same place.

  /**
   * Queues a call of a task with no arguments.
   *
   * @param task the task
   * @param <R> the result type
   * @return a Future of the task's result
   */
  default <R> Future<R> call(Task0<R> task) {
    return call(task, (CallOptions) null, (Object[]) null);
  }

  /**
   * Queues a call of a task with no arguments, with options.
   *
   * @param task the task
   * @param options the call's options, or {@code null} for the defaults
   * @param <R> the result type
   * @return a Future of the task's result
   */
  default <R> Future<R> call(Task0<R> task, CallOptions options) {
    return call(task, options, (Object[]) null);
  }

  /**
   * Queues a call of a task with one argument.
   *
   * @param task the task
   * @param a the argument
   * @param <A> the argument type
   * @param <R> the result type
   * @return a Future of the task's result
   */
  default <A, R> Future<R> call(Task1<A, R> task, A a) {
    return call(task, (CallOptions) null, a);
  }

  /**
   * Queues a call of a task with one argument, with options.
   *
   * @param task the task
   * @param options the call's options, or {@code null} for the defaults
   * @param a the argument
   * @param <A> the argument type
   * @param <R> the result type
   * @return a Future of the task's result
   */
  default <A, R> Future<R> call(Task1<A, R> task, CallOptions options, A a) {
    return call((Task<R>) task, options, a);
  }

  /**
   * Queues a call of a task with two arguments.
   *
   * @param task the task
   * @param a the first argument
   * @param b the second argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <R> the result type
   * @return a Future of the task's result
   */
  default <A, B, R> Future<R> call(Task2<A, B, R> task, A a, B b) {
    return call(task, (CallOptions) null, a, b);
  }

  /**
   * Queues a call of a task with two arguments, with options.
   *
   * @param task the task
   * @param options the call's options, or {@code null} for the defaults
   * @param a the first argument
   * @param b the second argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <R> the result type
   * @return a Future of the task's result
   */
  default <A, B, R> Future<R> call(Task2<A, B, R> task, CallOptions options, A a, B b) {
    return call((Task<R>) task, options, a, b);
  }

  /**
   * Queues a call of a task with three arguments.
   *
   * @param task the task
   * @param a the first argument
   * @param b the second argument
   * @param c the third argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <C> the third argument's type
   * @param <R> the result type
   * @return a Future of the task's result
   */
  default <A, B, C, R> Future<R> call(Task3<A, B, C, R> task, A a, B b, C c) {
    return call(task, (CallOptions) null, a, b, c);
  }

  /**
   * Queues a call of a task with three arguments, with options.
   *
   * @param task the task
   * @param options the call's options, or {@code null} for the defaults
   * @param a the first argument
   * @param b the second argument
   * @param c the third argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <C> the third argument's type
   * @param <R> the result type
   * @return a Future of the task's result
   */
  default <A, B, C, R> Future<R> call(Task3<A, B, C, R> task, CallOptions options, A a, B b, C c) {
    return call((Task<R>) task, options, a, b, c);
  }

  /**
   * Queues a call of a task given in its general form, such as a named remote task:
   * {@code q.call(Remote.named("add", Integer.class), 1, 2)}.
   *
   * @param task the task
   * @param args its arguments
   * @param <R> the result type
   * @return a Future of the task's result
   * @throws IllegalArgumentException if an argument is a {@link CallOptions}: options go right after the task,
   *     {@code call(task, options, args...)}
   */
  default <R> Future<R> call(Task<R> task, Object... args) {
    if (args != null) {
      for (Object arg : args) {
        if (arg instanceof CallOptions) {
          throw new IllegalArgumentException("CallOptions given among the arguments of call(task, args...): "
              + "options go right after the task, call(task, options, args...)");
        }
      }
    }
    return call(task, (CallOptions) null, args);
  }

  /**
   * Queues a call: the general form that every other {@code call}, {@code callAsync} and {@code iterate} comes
   * to.
   *
   * @param task the task
   * @param options the call's options, or {@code null} for the defaults
   * @param args its arguments
   * @param <R> the result type
   * @return a Future of the task's result
   */
  <R> Future<R> call(Task<R> task, CallOptions options, Object... args);

  /**
   * Queues a call of a task that returns a Future (or a {@code CompletionStage}); the call completes with its
   * outcome, and the worker counts the task as running until then. This is what {@code call} does with such a
   * task (see <i>Results</i> above); this form gives the call the Future's result type.
   *
   * @param task the task
   * @param <R> the result type
   * @return a Future of the outcome of the task's Future
   */
  default <R> Future<R> callAsync(Task0<? extends Future<R>> task) {
    return callAsync(task, (CallOptions) null, (Object[]) null);
  }

  /**
   * As {@link #callAsync(Task0)}, with options.
   *
   * @param task the task
   * @param options the call's options, or {@code null} for the defaults
   * @param <R> the result type
   * @return a Future of the outcome of the task's Future
   */
  default <R> Future<R> callAsync(Task0<? extends Future<R>> task, CallOptions options) {
    return callAsync(task, options, (Object[]) null);
  }

  /**
   * As {@link #callAsync(Task0)}, for a task of one argument.
   *
   * @param task the task
   * @param a the argument
   * @param <A> the argument type
   * @param <R> the result type
   * @return a Future of the outcome of the task's Future
   */
  default <A, R> Future<R> callAsync(Task1<A, ? extends Future<R>> task, A a) {
    return callAsync(task, (CallOptions) null, a);
  }

  /**
   * As {@link #callAsync(Task0)}, for a task of one argument, with options.
   *
   * @param task the task
   * @param options the call's options, or {@code null} for the defaults
   * @param a the argument
   * @param <A> the argument type
   * @param <R> the result type
   * @return a Future of the outcome of the task's Future
   */
  default <A, R> Future<R> callAsync(Task1<A, ? extends Future<R>> task, CallOptions options, A a) {
    return callAsync((Task<? extends Future<R>>) task, options, a);
  }

  /**
   * As {@link #callAsync(Task0)}, for a task of two arguments.
   *
   * @param task the task
   * @param a the first argument
   * @param b the second argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <R> the result type
   * @return a Future of the outcome of the task's Future
   */
  default <A, B, R> Future<R> callAsync(Task2<A, B, ? extends Future<R>> task, A a, B b) {
    return callAsync(task, (CallOptions) null, a, b);
  }

  /**
   * As {@link #callAsync(Task0)}, for a task of two arguments, with options.
   *
   * @param task the task
   * @param options the call's options, or {@code null} for the defaults
   * @param a the first argument
   * @param b the second argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <R> the result type
   * @return a Future of the outcome of the task's Future
   */
  default <A, B, R> Future<R> callAsync(Task2<A, B, ? extends Future<R>> task, CallOptions options, A a, B b) {
    return callAsync((Task<? extends Future<R>>) task, options, a, b);
  }

  /**
   * As {@link #callAsync(Task0)}: the general form.
   *
   * @param task the task
   * @param options the call's options, or {@code null} for the defaults
   * @param args its arguments
   * @param <R> the result type
   * @return a Future of the outcome of the task's Future
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  default <R> Future<R> callAsync(Task<? extends Future<R>> task, CallOptions options, Object... args) {
    return (Future<R>) call((Task) task, options, args);
  }

  // ---------------------------------------------------------------- iteration

  /**
   * Queues a call of a task that returns an iterator (or a {@code Stream}, or an {@code Iterable}). The iterator
   * stays where the task ran; the caller gets a {@link Deferator} that fetches its elements with a bounded
   * prefetch window. To push the elements into a {@code WriteStream} with backpressure:
   * {@code q.iterate(task).compose(d -> d.pipeTo(stream))}.
   *
   * @param task the task
   * @param <T> the element type
   * @return a Future of a Deferator over the elements
   */
  default <T> Future<Deferator<T>> iterate(Task0<? extends Iterator<T>> task) {
    return iterate(task, (CallOptions) null, (Object[]) null);
  }

  /**
   * As {@link #iterate(Task0)}, with options.
   *
   * @param task the task
   * @param options the call's options, or {@code null} for the defaults
   * @param <T> the element type
   * @return a Future of a Deferator over the elements
   */
  default <T> Future<Deferator<T>> iterate(Task0<? extends Iterator<T>> task, CallOptions options) {
    return iterate(task, options, (Object[]) null);
  }

  /**
   * As {@link #iterate(Task0)}, for a task of one argument.
   *
   * @param task the task
   * @param a the argument
   * @param <A> the argument type
   * @param <T> the element type
   * @return a Future of a Deferator over the elements
   */
  default <A, T> Future<Deferator<T>> iterate(Task1<A, ? extends Iterator<T>> task, A a) {
    return iterate(task, (CallOptions) null, a);
  }

  /**
   * As {@link #iterate(Task0)}, for a task of one argument, with options.
   *
   * @param task the task
   * @param options the call's options, or {@code null} for the defaults
   * @param a the argument
   * @param <A> the argument type
   * @param <T> the element type
   * @return a Future of a Deferator over the elements
   */
  default <A, T> Future<Deferator<T>> iterate(Task1<A, ? extends Iterator<T>> task, CallOptions options, A a) {
    return iterate((Task<? extends Iterator<T>>) task, options, a);
  }

  /**
   * As {@link #iterate(Task0)}, for a task of two arguments.
   *
   * @param task the task
   * @param a the first argument
   * @param b the second argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <T> the element type
   * @return a Future of a Deferator over the elements
   */
  default <A, B, T> Future<Deferator<T>> iterate(Task2<A, B, ? extends Iterator<T>> task, A a, B b) {
    return iterate(task, (CallOptions) null, a, b);
  }

  /**
   * As {@link #iterate(Task0)}, for a task of two arguments, with options.
   *
   * @param task the task
   * @param options the call's options, or {@code null} for the defaults
   * @param a the first argument
   * @param b the second argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <T> the element type
   * @return a Future of a Deferator over the elements
   */
  default <A, B, T> Future<Deferator<T>> iterate(Task2<A, B, ? extends Iterator<T>> task, CallOptions options,
      A a, B b) {
    return iterate((Task<? extends Iterator<T>>) task, options, a, b);
  }

  /**
   * As {@link #iterate(Task0)}, for a task in its general form, such as a named remote one:
   * {@code q.iterate(Remote.iterator("lines", String.class), path)}.
   *
   * @param task the task
   * @param args its arguments
   * @param <T> the element type
   * @return a Future of a Deferator over the elements
   */
  default <T> Future<Deferator<T>> iterate(Task<? extends Iterator<T>> task, Object... args) {
    return iterate(task, (CallOptions) null, args);
  }

  /**
   * As {@link #iterate(Task0)}: the general form.
   *
   * @param task the task
   * @param options the call's options, or {@code null} for the defaults
   * @param args its arguments
   * @param <T> the element type
   * @return a Future of a Deferator over the elements
   */
  <T> Future<Deferator<T>> iterate(Task<? extends Iterator<T>> task, CallOptions options, Object... args);

  // ---------------------------------------------------------------- cancelling

  /**
   * Cancels the calls of a series that are queued: they leave the queue at once and their Futures fail with
   * {@link TaskCancelledException}. Running calls of the series finish. Calls made later are not affected. To
   * cancel some calls rather than a whole series, give them a {@link CancelToken}.
   *
   * @param series the series, {@code null} for the default series
   * @return a Future of how many calls were cancelled
   */
  default Future<Integer> cancel(String series) {
    return cancel(series, false);
  }

  /**
   * Cancels the calls of a series that are queued and, if {@code interrupt}, those running too: a running call
   * is stopped as its timeout would stop it (a thread worker interrupts, a process worker kills and restarts its
   * child, a remote worker cancels), and the worker carries on. Their Futures fail with
   * {@link TaskCancelledException}. Calls made later are not affected.
   *
   * @param series the series, {@code null} for the default series
   * @param interrupt whether to stop the running calls of the series
   * @return a Future of how many calls were cancelled
   */
  Future<Integer> cancel(String series, boolean interrupt);

  // ---------------------------------------------------------------- updates
  //
  // An update runs on every worker now and, unless ephemeral, on every worker attached (or restarted) later,
  // before that worker takes a call. The flag comes where the options of a call would.

  /**
   * Runs a task on every current worker, bypassing the queue, and on every worker attached later before
   * it takes its first task. Tasks already queued may run on a worker before its update: wait for the
   * returned Future first.
   *
   * @param task the task
   * @param <R> the result type
   * @return a Future of the results, one per current worker
   */
  default <R> Future<List<R>> update(Task0<R> task) {
    return update(task, false, (Object[]) null);
  }

  /**
   * As {@link #update(Task0)}, ephemeral or not.
   *
   * @param task the task
   * @param ephemeral {@code true} to run it on the current workers only, not on workers attached later
   * @param <R> the result type
   * @return a Future of the results, one per current worker
   */
  default <R> Future<List<R>> update(Task0<R> task, boolean ephemeral) {
    return update(task, ephemeral, (Object[]) null);
  }

  /**
   * As {@link #update(Task0)}, for a task of one argument.
   *
   * @param task the task
   * @param a the argument
   * @param <A> the argument type
   * @param <R> the result type
   * @return a Future of the results, one per current worker
   */
  default <A, R> Future<List<R>> update(Task1<A, R> task, A a) {
    return update(task, false, a);
  }

  /**
   * As {@link #update(Task0)}, for a task of one argument, ephemeral or not.
   *
   * @param task the task
   * @param ephemeral {@code true} to run it on the current workers only, not on workers attached later
   * @param a the argument
   * @param <A> the argument type
   * @param <R> the result type
   * @return a Future of the results, one per current worker
   */
  default <A, R> Future<List<R>> update(Task1<A, R> task, boolean ephemeral, A a) {
    return update((Task<R>) task, ephemeral, a);
  }

  /**
   * As {@link #update(Task0)}, for a task of two arguments.
   *
   * @param task the task
   * @param a the first argument
   * @param b the second argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <R> the result type
   * @return a Future of the results, one per current worker
   */
  default <A, B, R> Future<List<R>> update(Task2<A, B, R> task, A a, B b) {
    return update(task, false, a, b);
  }

  /**
   * As {@link #update(Task0)}, for a task of two arguments, ephemeral or not.
   *
   * @param task the task
   * @param ephemeral {@code true} to run it on the current workers only, not on workers attached later
   * @param a the first argument
   * @param b the second argument
   * @param <A> the first argument's type
   * @param <B> the second argument's type
   * @param <R> the result type
   * @return a Future of the results, one per current worker
   */
  default <A, B, R> Future<List<R>> update(Task2<A, B, R> task, boolean ephemeral, A a, B b) {
    return update((Task<R>) task, ephemeral, a, b);
  }

  /**
   * Runs a task on every current worker: the general form.
   *
   * @param task the task
   * @param ephemeral {@code true} to run it on the current workers only, not on workers attached later
   * @param args its arguments
   * @param <R> the result type
   * @return a Future of the results, one per current worker (an empty list when there are none)
   */
  <R> Future<List<R>> update(Task<R> task, boolean ephemeral, Object... args);

  // ---------------------------------------------------------------- workers

  /**
   * Hires a worker: starts it, runs every saved update on it, then lets it take tasks.
   *
   * @param worker the worker, not attached to any queue yet
   * @return a Future of the worker's ID (1, 2, 3, ..., never reused), completed when it takes tasks;
   *     failed if it did not start, an update failed on it, or the queue is shut down
   */
  Future<Integer> attachWorker(Worker worker);

  /**
   * Lets a worker go.
   *
   * @param id the worker's ID
   * @param mode how: graceful, reassigning its tasks, or crashing them
   * @return a Future of how many tasks the worker still held when it went (reassigned or failed; 0 when
   *     graceful and it finished them); 0 for an unknown ID
   */
  Future<Integer> detachWorker(int id, DetachMode mode);

  /** @return the IDs of the attached workers, in the order they were attached */
  Set<Integer> workerIds();

  /** @return the number of attached workers */
  int size();

  // ---------------------------------------------------------------- load

  /** @return a snapshot of the queue's load: queued tasks, running tasks, and per worker */
  QueueLoad load();

  /**
   * Sets a handler called with the queue's load after it changes: tasks queued, started, finished, workers
   * attached or detached. Changes that come faster than the handler runs are coalesced: it always sees the
   * latest load. Called on the context of the caller of this method.
   *
   * @param handler the handler, or {@code null} to remove it
   * @return a reference to this, so the API can be used fluently
   */
  TaskQueue loadHandler(Handler<QueueLoad> handler);

  // ---------------------------------------------------------------- lifecycle

  /** @return {@code true} until {@link #shutdown()} or {@link #shutdownNow()} is called */
  boolean isRunning();

  /**
   * Stops taking calls, lets the queued tasks run, then stops the workers. Tasks that no attached worker
   * can serve fail with {@link QueueShutdownException}.
   *
   * <p>It waits as long as tasks keep finishing. Once none has finished for the
   * {@linkplain TaskQueueOptions#setStopTimeout stop timeout}, it gives up: the tasks still queued fail with
   * {@link QueueShutdownException}, and so do the running ones, whose workers are crashed (a thread that
   * ignores interrupts is abandoned). Then it stops the workers, crashing any that take longer than the stop
   * timeout. So it always completes; calling it again returns the same outcome.
   *
   * @return a Future completed, on the caller's context, when every task has finished and every worker has
   *     stopped
   */
  Future<Void> shutdown();

  /**
   * Stops taking calls, fails every queued task with {@link QueueShutdownException}, lets the running
   * ones finish (giving up on them as {@link #shutdown()} does), then stops the workers.
   *
   * @return a Future completed, on the caller's context, when every worker has stopped
   */
  Future<Void> shutdownNow();
}
