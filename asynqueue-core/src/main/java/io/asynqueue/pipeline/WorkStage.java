package io.asynqueue.pipeline;

import io.asynqueue.CallOptions;
import io.asynqueue.CancelToken;
import io.asynqueue.Workers;
import io.asynqueue.stream.Deferator;
import io.asynqueue.DetachMode;
import io.asynqueue.Task;
import io.asynqueue.Task0;
import io.asynqueue.Task1;
import io.asynqueue.TaskQueue;
import io.asynqueue.ThreadQueue;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;

/*
 * A stage that runs a function per element: map, filter, flatMap, mapAsync or mapArgs.
 *
 * Slots: each element taken from upstream gets a slot, which lives until its outputs (0 for a dropped
 * element, 1 for a map, any number for a flatMap) have all been taken downstream. `held` counts live slots;
 * the stage takes nothing new while held == window. A slot is WAITING (for a free in-flight place, or for
 * the previous element of its key), RUNNING (its call is out, or its iterator is being read), or FINISHED.
 *
 * Order: an ordered stage hands out only the outputs of its oldest slot (the `order` deque), so its outputs
 * come in input order and the window bounds what is held back. An unordered stage hands out outputs in the
 * order they arrive (the `ready` deque). A keyed stage (partitionBy) runs one element per key at a time, in
 * arrival order, so each key's outputs keep their order; it takes elements past a busy key, up to the window.
 *
 * Calls: on the event loop the function runs synchronously in step(); on threads or a queue it is a call on
 * that TaskQueue (an iterate call for flatMap, whose Deferator is then read with explicit demand, a few
 * elements ahead per slot). Every call is made from the engine's context, so results come back on it. The
 * calls carry the stage's CancelToken (unless the stage's options bring their own): when the run ends early
 * (cancelled, or failed), close() cancels the calls still queued, which nobody wants any more.
 */
final class WorkStage extends Node {

  private static final byte WAITING = 0;
  private static final byte RUNNING = 1;
  private static final byte FINISHED = 2;
  /** Elements fetched ahead per flatMap slot. */
  static final int FLAT_BUFFER = 16;

  /** The key of a slot that has none (null is a valid key). */
  private static final Object KEY_NONE = new Object();

  private static final class Slot {
    final Envelope env;
    final Object input;
    Object key = KEY_NONE;
    byte state = WAITING;
    Envelope first;
    ArrayDeque<Envelope> more;
    int outputs;
    Deferator<Object> stream;
    int requested;
    boolean inReady;

    Slot(Envelope env) {
      this.env = env;
      this.input = env.value;
    }

    void add(Envelope e) {
      if (outputs == 0) {
        first = e;
      } else {
        if (more == null) {
          more = new ArrayDeque<>();
        }
        more.add(e);
      }
      outputs++;
    }

    Envelope take() {
      Envelope e = first;
      outputs--;
      first = outputs > 0 ? more.poll() : null;
      return e;
    }
  }

  final String name;
  private final Plan.Kind kind;
  private final Object fn;
  private final Stage spec;
  private final boolean ordered;
  private final Function<Object, Object> keyFn;
  private final Predicate<Object> bypass;
  private CallOptions callOptions;
  /** Cancels the stage's calls still queued when the run stops; null when the stage makes no queue calls. */
  private CancelToken cancelToken;

  private TaskQueue queue;
  private boolean privateQueue;
  private boolean serialCalls;
  private int threads;
  private int maxInFlight;
  private int window;

  private final ArrayDeque<Slot> order;
  private final ArrayDeque<Slot> ready;
  private final ArrayDeque<Slot> startable = new ArrayDeque<>();
  private final HashMap<Object, ArrayDeque<Slot>> keys;
  private final List<Slot> streaming = new ArrayList<>();
  private int running;
  private int held;
  private int waiting;
  private int buffered;
  private long in;
  private long done;
  private long out;

  WorkStage(Engine engine, Plan.WorkStep step) {
    super(engine);
    this.name = step.name;
    this.kind = step.kind;
    this.fn = step.fn;
    this.spec = step.stage;
    this.ordered = step.ordered;
    this.keyFn = step.key;
    this.bypass = spec.getBypass();
    this.callOptions = spec.getCallOptions();
    this.order = ordered ? new ArrayDeque<>() : null;
    this.ready = ordered ? null : new ArrayDeque<>();
    this.keys = keyFn != null ? new HashMap<>() : null;
  }

  // ---------------------------------------------------------------- setup

  @Override
  void open() {
    if (spec.getThreads() > 0) {
      threads = spec.getThreads();
      if (engine.serial) {
        serialCalls = true;
      } else {
        queue = ThreadQueue.create(engine.vertx, threads);
        privateQueue = true;
        engine.privateQueues.add(queue);
      }
      maxInFlight = spec.getMaxInFlight() > 0 ? spec.getMaxInFlight() : threadsInFlight(threads);
    } else if (spec.getQueue() != null) {
      queue = spec.getQueue();
      maxInFlight = spec.getMaxInFlight() > 0 ? spec.getMaxInFlight() : Stage.DEFAULT_MAX_IN_FLIGHT;
    } else {
      int dflt = kind == Plan.Kind.ASYNC ? Stage.DEFAULT_MAX_IN_FLIGHT : 1;
      maxInFlight = spec.getMaxInFlight() > 0 ? spec.getMaxInFlight() : dflt;
    }
    if (engine.serial) {
      maxInFlight = 1;
    }
    window = windowFor(maxInFlight);
    if (queue != null && (callOptions == null || callOptions.getCancelToken() == null)) {
      cancelToken = new CancelToken();
      callOptions = (callOptions == null ? new CallOptions() : callOptions).setCancelToken(cancelToken);
    }
  }

  /**
   * In flight for n threads: enough queued that a thread finds its next element waiting when it finishes one,
   * and that results come back to the event loop in batches rather than one wake-up each.
   */
  static int threadsInFlight(int n) {
    return Math.max(2 * n, Stage.DEFAULT_MAX_IN_FLIGHT);
  }

  private int windowFor(int inFlight) {
    return spec.getWindow() > 0 ? spec.getWindow()
        : Math.max(Stage.MIN_DEFAULT_WINDOW, Stage.DEFAULT_WINDOW_FACTOR * inFlight);
  }

  Future<Void> setConcurrency(int n) {
    Future<Void> result = Future.succeededFuture();
    if (privateQueue) {
      List<Future<?>> changes = new ArrayList<>();
      if (n > threads) {
        for (int i = threads; i < n; i++) {
          changes.add(queue.attachWorker(Workers.thread()));
        }
      } else if (n < threads) {
        List<Integer> ids = new ArrayList<>(queue.workerIds());
        // the newest go first; each finishes the element it is running
        for (int i = ids.size() - 1; i >= 0 && ids.size() - i <= threads - n; i--) {
          queue.detachWorker(ids.get(i), DetachMode.GRACEFUL);
        }
      }
      threads = n;
      maxInFlight = threadsInFlight(n);
      result = Future.all(changes).mapEmpty();
    } else {
      if (threads > 0) {
        threads = n;
      }
      maxInFlight = n;
    }
    window = windowFor(maxInFlight);
    return result;
  }

  PipelineStats.StageStats stats() {
    return new PipelineStats.StageStats(name, in, done, out, running, waiting, buffered, maxInFlight, window,
        threads);
  }

  // ---------------------------------------------------------------- flow

  @Override
  boolean step() {
    if (engine.stopping) {
      return false;
    }
    boolean changed = false;
    while (running < maxInFlight && !startable.isEmpty()) {
      Slot s = startable.poll();
      waiting--;
      start(s);
      changed = true;
    }
    while (!engine.stopping && canAccept()) {
      Envelope env = upstream.poll();
      if (env == null) {
        break;
      }
      accept(env);
      changed = true;
    }
    if (!streaming.isEmpty()) {
      feedStreams();
    }
    return changed;
  }

  private boolean canAccept() {
    return held < window && (keyFn != null || (startable.isEmpty() && running < maxInFlight));
  }

  private void accept(Envelope env) {
    in++;
    held++;
    Slot s = new Slot(env);
    if (ordered) {
      order.add(s);
    }
    try {
      if (bypass != null && bypass.test(s.input)) {
        done++;
        finish(s, env);
        return;
      }
      if (keyFn != null) {
        Object key = keyFn.apply(s.input);
        s.key = key;
        if (keys.containsKey(key)) {
          ArrayDeque<Slot> q = keys.get(key);
          if (q == null) {
            q = new ArrayDeque<>();
            keys.put(key, q);
          }
          q.add(s);
          waiting++;
          return;
        }
        keys.put(key, null);
      }
    } catch (Throwable t) {
      done++;
      failed(s, t);
      return;
    }
    if (running < maxInFlight) {
      start(s);
    } else {
      startable.add(s);
      waiting++;
    }
  }

  private void start(Slot s) {
    running++;
    s.state = RUNNING;
    Future<Object> f;
    try {
      f = call(s.input);
    } catch (Throwable t) {
      f = Future.failedFuture(t);
    }
    if (f.isComplete() && (queue != null || serialCalls || kind == Plan.Kind.ASYNC)) {
      // A listener added to a completed Future runs at once, ahead of completions of earlier calls already
      // queued on the context: go behind them, so that one worker's results arrive in the order it made them.
      Future<Object> done = f;
      engine.ctx.runOnContext(v -> completed(s, done));
    } else {
      f.onComplete(ar -> engine.onContext(() -> completed(s, ar)));
    }
  }

  @SuppressWarnings("unchecked")
  private Future<Object> call(Object x) throws Exception {
    switch (kind) {
      case ASYNC: {
        Function<Object, Future<Object>> f = (Function<Object, Future<Object>>) fn;
        if (queue != null) {
          return queue.callAsync((Task0<Future<Object>>) () -> f.apply(x), callOptions);
        }
        if (serialCalls) {
          return engine.ctx.executeBlocking(() -> f.apply(x)).compose(r -> r);
        }
        Future<Object> r = f.apply(x);
        if (r == null) {
          throw new NullPointerException("mapAsync function returned null instead of a Future");
        }
        return r;
      }
      case ARGS: {
        if (!(x instanceof Args)) {
          throw new ClassCastException("mapArgs needs Args elements, was given "
              + (x == null ? "null" : x.getClass().getName()));
        }
        Object[] args = ((Args) x).values();
        Task<Object> task = (Task<Object>) fn;
        if (queue != null) {
          return queue.call(task, callOptions, args);
        }
        if (serialCalls) {
          return engine.ctx.executeBlocking(() -> task.invoke(args));
        }
        return Future.succeededFuture(task.invoke(args));
      }
      case FLAT_MAP: {
        Task1<Object, Iterator<Object>> task = (Task1<Object, Iterator<Object>>) fn;
        Future<Deferator<Object>> d;
        if (queue != null) {
          d = queue.iterate(task, callOptions, x);
        } else if (serialCalls) {
          Executor blocking = r -> engine.ctx.executeBlocking(() -> {
            r.run();
            return null;
          });
          d = engine.ctx.executeBlocking(() -> task.apply(x))
              .map(it -> Deferator.fromIterator(engine.ctx, nonNull(it), blocking));
        } else {
          Executor loop = r -> engine.ctx.runOnContext(v -> r.run());
          d = Future.succeededFuture(Deferator.fromIterator(engine.ctx, nonNull(task.apply(x)), loop));
        }
        return (Future<Object>) (Future<?>) d;
      }
      default: {
        Task1<Object, Object> task = (Task1<Object, Object>) fn;
        if (queue != null) {
          return queue.call(task, callOptions, x);
        }
        if (serialCalls) {
          return engine.ctx.executeBlocking(() -> task.apply(x));
        }
        return Future.succeededFuture(task.apply(x));
      }
    }
  }

  private static Iterator<Object> nonNull(Iterator<Object> it) {
    if (it == null) {
      throw new NullPointerException("flatMap function returned null instead of an Iterator");
    }
    return it;
  }

  @SuppressWarnings("unchecked")
  private void completed(Slot s, AsyncResult<Object> ar) {
    if (engine.stopping) {
      if (kind == Plan.Kind.FLAT_MAP && ar.succeeded()) {
        ((Deferator<Object>) ar.result()).stop();
      }
      return;
    }
    if (ar.failed()) {
      running--;
      done++;
      failed(s, ar.cause());
      engine.pumpSoon();
      return;
    }
    switch (kind) {
      case FLAT_MAP:
        openStream(s, (Deferator<Object>) ar.result());
        break;
      case FILTER:
        running--;
        done++;
        if (Boolean.TRUE.equals(ar.result())) {
          finish(s, s.env);
        } else {
          s.env.dropped();
          finish(s, null);
        }
        break;
      default:
        running--;
        done++;
        s.env.value = ar.result();
        finish(s, s.env);
    }
    engine.pumpSoon();
  }

  /** The element failed: to the error handler (dropped) or failing the pipeline. */
  private void failed(Slot s, Throwable cause) {
    engine.elementFailed(name, s.input, cause, s.env);
    if (!engine.stopping) {
      finish(s, null);
    }
  }

  /** The slot's function is done; {@code output} is its last output, or null. */
  private void finish(Slot s, Envelope output) {
    s.state = FINISHED;
    if (output != null) {
      addOutput(s, output);
    }
    if (keyFn != null && s.key != KEY_NONE) {
      releaseKey(s.key);
    }
    if (!ordered && s.outputs == 0) {
      held--;
    }
    if (ordered) {
      trimHead();
    }
  }

  private void releaseKey(Object key) {
    ArrayDeque<Slot> q = keys.get(key);
    Slot next = q == null ? null : q.poll();
    if (next == null) {
      keys.remove(key);
    } else {
      startable.add(next); // still counted as waiting
    }
  }

  private void addOutput(Slot s, Envelope e) {
    s.add(e);
    buffered++;
    if (!ordered && !s.inReady) {
      s.inReady = true;
      ready.add(s);
    }
  }

  /** Drops finished, empty slots from the head of the order. */
  private void trimHead() {
    Slot s;
    while ((s = order.peek()) != null && s.state == FINISHED && s.outputs == 0) {
      order.poll();
      held--;
    }
  }

  @Override
  Envelope poll() {
    if (ordered) {
      trimHead();
      Slot s = order.peek();
      if (s == null || s.outputs == 0) {
        return null;
      }
      Envelope e = s.take();
      buffered--;
      out++;
      trimHead();
      return e;
    }
    Slot s = ready.peek();
    if (s == null) {
      return null;
    }
    Envelope e = s.take();
    buffered--;
    out++;
    if (s.outputs == 0) {
      ready.poll();
      s.inReady = false;
      if (s.state == FINISHED) {
        held--;
      }
    }
    return e;
  }

  @Override
  boolean exhausted() {
    return held == 0 && upstream.exhausted();
  }

  // ---------------------------------------------------------------- flatMap streams

  private void openStream(Slot s, Deferator<Object> d) {
    s.stream = d;
    streaming.add(s);
    d.pause();
    d.exceptionHandler(t -> engine.onContext(() -> streamFailed(s, t)));
    d.endHandler(v -> engine.onContext(() -> streamEnded(s)));
    d.handler(v -> engine.onContext(() -> {
      if (engine.stopping) {
        return;
      }
      s.requested--;
      addOutput(s, s.env.child(v));
      engine.pumpSoon();
    }));
  }

  /** Asks each readable stream for enough elements to keep a few ready. */
  private void feedStreams() {
    Slot head = ordered ? order.peek() : null;
    for (int i = 0, n = streaming.size(); i < n; i++) {
      Slot s = streaming.get(i);
      if (ordered && s != head) {
        continue;
      }
      int want = FLAT_BUFFER - s.outputs - s.requested;
      if (want >= FLAT_BUFFER / 2) {
        s.requested += want;
        s.stream.fetch(want);
      }
    }
  }

  private void streamEnded(Slot s) {
    if (engine.stopping || !streaming.remove(s)) {
      return;
    }
    running--;
    done++;
    s.env.dropped(); // the parent element is used up; its children are counted on their own
    finish(s, null);
    engine.pumpSoon();
  }

  private void streamFailed(Slot s, Throwable t) {
    if (engine.stopping || !streaming.remove(s)) {
      return;
    }
    running--;
    done++;
    failed(s, t);
    engine.pumpSoon();
  }

  @Override
  void close(boolean failed) {
    if (cancelToken != null) {
      cancelToken.cancel(); // the calls still queued: their results would be ignored
    }
    for (Slot s : streaming) {
      s.stream.stop();
    }
    streaming.clear();
  }
}
