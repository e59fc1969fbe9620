package io.asynqueue.pipeline;

import io.asynqueue.stream.Deferator;
import io.asynqueue.Task;
import io.asynqueue.Task1;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

// Design note: the fluent front door of pipelines, as Flux is Reactor's: long because every stage and sink is a
// documented method. It only records a Plan; Engine runs it and the nodes (WorkStage, ReduceNode, ...) do the work.
/**
 * Data through stages of workers, with backpressure: what k3jobq, parallel-queue, job_stream and
 * mt.concurrency do, on the queue's workers.
 *
 * <pre>{@code
 * import static io.asynqueue.pipeline.Stage.stage;
 *
 * Pipeline.from(vertx, lines)                          // an Iterator, Iterable or ReadStream, read lazily
 *     .map(Parse::line, stage().threads(4))            // 4 threads of its own
 *     .filter(Record::valid)                           // on the event loop: cheap functions only
 *     .map(Score::of, stage().on(processQueue))        // any TaskQueue: process or remote workers too
 *     .ordered()                                       // what leaves here is in input order
 *     .to(writeStream);                                // Future<Void>; or forEach, collect, stream
 * }</pre>
 *
 * <p><b>Stages.</b> {@link #map map}, {@link #filter filter}, {@link #flatMap flatMap}, {@link #mapAsync
 * mapAsync} and {@link #mapArgs mapArgs} run a function per element where their {@link Stage} says: on the
 * event loop (no Stage), on threads of the pipeline's own ({@code stage().threads(n)}), or as calls on any
 * {@link io.asynqueue.TaskQueue} ({@code stage().on(queue)}). The other steps ({@link #rateLimit
 * rateLimit}, {@link #batch batch}, {@link #reduce reduce}, {@link #frame frame}) run on the event loop.
 *
 * <p><b>Order.</b> By default a stage hands on each result as soon as it is ready. {@link #ordered()} makes
 * every stage since the previous {@code ordered()} (or since the input) keep input order, each holding back
 * early results within its {@linkplain Stage#window(int) window}; {@link #partitionBy(Function)} makes the
 * next stage run one element per key at a time, keys in parallel, keeping order per key.
 *
 * <p><b>Bounded memory.</b> Every stage holds at most its window; the input is read only when the first
 * stage has room; a {@code WriteStream} sink that reports {@code writeQueueFull} stops the last stage, which
 * in turn stops the one before. So an endless input works, and memory depends on the windows, not on the
 * input's length. The exceptions are the ones you ask for: {@link #collect()} keeps every result, and a
 * {@link #frame frame} keeps the work its functions return.
 *
 * <p><b>Failures.</b> When an element fails (its function threw, its call timed out, its worker was lost),
 * the pipeline stops reading, drops what is in flight (its calls still queued on a queue are cancelled: they
 * leave the queue and never run), shuts down its own threads, and its Future fails with
 * a {@link PipelineException} that names the stage and carries the element and the cause. With an
 * {@link #onError(Handler) error handler} the handler gets it instead, the element is dropped and the
 * pipeline goes on. A failing input or sink always fails the pipeline. The Future always completes.
 *
 * <p><b>Threading.</b> A Pipeline is built on one thread (the building methods are not thread-safe) and run
 * once: the first terminal call ({@link #to(WriteStream)}, {@link #forEach(Handler)}, {@link #collect()},
 * {@link #stream()}) starts it, on the Vert.x context of that call (or a new event-loop context if called
 * from elsewhere). The input is read, functions without a placement run, and the functions of {@code
 * partitionBy}, {@code reduce}, {@code frame}, {@code forEach} and the error handler are called on that
 * context; a stage's worker functions run on its workers. Every Future completes on that context. {@link
 * #stats()}, {@link #setConcurrency(String, int)} and {@link #cancel()} may be called from any thread.
 *
 * <p><b>A chain.</b> Each step returns the next node of the same pipeline; add steps to the last node only.
 * Any node stands for the whole pipeline when it runs.
 *
 * @param <T> the type of the elements at this point of the pipeline
 */
public final class Pipeline<T> {

  /** How often a {@link #pauseWhen(ResourceGuard) resource guard} is consulted by default: every 100 ms. */
  public static final Duration DEFAULT_GUARD_INTERVAL = Duration.ofMillis(100);
  /** How many elements {@link #stream()} fetches ahead by default: 16. */
  public static final int DEFAULT_STREAM_WINDOW = 16;

  private final Plan plan;
  private final int position;

  private Pipeline(Plan plan, int position) {
    this.plan = plan;
    this.position = position;
  }

  // ---------------------------------------------------------------- inputs

  /**
   * A pipeline over an iterator, read on the pipeline's context one element at a time as the first stage has
   * room. It may be endless. If it is {@link AutoCloseable} it is closed when the pipeline ends. It must not
   * block: for a blocking source use a {@link ReadStream}, such as {@code queue.iterate(...)}'s Deferator.
   *
   * @param vertx the Vert.x instance
   * @param inputs the inputs
   * @param <T> the element type
   * @return the pipeline's first node
   */
  public static <T> Pipeline<T> from(Vertx vertx, Iterator<? extends T> inputs) {
    return new Pipeline<>(Plan.create(Objects.requireNonNull(vertx, "vertx"),
        Objects.requireNonNull(inputs, "inputs")), 0);
  }

  /**
   * A pipeline over an Iterable (its iterator is made when the pipeline starts). A {@link java.util.Collection}
   * has a known size, which {@link #serialBelow(int)} looks at.
   *
   * @param vertx the Vert.x instance
   * @param inputs the inputs
   * @param <T> the element type
   * @return the pipeline's first node
   */
  public static <T> Pipeline<T> from(Vertx vertx, Iterable<? extends T> inputs) {
    return new Pipeline<>(Plan.create(Objects.requireNonNull(vertx, "vertx"),
        Objects.requireNonNull(inputs, "inputs")), 0);
  }

  /**
   * A pipeline over a ReadStream, read with explicit demand ({@code fetch}) a few elements ahead. Its failure
   * fails the pipeline; a failed or cancelled pipeline pauses it (and stops it if it is a {@link Deferator}).
   *
   * @param vertx the Vert.x instance
   * @param inputs the inputs
   * @param <T> the element type
   * @return the pipeline's first node
   */
  public static <T> Pipeline<T> from(Vertx vertx, ReadStream<? extends T> inputs) {
    return new Pipeline<>(Plan.create(Objects.requireNonNull(vertx, "vertx"),
        Objects.requireNonNull(inputs, "inputs")), 0);
  }

  // ---------------------------------------------------------------- stages

  /**
   * Transforms each element on the pipeline's event loop. For cheap, non-blocking functions.
   *
   * @param fn the function; may return {@code null}, which is passed on
   * @param <R> the result type
   * @return the next node
   */
  public <R> Pipeline<R> map(Task1<? super T, ? extends R> fn) {
    return map(fn, new Stage());
  }

  /**
   * Transforms each element where {@code stage} says.
   *
   * @param fn the function; may return {@code null}, which is passed on. On a process or remote queue it
   *     must be serializable (a method reference, or a lambda capturing serializable values only)
   * @param stage where and how it runs
   * @param <R> the result type
   * @return the next node
   */
  public <R> Pipeline<R> map(Task1<? super T, ? extends R> fn, Stage stage) {
    return work(Plan.Kind.MAP, fn, stage, "map");
  }

  /**
   * Keeps the elements for which {@code keep} gives {@code true}, on the event loop (k3jobq's
   * {@code EmptyRst}: a dropped element goes no further).
   *
   * @param keep the predicate; {@code false} or {@code null} drops the element
   * @return the next node
   */
  public Pipeline<T> filter(Task1<? super T, Boolean> keep) {
    return filter(keep, new Stage());
  }

  /**
   * Keeps the elements for which {@code keep} gives {@code true}, where {@code stage} says.
   *
   * @param keep the predicate; {@code false} or {@code null} drops the element
   * @param stage where and how it runs
   * @return the next node
   */
  public Pipeline<T> filter(Task1<? super T, Boolean> keep, Stage stage) {
    return work(Plan.Kind.FILTER, keep, stage, "filter");
  }

  /**
   * Replaces each element by the elements of the iterator {@code fn} returns (k3jobq's iterator workers,
   * job_stream's {@code Multiple}), on the event loop.
   *
   * @param fn the function; for a list return {@code list.iterator()}
   * @param <R> the type of the iterator's elements
   * @return the next node
   */
  public <R> Pipeline<R> flatMap(Task1<? super T, ? extends Iterator<R>> fn) {
    return flatMap(fn, new Stage());
  }

  /**
   * Replaces each element by the elements of the iterator {@code fn} returns, where {@code stage} says. On a
   * queue the iterator stays on its worker (as {@link io.asynqueue.TaskQueue#iterate(Task1, Object)}) and
   * its elements are fetched as the next stage takes them, a few at a time, so a long or endless iterator
   * holds no more than that. In an ordered stage only the oldest element's iterator is read.
   *
   * @param fn the function
   * @param stage where and how it runs; an element counts as running until its iterator is read out
   * @param <R> the type of the iterator's elements
   * @return the next node
   */
  public <R> Pipeline<R> flatMap(Task1<? super T, ? extends Iterator<R>> fn, Stage stage) {
    return work(Plan.Kind.FLAT_MAP, fn, stage, "flatMap");
  }

  /**
   * Transforms each element with an asynchronous function, up to {@link Stage#maxInFlight(int)} at once
   * (16 by default; mt.concurrency's {@code aio_work_generator} with {@code max_concurrency}). Without a
   * queue the function is called on the event loop and must not block; its Future may complete on any thread.
   * On a queue it is run with {@link io.asynqueue.TaskQueue#callAsync(io.asynqueue.Task0)}: for workers in
   * this JVM.
   *
   * @param fn the function
   * @param stage where and how it runs
   * @param <R> the result type
   * @return the next node
   */
  public <R> Pipeline<R> mapAsync(Function<? super T, ? extends Future<R>> fn, Stage stage) {
    return work(Plan.Kind.ASYNC, fn, stage, "mapAsync");
  }

  /**
   * Calls {@code task} with each element's arguments spread out (job_stream's {@code Args}): each element
   * must be an {@link Args}. The task is the queue's general form, so any {@link io.asynqueue.Task2},
   * {@link io.asynqueue.Task3} or {@code Task} of an {@code Object[]} fits, and on a queue it travels as it
   * does in {@code queue.call(task, options, args...)}.
   *
   * @param task the task
   * @param stage where and how it runs
   * @param <R> the result type
   * @return the next node
   */
  public <R> Pipeline<R> mapArgs(Task<? extends R> task, Stage stage) {
    return work(Plan.Kind.ARGS, task, stage, "mapArgs");
  }

  private <R> Pipeline<R> work(Plan.Kind kind, Object fn, Stage stage, String operator) {
    plan.addWork(position, kind, Objects.requireNonNull(fn, "fn"), Objects.requireNonNull(stage, "stage"),
        operator);
    return next();
  }

  private <R> Pipeline<R> next() {
    return new Pipeline<>(plan, plan.size());
  }

  // ---------------------------------------------------------------- order

  /**
   * Makes what leaves this point come in input order (parallel-queue; k3jobq's {@code keep_order}): every
   * stage since the previous {@code ordered()} (or since the input, or a {@code reduce}) keeps order,
   * holding back results that finish early within its {@linkplain Stage#window(int) window}; when its window
   * is full of results waiting for a slow one, it takes no more input. A frame since then emits its results
   * in the order its inputs came. Stages after this point are unordered again unless followed by another
   * {@code ordered()}.
   *
   * @return the next node
   */
  public Pipeline<T> ordered() {
    plan.ordered(position, 0);
    return next();
  }

  /**
   * As {@link #ordered()}, with a reorder window for the stages that did not set theirs: how many elements
   * each may hold, running or waiting for an earlier one.
   *
   * @param window at least 1
   * @return the next node
   */
  public Pipeline<T> ordered(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1, was " + window);
    }
    plan.ordered(position, window);
    return next();
  }

  /**
   * Makes the next stage run elements of the same key one at a time, in the order they came, while elements
   * of other keys run in parallel (k3jobq's dispatcher): so each key's results keep their order. The stage
   * takes elements past a busy key, up to its window. Follow it with {@code ordered()} to keep the global
   * order too.
   *
   * @param key gives an element's key (compared with {@code equals}); called on the pipeline's context
   * @return the next node, which must be followed by a stage
   */
  public Pipeline<T> partitionBy(Function<? super T, ?> key) {
    plan.partitionBy(position, Objects.requireNonNull(key, "key"));
    return next();
  }

  // ---------------------------------------------------------------- flow

  /**
   * Lets elements through no faster than {@code permits} per {@code per}, evenly spaced (k3jobq's
   * {@code limit_job_speed}). Elements wait upstream, so the stages before fill up and stop.
   *
   * @param permits elements per period, at least 1
   * @param per the period
   * @return the next node
   */
  public Pipeline<T> rateLimit(long permits, Duration per) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1, was " + permits);
    }
    Objects.requireNonNull(per, "per");
    if (per.isZero() || per.isNegative()) {
      throw new IllegalArgumentException("per must be positive, was " + per);
    }
    double perSecond = permits * 1e9 / per.toNanos();
    return rateLimit(() -> perSecond);
  }

  /**
   * Lets elements through no faster than a rate read before each one, so it may change while the pipeline
   * runs (k3jobq's {@code max_job_speed} given as a function). A rate of 0 or less pauses; it is read again
   * every 100 ms.
   *
   * @param perSecond the rate, in elements per second; called on the pipeline's context
   * @return the next node
   */
  public Pipeline<T> rateLimit(DoubleSupplier perSecond) {
    plan.add(position, Plan.rate(Objects.requireNonNull(perSecond, "perSecond")));
    return next();
  }

  /**
   * Groups elements into lists of {@code size}, the last one shorter (mt.concurrency's batched pmap):
   * follow it with a stage that works on a whole batch, then {@code flatMap(List::iterator)} to unbatch.
   * Not inside a frame's body.
   *
   * @param size at least 1
   * @return the next node
   */
  public Pipeline<List<T>> batch(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be at least 1, was " + size);
    }
    plan.add(position, Plan.batch(size));
    return next();
  }

  /**
   * Folds every element into one store as it arrives, and emits {@code emit(store)} as the only element once
   * the input is exhausted (job_stream's {@code reduce} with {@code emit}). Called on the pipeline's context.
   * Not inside a frame's body (a frame is the per-input form).
   *
   * @param store makes the store, when the pipeline starts
   * @param accumulate folds an element into the store
   * @param emit gives the output from the store
   * @param <S> the store type
   * @param <R> the output type
   * @return the next node
   */
  public <S, R> Pipeline<R> reduce(Supplier<S> store, BiConsumer<? super S, ? super T> accumulate,
      Function<? super S, ? extends R> emit) {
    plan.add(position, Plan.reduce(Objects.requireNonNull(store, "store"),
        Objects.requireNonNull(accumulate, "accumulate"), Objects.requireNonNull(emit, "emit")));
    return next();
  }

  /**
   * A loop per element (job_stream's {@code frame} and {@code frameEnd}): each input gets a store; the head
   * gives work, which goes through the body's stages; each result is folded into the store by the end, which
   * may give more work; when all of the input's work is done the head is asked again, and once it gives no
   * work the input's result, {@code emit(store)}, leaves the frame. Inputs loop in parallel (up to 16 at a
   * time); their results leave as they finish, or in input order after {@link #ordered()}.
   *
   * <pre>{@code
   * // job_stream's sumThrough: 4 -> "4: 10", 5 -> "5: 15", 8 -> "8: 36"
   * .frame(Sum::new,
   *     (s, first) -> s.started ? null : s.start(first),              // List.of(first) the first time
   *     body -> body.flatMap(n -> IntStream.rangeClosed(1, n).boxed().iterator(), stage().threads(2)),
   *     (s, next) -> { s.value += next; return null; },               // nothing more to do
   *     s -> s.first + ": " + s.value)
   * }</pre>
   *
   * @param store makes an input's store
   * @param head given the store and the input, gives work to do ({@code null} or empty: the loop ends)
   * @param body builds the stages the work goes through, from the node it is given
   * @param end given the store and a result of the body, gives more work ({@code null} or empty: none)
   * @param emit gives the input's result from its store
   * @param <S> the store type
   * @param <W> the type of the work
   * @param <V> the type of the body's results
   * @param <R> the result type
   * @return the next node
   */
  public <S, W, V, R> Pipeline<R> frame(Function<? super T, ? extends S> store,
      BiFunction<? super S, ? super T, ? extends Iterable<? extends W>> head,
      Function<Pipeline<W>, Pipeline<V>> body,
      BiFunction<? super S, ? super V, ? extends Iterable<? extends W>> end,
      Function<? super S, ? extends R> emit) {
    plan.checkAppend(position);
    Plan bodyPlan = plan.body();
    Pipeline<V> bodyEnd = Objects.requireNonNull(body, "body").apply(new Pipeline<>(bodyPlan, 0));
    if (bodyEnd == null || bodyEnd.plan != bodyPlan || bodyEnd.position != bodyPlan.size()) {
      throw new IllegalArgumentException("body must return the last node of the pipeline it was given");
    }
    plan.add(position, Plan.frame(Objects.requireNonNull(store, "store"), Objects.requireNonNull(head, "head"),
        bodyPlan, Objects.requireNonNull(end, "end"), Objects.requireNonNull(emit, "emit")));
    return next();
  }

  // ---------------------------------------------------------------- pipeline-wide

  /**
   * Runs {@code init} once when the pipeline starts, before any input is read (job_stream's {@code init});
   * the pipeline starts when its Future succeeds, and fails (stage {@code init}) if it fails.
   *
   * @param init called on the pipeline's context
   * @return this node
   */
  public Pipeline<T> init(Supplier<? extends Future<?>> init) {
    plan.init(Objects.requireNonNull(init, "init"));
    return this;
  }

  /**
   * Routes failing elements to {@code handler} instead of failing the pipeline: the element is dropped and the
   * pipeline goes on. Applies to every stage (and the sink's {@code forEach} action); a failing input, sink
   * stream or handler still fails the pipeline.
   *
   * @param handler called on the pipeline's context
   * @return this node
   */
  public Pipeline<T> onError(Handler<PipelineException> handler) {
    plan.errorHandler(Objects.requireNonNull(handler, "handler"));
    return this;
  }

  /**
   * Limits the pipeline's whole run (k3jobq's {@code timeout}): when it runs out, the pipeline stops reading,
   * lets the elements running on its own threads finish, and fails with {@link PipelineTimeoutException}.
   *
   * @param timeout a positive duration
   * @return this node
   */
  public Pipeline<T> timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    plan.timeout(timeout);
    return this;
  }

  /**
   * Pauses the intake of input while {@code guard} says the machine is overloaded (mt.concurrency's resource
   * guards); checked at most every {@link #DEFAULT_GUARD_INTERVAL}.
   *
   * @param guard for instance {@code ResourceGuard.memoryAbove(0.9)}
   * @return this node
   */
  public Pipeline<T> pauseWhen(ResourceGuard guard) {
    return pauseWhen(guard, DEFAULT_GUARD_INTERVAL);
  }

  /**
   * As {@link #pauseWhen(ResourceGuard)}, checked at most every {@code interval}.
   *
   * @param guard the guard
   * @param interval a positive duration
   * @return this node
   */
  public Pipeline<T> pauseWhen(ResourceGuard guard, Duration interval) {
    Objects.requireNonNull(guard, "guard");
    Objects.requireNonNull(interval, "interval");
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("interval must be positive, was " + interval);
    }
    plan.guard(guard, interval);
    return this;
  }

  /**
   * Serial mode for small inputs (mt.concurrency's {@code serial_mode}): when the input is a
   * {@link java.util.Collection} of at most {@code size} elements, no private threads are started; each
   * {@code threads(n)} stage runs its function on a Vert.x worker thread, and every stage takes one element
   * at a time.
   *
   * @param size the largest input run serially, 0 or more
   * @return this node
   */
  public Pipeline<T> serialBelow(int size) {
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0, was " + size);
    }
    plan.serialBelow(size);
    return this;
  }

  // ---------------------------------------------------------------- terminals

  /**
   * Runs the pipeline into a WriteStream, honouring {@code writeQueueFull} and its drain handler; ends the
   * stream when the pipeline ends (also on failure, as Vert.x's {@code pipeTo} does). Sets the stream's
   * drain and exception handlers.
   *
   * @param sink the stream
   * @return a Future completed when every element is written, the stream ended and the pipeline's own threads
   *     stopped; failed with a {@link PipelineException} (or {@link java.util.concurrent.CancellationException}
   *     after {@link #cancel()})
   */
  public Future<Void> to(WriteStream<? super T> sink) {
    return Engine.runTo(root(), Objects.requireNonNull(sink, "sink"));
  }

  /**
   * Runs the pipeline, calling {@code action} with each element on the pipeline's context (job_stream's
   * {@code result}). An action that throws fails the element.
   *
   * @param action the action
   * @return a Future completed when every element has been handled and the pipeline's threads stopped
   */
  @SuppressWarnings("unchecked")
  public Future<Void> forEach(Handler<? super T> action) {
    Objects.requireNonNull(action, "action");
    return Engine.runForEach(root(), v -> action.handle((T) v));
  }

  /**
   * Runs the pipeline and collects its elements (job_stream's {@code finish} is {@code collect().map(fn)}).
   * Keeps every element: for bounded output only.
   *
   * @return a Future of the elements, in the order they left the pipeline
   */
  @SuppressWarnings("unchecked")
  public Future<List<T>> collect() {
    return (Future<List<T>>) (Future<?>) Engine.runCollect(root());
  }

  /**
   * Runs the pipeline as a {@link Deferator}: a ReadStream, and a pull-style iterator ({@code next()}) that
   * runs ahead by at most {@link #DEFAULT_STREAM_WINDOW} elements beyond what the stages hold
   * (mt.concurrency's {@code WorkIterator}). {@code stop()} cancels the pipeline; its failure fails the
   * Deferator.
   *
   * @return the Deferator; its Futures and handlers run on the pipeline's context
   */
  public Deferator<T> stream() {
    return stream(DEFAULT_STREAM_WINDOW);
  }

  /**
   * As {@link #stream()}, fetching up to {@code window} elements ahead.
   *
   * @param window at least 1
   * @return the Deferator
   */
  @SuppressWarnings("unchecked")
  public Deferator<T> stream(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1, was " + window);
    }
    return (Deferator<T>) (Deferator<?>) Engine.runStream(root(), window);
  }

  private Plan root() {
    if (plan.isBody()) {
      throw new IllegalStateException("a frame's body is run by its frame: return its last node from body");
    }
    plan.checkAppend(position);
    return plan;
  }

  // ---------------------------------------------------------------- control

  /**
   * A snapshot of the run's counters (k3jobq's stats probe): elements read and written, and per stage how
   * many went in, are running, waiting and buffered.
   *
   * @return a Future of the stats; failed with {@link IllegalStateException} before the pipeline starts
   */
  public Future<PipelineStats> stats() {
    Engine e = plan.engine();
    return e == null ? Future.failedFuture(new IllegalStateException("the pipeline has not been started"))
        : e.stats();
  }

  /**
   * Changes a stage's concurrency while the pipeline runs (k3jobq's {@code set_thread_num}). For a stage on
   * {@code threads(n)}: its number of threads, and {@code maxInFlight} becomes {@code max(2n, 16)}; threads taken away
   * finish the element they are running first. For any other stage: its {@code maxInFlight}. The window
   * follows unless it was set.
   *
   * @param stage the stage's name (see {@link Stage#name(String)})
   * @param n at least 1
   * @return a Future completed when the change is made (new threads attached; right after the terminal call,
   *     once the pipeline has started); failed if there is no such stage, the pipeline has ended, or it has not
   *     been started
   */
  public Future<Void> setConcurrency(String stage, int n) {
    Objects.requireNonNull(stage, "stage");
    Engine e = plan.engine();
    return e == null ? Future.failedFuture(new IllegalStateException("the pipeline has not been started"))
        : e.setConcurrency(stage, n);
  }

  /**
   * Stops the pipeline: no more input is read and elements in flight are dropped (the stages' calls still
   * queued on a queue are cancelled: they leave the queue and never run; running ones finish); its Future fails
   * with {@link java.util.concurrent.CancellationException}. A no-op once it has ended.
   *
   * @return a Future completed when the pipeline has ended and its own threads have stopped
   */
  public Future<Void> cancel() {
    Engine e = plan.engine();
    return e == null ? Future.failedFuture(new IllegalStateException("the pipeline has not been started"))
        : e.cancel();
  }

  @Override
  public String toString() {
    return "Pipeline(" + plan.size() + " steps)";
  }
}
