package io.asynqueue.pipeline;

import io.asynqueue.stream.Deferator;
import io.asynqueue.TaskQueue;
import io.vertx.core.Future;
import io.vertx.core.Handler;
// Vert.x internal API (listed in InternalImportsTest): the pipeline's context: inThread, reportException, timers set on
// it and promises bound to it; Context has none of them.
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.function.Function;

/*
 * One run of a pipeline.
 *
 * Structure: the plan is flattened into a list of nodes, source first; a frame becomes an entry node, the
 * nodes of its body, and an exit node. The sink pulls from the last node.
 *
 * Concurrency: everything here is confined to one context (the caller's at the terminal call). Work runs
 * elsewhere (worker threads, child processes, remote servers) and comes back as Futures that complete on this
 * context, because the calls are made from it. Public methods hop onto the context.
 *
 * Flow: pump() steps every node, sink first, until a pass changes nothing; an event (a drain, a timer, an input
 * element) calls pump() again, and a worker's result calls pumpSoon(), so that a burst of results already
 * queued on the context costs one pump. A node takes from upstream only when it has room, so backpressure is
 * the absence of a poll. A pump yields the event loop after MAX_PASSES passes and carries on in a later task.
 *
 * Ending: finish(cause) runs once: it stops the intake, closes every node (a failure drops what is in flight),
 * ends the sink, shuts down the private thread queues (shutdownNow on failure: running elements finish, queued
 * ones are failed), and only then completes `done`. So when a terminal Future completes, the pipeline's own
 * threads have ended.
 */
final class Engine {

  private static final int MAX_PASSES = 64;

  final Plan plan;
  final ContextInternal ctx;
  final VertxInternal vertx;
  final List<Node> nodes = new ArrayList<>();
  final List<WorkStage> stages = new ArrayList<>();
  final List<TaskQueue> privateQueues = new ArrayList<>();
  private final Sink sink;
  private final Handler<PipelineException> errorHandler;
  private final PromiseInternal<Void> done;
  final boolean serial;
  private int frames;

  private boolean pumping;
  private boolean again;
  private boolean pumpScheduled;
  private boolean started;
  /** No more intake; late results are ignored. */
  boolean stopping;
  private boolean finishing;
  long read;
  long written;

  private final List<Runnable> afterOpen = new ArrayList<>();
  private long timeoutTimer = -1;
  private long guardTimer = -1;
  private long guardCheckedAt;
  private boolean guardChecked;
  private boolean overloaded;

  Engine(Plan plan, Function<Engine, Sink> sinkFactory) {
    this.plan = plan;
    this.vertx = (VertxInternal) plan.vertx;
    this.ctx = vertx.getOrCreateContext();
    this.done = ctx.promise();
    this.errorHandler = plan.errorHandler;
    this.serial = plan.serialBelow >= 0 && plan.source instanceof Collection
        && ((Collection<?>) plan.source).size() <= plan.serialBelow;
    Node last = plan.source instanceof ReadStream ? new StreamSource(this, (ReadStream<?>) plan.source)
        : new IteratorSource(this, plan.source);
    nodes.add(last);
    last = build(plan, last);
    this.sink = sinkFactory.apply(this);
    sink.upstream = last;
  }

  private Node build(Plan p, Node upstream) {
    Node last = upstream;
    for (Plan.Step step : p.steps) {
      if (step instanceof Plan.WorkStep) {
        WorkStage stage = new WorkStage(this, (Plan.WorkStep) step);
        stages.add(stage);
        last = add(stage, last);
      } else if (step instanceof Plan.RateStep) {
        last = add(new RateNode(this, ((Plan.RateStep) step).perSecond), last);
      } else if (step instanceof Plan.BatchStep) {
        last = add(new BatchNode(this, ((Plan.BatchStep) step).size), last);
      } else if (step instanceof Plan.ReduceStep) {
        last = add(new ReduceNode(this, (Plan.ReduceStep) step), last);
      } else {
        Plan.FrameStep frame = (Plan.FrameStep) step;
        String name = "frame-" + (++frames);
        FrameEntry entry = new FrameEntry(this, frame, name);
        add(entry, last);
        Node bodyEnd = build(frame.body, entry);
        FrameExit exit = new FrameExit(this, frame, entry, name);
        entry.exit = exit;
        last = add(exit, bodyEnd);
      }
    }
    return last;
  }

  private Node add(Node node, Node upstream) {
    node.upstream = upstream;
    nodes.add(node);
    return node;
  }

  // ---------------------------------------------------------------- entry points (called by Pipeline)

  /** Runs the plan into a WriteStream. */
  public static Future<Void> runTo(Plan plan, WriteStream<?> stream) {
    Engine e = plan.start(en -> new Sinks.WriteStreamSink(en, stream));
    e.start();
    return e.done.future();
  }

  /** Runs the plan, handing each element to an action on the context. */
  public static Future<Void> runForEach(Plan plan, Consumer<Object> action) {
    Engine e = plan.start(en -> new Sinks.CallbackSink(en, action));
    e.start();
    return e.done.future();
  }

  /** Runs the plan, collecting the elements. */
  public static Future<List<Object>> runCollect(Plan plan) {
    List<Object> list = new ArrayList<>();
    Engine e = plan.start(en -> new Sinks.CallbackSink(en, list::add));
    e.start();
    return e.done.future().map(v -> list);
  }

  /** Runs the plan as a Deferator that fetches up to {@code window} elements ahead. */
  public static Deferator<Object> runStream(Plan plan, int window) {
    Sinks.SourceSink[] holder = new Sinks.SourceSink[1];
    Engine e = plan.start(en -> holder[0] = new Sinks.SourceSink(en));
    Deferator<Object> d = Deferator.fromSource(e.ctx, holder[0], window);
    e.start();
    return d;
  }

  private void start() {
    ctx.runOnContext(v -> begin());
  }

  private void begin() {
    if (plan.init == null) {
      open();
      return;
    }
    Future<?> f;
    try {
      f = plan.init.get();
      if (f == null) {
        throw new NullPointerException("init returned null instead of a Future");
      }
    } catch (Throwable t) {
      f = Future.failedFuture(t);
    }
    f.onComplete(ar -> onContext(() -> {
      if (ar.failed()) {
        finish(new PipelineException("init", ar.cause()));
      } else if (!finishing) {
        open();
      }
    }));
  }

  private void open() {
    started = true;
    try {
      for (Node n : nodes) {
        n.open();
      }
      sink.open();
    } catch (Throwable t) {
      finish(t instanceof PipelineException ? t : new PipelineException(PipelineException.SOURCE, t));
      return;
    }
    for (Runnable r : afterOpen) {
      r.run();
    }
    afterOpen.clear();
    if (plan.timeout != null) {
      timeoutTimer = ctx.setTimer(Math.max(1, plan.timeout.toMillis()), id -> {
        timeoutTimer = -1;
        finish(new PipelineTimeoutException(plan.timeout));
      });
    }
    pump();
  }

  // ---------------------------------------------------------------- the pump

  /** Steps the nodes until nothing changes. Re-entrant calls only ask for another pass. */
  void pump() {
    if (pumping) {
      again = true;
      return;
    }
    if (finishing || !started) {
      return;
    }
    pumping = true;
    int passes = 0;
    try {
      boolean progress;
      do {
        again = false;
        progress = sink.step();
        for (int i = nodes.size() - 1; i >= 0 && !finishing; i--) {
          progress |= nodes.get(i).step();
        }
        if (++passes >= MAX_PASSES && (progress || again) && !finishing) {
          schedulePump();
          return;
        }
      } while ((progress || again) && !finishing);
    } finally {
      pumping = false;
    }
  }

  /**
   * A result came back: pump in a task of its own, after the other results already queued on the context, so
   * that a burst of results costs one pump rather than one each. Inside a pump, just go round again.
   */
  void pumpSoon() {
    if (pumping) {
      again = true;
    } else if (!finishing) {
      schedulePump();
    }
  }

  /** Something changed that a later step may act on: make the current pump go round again. */
  void progress() {
    again = true;
  }

  private void schedulePump() {
    if (!pumpScheduled) {
      pumpScheduled = true;
      ctx.runOnContext(v -> {
        pumpScheduled = false;
        pump();
      });
    }
  }

  /** Runs on the context: at once if already there, else in a later task. */
  void onContext(Runnable r) {
    if (ctx.inThread()) {
      r.run();
    } else {
      ctx.runOnContext(v -> r.run());
    }
  }

  // ---------------------------------------------------------------- intake

  /** @return whether the source must not give an element now (stopping, or a guard says overloaded) */
  boolean intakePaused() {
    if (stopping) {
      return true;
    }
    ResourceGuard guard = plan.guard;
    if (guard == null) {
      return false;
    }
    long now = System.nanoTime();
    long interval = plan.guardInterval.toNanos();
    if (!guardChecked || now - guardCheckedAt >= interval) {
      guardChecked = true;
      guardCheckedAt = now;
      try {
        overloaded = guard.overloaded();
      } catch (Throwable t) {
        fail(new PipelineException("guard", t));
        return true;
      }
    }
    if (overloaded && guardTimer == -1) {
      guardTimer = ctx.setTimer(Math.max(1, plan.guardInterval.toMillis()), id -> {
        guardTimer = -1;
        guardChecked = false; // check again now, whatever the clock says
        pump();
      });
    }
    return overloaded;
  }

  // ---------------------------------------------------------------- failures and the end

  /**
   * An element failed: hand it to the error handler and drop it, or fail the pipeline.
   *
   * @param stage the stage's name
   * @param element the element it was given
   * @param cause the failure
   * @param env the element's envelope, dropped if the pipeline goes on (may be {@code null})
   */
  void elementFailed(String stage, Object element, Throwable cause, Envelope env) {
    if (stopping) {
      return;
    }
    PipelineException e = new PipelineException(stage, element, cause);
    if (errorHandler == null) {
      fail(e);
      return;
    }
    try {
      errorHandler.handle(e);
    } catch (Throwable t) {
      e.addSuppressed(t);
      fail(e);
      return;
    }
    if (env != null) {
      env.dropped();
    }
    progress();
  }

  /** Fails the pipeline. */
  void fail(Throwable cause) {
    finish(cause);
  }

  /** Ends the run successfully: the sink has taken everything. */
  void complete() {
    finish(null);
  }

  private void finish(Throwable cause) {
    if (finishing) {
      return;
    }
    finishing = true;
    stopping = true;
    if (timeoutTimer != -1) {
      vertx.cancelTimer(timeoutTimer);
      timeoutTimer = -1;
    }
    if (guardTimer != -1) {
      vertx.cancelTimer(guardTimer);
      guardTimer = -1;
    }
    boolean failed = cause != null;
    for (Node n : nodes) {
      try {
        n.close(failed);
      } catch (Throwable t) {
        ctx.reportException(t);
      }
    }
    List<Future<?>> cleanup = new ArrayList<>();
    Future<Void> sinkEnd;
    try {
      sinkEnd = started ? sink.finish(cause) : Future.succeededFuture();
    } catch (Throwable t) {
      sinkEnd = Future.failedFuture(t);
    }
    cleanup.add(sinkEnd);
    for (TaskQueue q : privateQueues) {
      cleanup.add(failed ? q.shutdownNow() : q.shutdown());
    }
    Future<Void> sinkResult = sinkEnd;
    Future.join(cleanup).onComplete(ar -> onContext(() -> {
      if (cause != null) {
        done.fail(cause);
      } else if (sinkResult.failed()) {
        done.fail(new PipelineException(PipelineException.SINK, sinkResult.cause()));
      } else {
        done.complete();
      }
      sink.ended(cause != null ? cause : sinkResult.cause());
    }));
  }

  // ---------------------------------------------------------------- control (any thread)

  /** @return a Future of the stats, taken on the context */
  public Future<PipelineStats> stats() {
    PromiseInternal<PipelineStats> p = vertx.getOrCreateContext().promise();
    onContext(() -> {
      List<PipelineStats.StageStats> list = new ArrayList<>(stages.size());
      for (WorkStage s : stages) {
        list.add(s.stats());
      }
      p.complete(new PipelineStats(read, written, List.copyOf(list)));
    });
    return p.future();
  }

  /** Sets a stage's concurrency. */
  public Future<Void> setConcurrency(String name, int n) {
    if (n < 1) {
      return Future.failedFuture(new IllegalArgumentException("concurrency must be at least 1, was " + n));
    }
    PromiseInternal<Void> p = vertx.getOrCreateContext().promise();
    onContext(() -> {
      WorkStage stage = null;
      for (WorkStage s : stages) {
        if (s.name.equals(name)) {
          stage = s;
        }
      }
      if (stage == null) {
        p.fail(new IllegalArgumentException("no stage named " + name));
      } else if (finishing) {
        p.fail(new IllegalStateException("the pipeline has ended"));
      } else if (!started) {
        WorkStage s = stage;
        afterOpen.add(() -> s.setConcurrency(n).onComplete(p)); // the stage makes its threads when it opens
      } else {
        stage.setConcurrency(n).onComplete(p);
        pump();
      }
    });
    return p.future();
  }

  /** Stops the run: the terminal Future fails with CancellationException. */
  public Future<Void> cancel() {
    PromiseInternal<Void> p = vertx.getOrCreateContext().promise();
    onContext(() -> {
      finish(new CancellationException("the pipeline was cancelled"));
      done.future().onComplete(ar -> p.complete());
    });
    return p.future();
  }

  /** @return the iterator of an Iterator or Iterable source */
  static Iterator<?> iteratorOf(Object source) {
    if (source instanceof Iterator) {
      return (Iterator<?>) source;
    }
    return ((Iterable<?>) source).iterator();
  }
}
