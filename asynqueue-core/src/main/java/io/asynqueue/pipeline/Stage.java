package io.asynqueue.pipeline;

import io.asynqueue.CallOptions;
import io.asynqueue.TaskQueue;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Where and how one stage of a {@link Pipeline} runs its function: on the pipeline's event loop, on threads
 * of its own, or on any {@link TaskQueue}; how many elements at once; how many it may hold.
 *
 * <pre>{@code
 * import static io.asynqueue.pipeline.Stage.stage;
 *
 * .map(Parse::line, stage().threads(4))                       // 4 private threads (k3jobq's (worker, 4))
 * .map(Score::of, stage().on(processQueue).maxInFlight(32))   // calls on your queue: any worker kind
 * .map(String::trim)                                          // no stage: on the event loop
 * }</pre>
 *
 * <p><b>Placement</b> (pick at most one):
 * <ul>
 *   <li><em>none</em>: the function runs on the pipeline's context (an event loop), synchronously, as the
 *   operators of a Vert.x stream do. For cheap, non-blocking functions only.</li>
 *   <li>{@link #threads(int) threads(n)}: a private {@link io.asynqueue.ThreadQueue} of {@code n} threads is
 *   made when the pipeline starts and shut down when it ends. Its size can be changed while the pipeline
 *   runs ({@link Pipeline#setConcurrency(String, int)}).</li>
 *   <li>{@link #on(TaskQueue) on(queue)}: calls on a queue you own (event-loop, thread, process or remote
 *   workers). The function is sent as the task itself, so it must be serializable for a process or remote
 *   worker: a method reference or a lambda that captures only serializable values. The pipeline never shuts
 *   your queue down.</li>
 * </ul>
 *
 * <p><b>Bounds.</b> {@link #maxInFlight(int)} is how many elements may be running at once (submitted and not
 * finished); {@link #window(int)} is how many the stage may hold in all: running, waiting for their key, and
 * finished but not yet taken by the next stage (including those held back to restore order). A stage takes
 * no new element from upstream while its window is full, so a slow downstream stops the upstream.
 *
 * <p>Instances are mutable builders, not thread-safe; a pipeline copies a Stage when it is given one, so
 * one Stage may serve as a template for several stages.
 */
public final class Stage {

  /** {@link #maxInFlight(int)} for a stage on a queue, or an asynchronous one, unless set: 16. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 16;
  /** {@link #window(int)} is this many times {@code maxInFlight} unless set: 4. */
  public static final int DEFAULT_WINDOW_FACTOR = 4;
  /** The smallest default {@link #window(int)}: 16. */
  public static final int MIN_DEFAULT_WINDOW = 16;

  private String name;
  private int threads;
  private TaskQueue queue;
  private int maxInFlight;
  private int window;
  private CallOptions callOptions;
  private Predicate<Object> bypass;

  /** A stage with every default: the function runs on the pipeline's event loop. */
  public Stage() {
  }

  /**
   * A copy.
   *
   * @param other the stage to copy
   */
  public Stage(Stage other) {
    this.name = other.name;
    this.threads = other.threads;
    this.queue = other.queue;
    this.maxInFlight = other.maxInFlight;
    this.window = other.window;
    this.callOptions = other.callOptions == null ? null : new CallOptions(other.callOptions);
    this.bypass = other.bypass;
  }

  /** @return a new Stage with every default, for static import: {@code stage().threads(4)} */
  public static Stage stage() {
    return new Stage();
  }

  /**
   * Names the stage, for {@link Pipeline#stats()}, {@link Pipeline#setConcurrency(String, int)} and
   * {@link PipelineException#stage()}. By default a stage is named after its operator and position, such
   * as {@code map-1}.
   *
   * @param name the name
   * @return a reference to this, so the API can be used fluently
   */
  public Stage name(String name) {
    this.name = Objects.requireNonNull(name, "name");
    return this;
  }

  /**
   * Runs the function on {@code n} threads made for this pipeline (and ended with it). Unless
   * {@link #maxInFlight(int)} is set, {@code max(2n, 16)} elements may be in flight (queued for the threads),
   * so that a thread finds its next element waiting when it finishes one and results come back in batches.
   *
   * @param n how many threads, at least 1
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if {@code n < 1}
   * @throws IllegalStateException if {@link #on(TaskQueue)} was set
   */
  public Stage threads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + n);
    }
    if (queue != null) {
      throw new IllegalStateException("a stage runs either on threads(n) or on(queue), not both");
    }
    this.threads = n;
    return this;
  }

  /**
   * Runs the function as calls on {@code queue}, with this stage's {@link #callOptions(CallOptions) call
   * options}. The function must be serializable if the queue has process or remote workers.
   *
   * @param queue the queue; the pipeline never shuts it down
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalStateException if {@link #threads(int)} was set
   */
  public Stage on(TaskQueue queue) {
    if (threads > 0) {
      throw new IllegalStateException("a stage runs either on threads(n) or on(queue), not both");
    }
    this.queue = Objects.requireNonNull(queue, "queue");
    return this;
  }

  /**
   * How many elements may be running at once (on a queue: submitted and not finished, queued calls
   * included). Default: {@code max(2n, 16)} for {@link #threads(int) threads(n)},
   * {@value #DEFAULT_MAX_IN_FLIGHT} on a queue or for an asynchronous function, and 1 for a synchronous
   * function on the event loop.
   *
   * @param n at least 1
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public Stage maxInFlight(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, was " + n);
    }
    this.maxInFlight = n;
    return this;
  }

  /**
   * How many elements the stage may hold in all (see the class comment); for an ordered stage this bounds
   * the reorder buffer (parallel-queue's out-of-order buffer). Default:
   * {@value #DEFAULT_WINDOW_FACTOR} times {@code maxInFlight}, at least {@value #MIN_DEFAULT_WINDOW}.
   * A window smaller than {@code maxInFlight} limits the elements in flight to the window.
   *
   * @param n at least 1
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public Stage window(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("window must be at least 1, was " + n);
    }
    this.window = n;
    return this;
  }

  /**
   * The options of each call this stage makes on its queue: niceness, series, timeout, retries. Only for a
   * stage on {@link #threads(int) threads} or {@link #on(TaskQueue) a queue}. When the run stops early
   * (cancelled, or failed), the stage's calls still queued are cancelled through a {@link
   * io.asynqueue.CancelToken} of the stage's own; options that bring a token of their own keep it, and
   * cancelling it is then up to the caller.
   *
   * @param options the options (copied)
   * @return a reference to this, so the API can be used fluently
   */
  public Stage callOptions(CallOptions options) {
    this.callOptions = new CallOptions(Objects.requireNonNull(options, "options"));
    return this;
  }

  /**
   * Each element may run this long on its worker; then the worker stops it and the element fails with
   * {@link io.asynqueue.TaskTimeoutException} (see {@link CallOptions#setTimeout(Duration)}). Only for a
   * stage on threads or a queue.
   *
   * @param timeout a positive duration
   * @return a reference to this, so the API can be used fluently
   */
  public Stage timeout(Duration timeout) {
    this.callOptions = (callOptions == null ? new CallOptions() : callOptions).setTimeout(timeout);
    return this;
  }

  /**
   * Lets an element be run again when it timed out or its worker was lost (a child process died, a
   * connection dropped); see {@link CallOptions#setRetries(int)}. Only for functions safe to run twice.
   *
   * @param retries how many times, 0 or more
   * @return a reference to this, so the API can be used fluently
   */
  public Stage retries(int retries) {
    this.callOptions = (callOptions == null ? new CallOptions() : callOptions).setRetries(retries);
    return this;
  }

  /**
   * Lets the elements that {@code marker} matches pass the stage untouched: the function is not called for
   * them, and they leave the stage in their place in the order (parallel-queue's markers, such as a
   * batch-done count among documents). A bypassed element is emitted as it is, so it must also be of the
   * stage's output type: use a common supertype on both sides (a sealed interface, or {@code Object}).
   *
   * @param marker true for the elements that skip the function; called on the pipeline's context
   * @return a reference to this, so the API can be used fluently
   */
  public Stage bypass(Predicate<Object> marker) {
    this.bypass = Objects.requireNonNull(marker, "marker");
    return this;
  }

  /** @return the name, or {@code null} for the default */
  public String getName() {
    return name;
  }

  /** @return the number of private threads, or 0 when the stage has none */
  public int getThreads() {
    return threads;
  }

  /** @return the queue the stage calls on, or {@code null} */
  public TaskQueue getQueue() {
    return queue;
  }

  /** @return the max in flight, or 0 for the default */
  public int getMaxInFlight() {
    return maxInFlight;
  }

  /** @return the window, or 0 for the default */
  public int getWindow() {
    return window;
  }

  /** @return the call options, or {@code null} for the defaults */
  public CallOptions getCallOptions() {
    return callOptions == null ? null : new CallOptions(callOptions);
  }

  /** @return the bypass predicate, or {@code null} */
  public Predicate<Object> getBypass() {
    return bypass;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Stage{");
    sb.append(threads > 0 ? "threads=" + threads : queue != null ? "queue" : "eventLoop");
    if (name != null) {
      sb.append(", name=").append(name);
    }
    if (maxInFlight > 0) {
      sb.append(", maxInFlight=").append(maxInFlight);
    }
    if (window > 0) {
      sb.append(", window=").append(window);
    }
    if (callOptions != null) {
      sb.append(", call=").append(callOptions);
    }
    return sb.append('}').toString();
  }
}
