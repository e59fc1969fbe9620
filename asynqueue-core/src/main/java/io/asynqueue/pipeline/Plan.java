package io.asynqueue.pipeline;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a {@link io.asynqueue.pipeline.Pipeline} was built to do: its input, its steps and its pipeline-wide
 * settings. A frame's body is a Plan of its own, nested in the frame's step. Built on one thread, then handed
 * to an {@link Engine} to run once.
 */
final class Plan {

  /** What a work step does with its function's result. */
  public enum Kind {
    /** one output per input */
    MAP,
    /** the input, or nothing */
    FILTER,
    /** the elements of the returned iterator */
    FLAT_MAP,
    /** one output per input, from the returned Future */
    ASYNC,
    /** one output per input; the input is an Args spread over the task */
    ARGS
  }

  /** A step of the pipeline. */
  public abstract static class Step {
    /** Set by ordered(): the step keeps input order. */
    boolean ordered;
  }

  /** A stage that runs a function per element. */
  public static final class WorkStep extends Step {
    final Kind kind;
    final Object fn;
    final Stage stage;
    final String name;
    Function<Object, Object> key;

    WorkStep(Kind kind, Object fn, Stage stage, String name) {
      this.kind = kind;
      this.fn = fn;
      this.stage = stage;
      this.name = name;
    }
  }

  /** Spaces elements out in time. */
  public static final class RateStep extends Step {
    final DoubleSupplier perSecond;

    RateStep(DoubleSupplier perSecond) {
      this.perSecond = perSecond;
    }
  }

  /** Groups elements into lists. */
  public static final class BatchStep extends Step {
    final int size;

    BatchStep(int size) {
      this.size = size;
    }
  }

  /** Folds every element into one. */
  public static final class ReduceStep extends Step {
    final Supplier<Object> store;
    final BiConsumer<Object, Object> accumulate;
    final Function<Object, Object> emit;

    ReduceStep(Supplier<Object> store, BiConsumer<Object, Object> accumulate, Function<Object, Object> emit) {
      this.store = store;
      this.accumulate = accumulate;
      this.emit = emit;
    }
  }

  /** job_stream's frame: per input, a store and a loop of work through a body until the head says stop. */
  public static final class FrameStep extends Step {
    final Function<Object, Object> store;
    final BiFunction<Object, Object, Iterable<?>> head;
    final Plan body;
    final BiFunction<Object, Object, Iterable<?>> end;
    final Function<Object, Object> emit;

    FrameStep(Function<Object, Object> store, BiFunction<Object, Object, Iterable<?>> head, Plan body,
        BiFunction<Object, Object, Iterable<?>> end, Function<Object, Object> emit) {
      this.store = store;
      this.head = head;
      this.body = body;
      this.end = end;
      this.emit = emit;
    }
  }

  final Vertx vertx;
  final Object source;
  final Plan outer;
  final List<Step> steps = new ArrayList<>();
  private int orderedFrom;
  private Function<Object, Object> pendingKey;
  private int stageCount;

  // pipeline-wide settings, on the outermost plan only
  Handler<PipelineException> errorHandler;
  Duration timeout;
  ResourceGuard guard;
  Duration guardInterval;
  Supplier<? extends Future<?>> init;
  int serialBelow = -1;

  private boolean started;
  private volatile Engine engine;

  private Plan(Vertx vertx, Object source, Plan outer) {
    this.vertx = vertx;
    this.source = source;
    this.outer = outer;
  }

  /**
   * @param vertx the Vert.x instance
   * @param source an Iterator, Iterable or ReadStream
   * @return a plan with no steps
   */
  public static Plan create(Vertx vertx, Object source) {
    return new Plan(vertx, source, null);
  }

  /** @return a plan for a frame's body, nested in this one */
  public Plan body() {
    return new Plan(vertx, null, this);
  }

  /** @return how many steps so far: the position of the next */
  public int size() {
    return steps.size();
  }

  /** @return the outermost plan (this one unless it is a frame's body) */
  public Plan root() {
    Plan p = this;
    while (p.outer != null) {
      p = p.outer;
    }
    return p;
  }

  /** @return whether this plan is a frame's body */
  public boolean isBody() {
    return outer != null;
  }

  /**
   * Checks that a step may be appended by the pipeline node at {@code position}.
   *
   * @param position the position of the node appending
   * @throws IllegalStateException if the plan has been started, or the node is not the last
   */
  public void checkAppend(int position) {
    if (root().started) {
      throw new IllegalStateException("the pipeline has already been started");
    }
    if (position != steps.size()) {
      throw new IllegalStateException("a pipeline is a single chain: add steps to its last node only");
    }
  }

  /** Adds a work step. */
  public void addWork(int position, Kind kind, Object fn, Stage stage, String operator) {
    checkAppend(position);
    Stage copy = new Stage(stage);
    if (copy.getThreads() == 0 && copy.getQueue() == null && copy.getCallOptions() != null) {
      throw new IllegalArgumentException("call options (timeout, retries) need a stage on threads(n) or on(queue)");
    }
    stageCount++;
    String name = copy.getName() != null ? copy.getName() : operator + "-" + stageNumber();
    WorkStep step = new WorkStep(kind, fn, copy, name);
    step.key = pendingKey;
    pendingKey = null;
    steps.add(step);
  }

  private String stageNumber() {
    Plan p = this;
    StringBuilder sb = new StringBuilder().append(stageCount);
    while (p.outer != null) {
      p = p.outer;
      sb.insert(0, p.stageCount + ".");
    }
    return sb.toString();
  }

  /** Adds a non-work step. */
  public void add(int position, Step step) {
    checkAppend(position);
    if (pendingKey != null) {
      throw new IllegalStateException("partitionBy must be followed by map, filter, flatMap, mapAsync or mapArgs");
    }
    if (isBody() && (step instanceof ReduceStep || step instanceof BatchStep)) {
      throw new IllegalStateException("reduce and batch span the whole stream: not inside a frame's body");
    }
    steps.add(step);
  }

  /** @return a rate step */
  public static Step rate(DoubleSupplier perSecond) {
    return new RateStep(perSecond);
  }

  /** @return a batch step */
  public static Step batch(int size) {
    return new BatchStep(size);
  }

  /** @return a reduce step */
  @SuppressWarnings("unchecked")
  public static Step reduce(Supplier<?> store, BiConsumer<?, ?> accumulate, Function<?, ?> emit) {
    return new ReduceStep((Supplier<Object>) store, (BiConsumer<Object, Object>) accumulate,
        (Function<Object, Object>) emit);
  }

  /** @return a frame step */
  @SuppressWarnings("unchecked")
  public static Step frame(Function<?, ?> store, BiFunction<?, ?, ? extends Iterable<?>> head, Plan body,
      BiFunction<?, ?, ? extends Iterable<?>> end, Function<?, ?> emit) {
    return new FrameStep((Function<Object, Object>) store, (BiFunction<Object, Object, Iterable<?>>) head, body,
        (BiFunction<Object, Object, Iterable<?>>) end, (Function<Object, Object>) emit);
  }

  /**
   * Marks the steps since the last ordered() (or the start) as order-keeping.
   *
   * @param window the reorder window for stages that did not set theirs, or 0 for their default
   */
  public void ordered(int position, int window) {
    checkAppend(position);
    if (pendingKey != null) {
      throw new IllegalStateException("partitionBy must be followed by map, filter, flatMap, mapAsync or mapArgs");
    }
    for (int i = steps.size() - 1; i >= orderedFrom; i--) {
      Step s = steps.get(i);
      if (s instanceof ReduceStep) {
        break;
      }
      s.ordered = true;
      if (window > 0 && s instanceof WorkStep && ((WorkStep) s).stage.getWindow() == 0) {
        ((WorkStep) s).stage.window(window);
      }
    }
    orderedFrom = steps.size();
  }

  /** Sets the key for the next work step. */
  @SuppressWarnings("unchecked")
  public void partitionBy(int position, Function<?, ?> key) {
    checkAppend(position);
    if (pendingKey != null) {
      throw new IllegalStateException("partitionBy twice in a row");
    }
    pendingKey = (Function<Object, Object>) key;
  }

  /** @return the outermost plan, checked to be settable */
  public Plan settings() {
    if (isBody()) {
      throw new IllegalStateException("pipeline-wide settings belong on the outer pipeline, not a frame's body");
    }
    if (started) {
      throw new IllegalStateException("the pipeline has already been started");
    }
    return this;
  }

  /** Sets the error handler. */
  public void errorHandler(Handler<PipelineException> handler) {
    settings().errorHandler = handler;
  }

  /** Sets the timeout. */
  public void timeout(Duration timeout) {
    settings().timeout = timeout;
  }

  /** Sets the resource guard. */
  public void guard(ResourceGuard guard, Duration interval) {
    settings().guard = guard;
    guardInterval = interval;
  }

  /** Sets the init hook. */
  public void init(Supplier<? extends Future<?>> init) {
    settings().init = init;
  }

  /** Sets the serial-mode threshold. */
  public void serialBelow(int n) {
    settings().serialBelow = n;
  }

  /**
   * @param names the stage names seen so far
   * @throws IllegalStateException if a partitionBy is waiting for its stage, or two stages share a name
   */
  void checkComplete(java.util.Set<String> names) {
    if (pendingKey != null) {
      throw new IllegalStateException("partitionBy must be followed by map, filter, flatMap, mapAsync or mapArgs");
    }
    for (Step s : steps) {
      if (s instanceof FrameStep) {
        ((FrameStep) s).body.checkComplete(names);
      } else if (s instanceof WorkStep && !names.add(((WorkStep) s).name)) {
        throw new IllegalStateException("two stages are named " + ((WorkStep) s).name + ": names must be unique");
      }
    }
  }

  /**
   * Marks the plan started and makes its engine.
   *
   * @param sinkFactory makes the sink for the engine
   * @return the engine, not yet running
   * @throws IllegalStateException if started before, or if a body, or incomplete
   */
  Engine start(Function<Engine, Sink> sinkFactory) {
    if (isBody()) {
      throw new IllegalStateException("a frame's body is run by its frame, not on its own");
    }
    synchronized (this) {
      if (started) {
        throw new IllegalStateException("a pipeline runs once; it has already been started");
      }
      checkComplete(new java.util.HashSet<>());
      started = true;
    }
    Engine e = new Engine(this, sinkFactory);
    engine = e;
    return e;
  }

  /** @return the engine of the run, or {@code null} before the run */
  public Engine engine() {
    return root().engine;
  }
}
